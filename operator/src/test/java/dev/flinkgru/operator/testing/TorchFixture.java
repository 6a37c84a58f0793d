package dev.flinkgru.operator.testing;

import dev.flinkgru.operator.GruEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One fixture set written by {@code models/make_fixtures.py} with real torch: the model, its
 * events, and what {@code nn.GRU} over each key's whole sequence gave.
 */
public final class TorchFixture {

    public final String name;
    public final Path dir;
    public final int features;
    public final int hidden;
    public final int layers;
    public final int outputs;

    /** K for a recommendation set (y = K ids, then K scores): ids compared exactly; else 0. */
    public final int topK;

    private final Properties meta = new Properties();

    private TorchFixture(String name) {
        this.name = name;
        this.dir = root().resolve(name);
        try (var in = Files.newInputStream(dir.resolve("meta.properties"))) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        features = Integer.parseInt(meta.getProperty("features"));
        hidden = Integer.parseInt(meta.getProperty("hidden"));
        layers = Integer.parseInt(meta.getProperty("layers"));
        outputs = Integer.parseInt(meta.getProperty("outputs"));
        topK = Integer.parseInt(meta.getProperty("k", "0"));
    }

    public static TorchFixture load(String name) {
        return new TorchFixture(name);
    }

    /** The committed fixtures folder (set by Maven as {@code fixtures.dir}). */
    public static Path root() {
        String dir = System.getProperty("fixtures.dir");
        return dir != null ? Paths.get(dir) : Paths.get("..", "models", "fixtures");
    }

    /** The TorchScript model, model.pt. */
    public Path model() {
        return dir.resolve("model.pt");
    }

    /** The same model exported to ONNX, model.onnx. */
    public Path onnxModel() {
        return dir.resolve("model.onnx");
    }

    /**
     * Asserts that {@code actual} agrees with torch's {@code expected} outputs: the first {@link
     * #topK} values (ids) exactly, the rest within {@link Tolerance}.
     */
    public void assertOutputs(String what, float[] actual, float[] expected, int rows) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < topK; i++) {
                int at = r * outputs + i;
                if (actual[at] != expected[at]) {
                    org.assertj.core.api.Assertions.fail(
                            "%s: id %d of row %d is %s, torch's is %s",
                            what, i, r, actual[at], expected[at]);
                }
            }
        }
        Tolerance.assertClose(what, actual, expected, rows * outputs);
    }

    public int stateSize() {
        return layers * hidden;
    }

    /** The events in file order; timestamp = seq. */
    public List<GruEvent> events() {
        List<GruEvent> events = new ArrayList<>();
        for (String[] row : rows("events.csv")) {
            long seq = Long.parseLong(row[0]);
            events.add(new GruEvent(row[1], seq, seq, floats(row, 2, features)));
        }
        return events;
    }

    /**
     * The events in file order with realistic event times ({@link EventTimes}: years back and near
     * {@code now}); id = seq.
     */
    public List<GruEvent> eventsAt(long now) {
        List<GruEvent> events = events();
        for (GruEvent e : events) {
            e.timestamp = EventTimes.of(e.key, e.eventId, events.size(), now);
        }
        return events;
    }

    /** A number of meta.properties, e.g. the rollout set's {@code split}. */
    public int intProperty(String key) {
        String value = meta.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException(dir + "/meta.properties has no " + key);
        }
        return Integer.parseInt(value.trim());
    }

    /** Expected outputs by seq. */
    public Map<Long, float[]> expected() {
        return expected("expected.csv");
    }

    /** Expected outputs by seq, from {@code file} of the set (seq,key,y0..). */
    public Map<Long, float[]> expected(String file) {
        Map<Long, float[]> expected = new LinkedHashMap<>();
        for (String[] row : rows(file)) {
            expected.put(Long.parseLong(row[0]), floats(row, 2, outputs));
        }
        return expected;
    }

    /** Final state per key: steps then the L·H values. */
    public Map<String, float[]> finalStates() {
        Map<String, float[]> states = new LinkedHashMap<>();
        for (String[] row : rows("final_states.csv")) {
            states.put(row[0], floats(row, 2, stateSize()));
        }
        return states;
    }

    /** The batched step case: rows of x, h, y, h'. */
    public StepCase step() {
        List<String[]> rows = rows("step.csv");
        int b = rows.size();
        StepCase c = new StepCase(b, features, stateSize(), outputs);
        for (int i = 0; i < b; i++) {
            String[] row = rows.get(i);
            int at = 0;
            System.arraycopy(floats(row, at, features), 0, c.x, i * features, features);
            at += features;
            System.arraycopy(floats(row, at, stateSize()), 0, c.h, i * stateSize(), stateSize());
            at += stateSize();
            System.arraycopy(floats(row, at, outputs), 0, c.y, i * outputs, outputs);
            at += outputs;
            System.arraycopy(
                    floats(row, at, stateSize()), 0, c.hNext, i * stateSize(), stateSize());
        }
        return c;
    }

    /** A batched step and its torch result. */
    public static final class StepCase {
        public final int batch;
        public final float[] x;
        public final float[] h;
        public final float[] y;
        public final float[] hNext;

        StepCase(int batch, int f, int s, int o) {
            this.batch = batch;
            x = new float[batch * f];
            h = new float[batch * s];
            y = new float[batch * o];
            hNext = new float[batch * s];
        }
    }

    private List<String[]> rows(String file) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(file));
            List<String[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    rows.add(line.split(","));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] floats(String[] row, int from, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = Float.parseFloat(row[from + i]);
        }
        return values;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(new int[] {features, hidden, layers, outputs});
    }
}
