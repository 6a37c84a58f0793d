package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.io.CsvLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru state export --savepoint D --out states.csv [--hidden-size H --layers L]}: one
 * row per key, header {@code key,steps,h0..h{L·H-1}}, values layer-major by {@link Float#toString}.
 */
@Command(
        name = "export",
        sortOptions = false,
        customSynopsis =
                "flink-gru state export --savepoint D --out states.csv [--hidden-size H --layers L]",
        description = {
            "Writes every key's hidden state in a savepoint as CSV.",
            "Writes the hidden state of every key in savepoint D as CSV: one row per key, sorted"
                    + " by key, header key,steps,h0..h{L*H-1}, values layer-major.",
            ""
        })
final class StateExport implements Callable<Integer> {

    @Option(
            names = "--savepoint",
            required = true,
            paramLabel = "D",
            description = "The savepoint directory.")
    Path dir;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "states.csv",
            description = "Where the CSV goes.")
    Path out;

    @Option(
            names = "--hidden-size",
            paramLabel = "H",
            description = "With --layers: checks that every state holds L*H values.")
    Integer hidden;

    @Option(names = "--layers", paramLabel = "L", description = "With --hidden-size: see there.")
    Integer layers;

    @Override
    public Integer call() {
        if ((hidden != null) != (layers != null)) {
            throw CliException.usage("--hidden-size H and --layers L go together");
        }
        long began = System.nanoTime();
        GruSavepoint savepoint = GruSavepoint.open(dir, GruInference.DEFAULT_UID);
        List<KeyedHiddenState> states = HiddenStateReader.readAll(savepoint);
        int size = stateSize(states, savepoint);
        if (hidden != null) {
            if (!states.isEmpty() && size != hidden * layers) {
                throw CliException.failure(
                        String.format(
                                "the states in %s hold %d values per key, but --hidden-size %d"
                                        + " --layers %d means %d (L·H)",
                                savepoint.path(), size, hidden, layers, hidden * layers));
            }
            size = hidden * layers;
        }
        write(out, states, size);
        Set<String> models = new TreeSet<>();
        states.forEach(s -> models.add(ModelFingerprint.toHex(s.modelFingerprint)));
        System.err.printf(
                "state export: %d keys, %d values each, model %s, from %s -> %s (%.2f s)%n",
                states.size(),
                size,
                models.isEmpty() ? "-" : String.join(" ", models),
                savepoint.path(),
                out,
                (System.nanoTime() - began) / 1e9);
        return 0;
    }

    /** L·H of the states, which must all have it; from the manifest if there are no states. */
    private static int stateSize(List<KeyedHiddenState> states, GruSavepoint savepoint) {
        Map<Integer, Integer> sizes = new TreeMap<>();
        for (KeyedHiddenState s : states) {
            sizes.merge(s.values.length, 1, Integer::sum);
        }
        if (sizes.size() > 1) {
            throw CliException.failure(
                    "the states in "
                            + savepoint.path()
                            + " have different sizes (values per key: keys) "
                            + sizes
                            + "; a states file has one size");
        }
        if (!sizes.isEmpty()) {
            return sizes.keySet().iterator().next();
        }
        return savepoint.manifest() == null
                ? 0
                : savepoint.manifest().hiddenSize() * savepoint.manifest().layers();
    }

    private static void write(Path out, List<KeyedHiddenState> states, int size) {
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            StringBuilder row = new StringBuilder("key,steps");
            for (int i = 0; i < size; i++) {
                row.append(",h").append(i);
            }
            writer.write(row.append('\n').toString());
            for (KeyedHiddenState s : states) {
                row.setLength(0);
                row.append(CsvLine.quote(s.key)).append(',').append(s.steps);
                for (float v : s.values) {
                    row.append(',').append(Float.toString(v));
                }
                writer.write(row.append('\n').toString());
            }
        } catch (IOException e) {
            throw CliException.failure("cannot write " + out + ": " + e.getMessage());
        }
    }
}
