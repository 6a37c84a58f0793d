package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru state inspect --savepoint D}: prints, one {@code name: value} line each, the
 * savepoint, its bytes, the operator, the key count, the state sizes, the model fingerprints with
 * their key counts, the events kept per key ({@code gru.state.history}, if any), the distribution
 * of the keys' step counts and the events waiting for the watermark.
 */
@Command(
        name = "inspect",
        sortOptions = false,
        customSynopsis = "flink-gru state inspect --savepoint D",
        description = {
            "Prints what a savepoint holds.",
            "Prints what savepoint D holds, one name: value line each: the savepoint, its bytes,"
                    + " the manifest, the operator, the keys, the state sizes, the models and the"
                    + " keys' step counts.",
            ""
        })
final class StateInspect implements Callable<Integer> {

    @Option(
            names = "--savepoint",
            required = true,
            paramLabel = "D",
            description = "The savepoint directory.")
    Path dir;

    @Override
    public Integer call() {
        GruSavepoint savepoint = GruSavepoint.open(dir, GruInference.DEFAULT_UID);
        List<KeyedHiddenState> states = HiddenStateReader.readAll(savepoint);
        System.out.print(report(savepoint, states, HiddenStateReader.countWaiting(savepoint)));
        return 0;
    }

    /**
     * @param waiting the number of events waiting for the watermark, per key that has any
     */
    static String report(
            GruSavepoint savepoint, List<KeyedHiddenState> states, List<Long> waiting) {
        StringBuilder s = new StringBuilder();
        Path path = savepoint.path().toAbsolutePath();
        line(s, "savepoint", path.toString());
        line(s, "bytes", Long.toString(savepoint.bytes()));
        ReplaySavepoint manifest = savepoint.manifest();
        if (manifest != null) {
            line(
                    s,
                    "written-by",
                    manifest.origin()
                            + " (skip-rows "
                            + manifest.skipRows()
                            + ", events "
                            + manifest.events()
                            + ", H="
                            + manifest.hiddenSize()
                            + ", L="
                            + manifest.layers()
                            + ")");
        }
        line(
                s,
                "operator",
                savepoint.uid()
                        + " (parallelism "
                        + savepoint.parallelism()
                        + ", max parallelism "
                        + savepoint.maxParallelism()
                        + ")");
        line(s, "keys", Integer.toString(states.size()));

        Map<Integer, Integer> sizes = new TreeMap<>();
        Map<String, Integer> models = new TreeMap<>();
        long[] steps = new long[states.size()];
        for (int i = 0; i < states.size(); i++) {
            KeyedHiddenState k = states.get(i);
            sizes.merge(k.values.length, 1, Integer::sum);
            models.merge(ModelFingerprint.toHex(k.modelFingerprint), 1, Integer::sum);
            steps[i] = k.steps;
        }
        sizes.forEach((size, keys) -> line(s, "state-size", size + " values (" + keys + " keys)"));
        models.forEach((model, keys) -> line(s, "model", model + " (" + keys + " keys)"));
        int withHistory = 0;
        int capacity = 0;
        long kept = 0;
        for (KeyedHiddenState k : states) {
            if (k.history != null) {
                withHistory++;
                capacity = Math.max(capacity, k.historyCapacity);
                kept += k.history.length / k.historyFeatures;
            }
        }
        if (withHistory > 0) {
            line(
                    s,
                    "history",
                    withHistory
                            + " keys keep their last events (up to "
                            + capacity
                            + " each, "
                            + kept
                            + " in all)");
        }
        line(s, "steps", stepDistribution(steps));
        long waitingEvents = waiting.stream().mapToLong(Long::longValue).sum();
        if (waitingEvents > 0) {
            line(
                    s,
                    "waiting",
                    waitingEvents
                            + " events of "
                            + waiting.size()
                            + " keys wait for the watermark (gru.order EVENT_TIME)");
        }
        return s.toString();
    }

    /** {@code min=a p50=b p90=c max=d total=e} (nearest-rank percentiles), or {@code none}. */
    static String stepDistribution(long[] steps) {
        if (steps.length == 0) {
            return "none";
        }
        long[] sorted = steps.clone();
        Arrays.sort(sorted);
        long total = 0;
        for (long n : sorted) {
            total += n;
        }
        return String.format(
                "min=%d p50=%d p90=%d max=%d total=%d",
                sorted[0],
                percentile(sorted, 50),
                percentile(sorted, 90),
                sorted[sorted.length - 1],
                total);
    }

    private static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    private static void line(StringBuilder s, String name, String value) {
        s.append(name).append(": ").append(value).append('\n');
    }
}
