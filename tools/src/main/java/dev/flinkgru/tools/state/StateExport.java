package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import dev.flinkgru.tools.replay.CsvLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code flink-gru state export --savepoint D --out states.csv [--hidden-size H --layers L]}: one
 * row per key, header {@code key,steps,h0..h{L·H-1}}, values layer-major by {@link Float#toString}.
 */
final class StateExport {

    static final String USAGE =
            "usage: flink-gru state export --savepoint D --out states.csv"
                    + " [--hidden-size H --layers L]";

    private static final Set<String> OPTIONS = Set.of("savepoint", "out", "hidden-size", "layers");

    private StateExport() {}

    static int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        Options options = Options.parse(args, OPTIONS, Set.of());
        Path dir = Paths.get(options.required("savepoint"));
        Path out = Paths.get(options.required("out"));
        if (options.has("hidden-size") != options.has("layers")) {
            throw CliException.usage("--hidden-size H and --layers L go together");
        }
        long began = System.nanoTime();
        GruSavepoint savepoint = GruSavepoint.open(dir, GruInference.DEFAULT_UID);
        List<KeyedHiddenState> states = HiddenStateReader.readAll(savepoint);
        int size = stateSize(states, savepoint);
        if (options.has("hidden-size")) {
            int hidden = options.requiredInt("hidden-size");
            int layers = options.requiredInt("layers");
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
