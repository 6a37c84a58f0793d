package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ReferenceGruPredictorFactory;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.HiddenStateSerializer;
import dev.flinkgru.tools.io.ReplaySavepoint;
import dev.flinkgru.tools.replay.CliRun;
import dev.flinkgru.tools.replay.PredictionsCsv;
import dev.flinkgru.tools.replay.Savepoints;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in savepoints, one per HiddenState serializer version ({@code
 * src/test/resources/savepoints/v<N>}, see the README there for how to write one), restored by this
 * build: {@code replay --resume} continues them like torch over the whole sequences, and {@code
 * state export} reads the states they were written with.
 */
class StateCompatibilityITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @TempDir Path tmp;

    static List<Integer> versions() {
        return Savepoints.versions();
    }

    @Test
    void everySerializerVersionHasACheckedInSavepoint() {
        assertThat(versions())
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, HiddenStateSerializer.FORMAT_VERSION)
                                .boxed()
                                .toList());
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("versions")
    void resumeContinuesLikeTorch(int version) {
        Path savepoint = Savepoints.copyCheckedIn(version, tmp.resolve("v" + version));
        long skip = ReplaySavepoint.load(savepoint).skipRows();
        Path out = tmp.resolve("out.csv");
        CliRun run =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        TINY.dir.resolve("events.csv").toString(),
                        "--out",
                        out.toString(),
                        "--parallelism",
                        "2",
                        "--resume",
                        savepoint.toString());
        assertThat(run.exit).as("%s", run).isZero();
        PredictionsCsv got = PredictionsCsv.read(out);
        got.assertMatches(PredictionsCsv.read(TINY.dir.resolve("expected.csv")), skip, 746);
        System.out.printf(
                "compatibility v%d: resumed after %d rows, %d outputs match torch (%.1f s)%n",
                version, skip, got.rows.size(), run.seconds);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("versions")
    void exportReadsTheStates(int version) throws Exception {
        Path savepoint = Savepoints.copyCheckedIn(version, tmp.resolve("v" + version));
        long skip = ReplaySavepoint.load(savepoint).skipRows();
        Path out = tmp.resolve("states.csv");
        CliRun run =
                CliRun.of(
                        "state",
                        "export",
                        "--savepoint",
                        savepoint.toString(),
                        "--out",
                        out.toString());
        assertThat(run.exit).as("%s", run).isZero();
        StatesCsv.read(out).assertMatches(referenceStates(TINY.events().subList(0, (int) skip)));
    }

    /**
     * The oracle: each key's state after its events, one step at a time with the pure-Java {@code
     * nn.GRU} (which the operator tests hold to torch).
     */
    private static StatesCsv referenceStates(List<GruEvent> events) throws Exception {
        int size = TINY.stateSize();
        Map<String, float[]> values = new TreeMap<>();
        Map<String, Long> steps = new TreeMap<>();
        try (BatchPredictor gru =
                new ReferenceGruPredictorFactory(TINY.model().toString(), TINY.hidden, TINY.layers)
                        .open(TINY.features, 1)) {
            float[] y = new float[TINY.outputs];
            for (GruEvent e : events) {
                float[] h = values.computeIfAbsent(e.key, k -> new float[size]);
                float[] next = new float[size];
                gru.step(1, e.features, h, y, next);
                values.put(e.key, next);
                steps.merge(e.key, 1L, Long::sum);
            }
        }
        StringBuilder header = new StringBuilder("key,steps");
        for (int i = 0; i < size; i++) {
            header.append(",h").append(i);
        }
        return StatesCsv.of(header.toString(), new LinkedHashMap<>(steps), values);
    }
}
