package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.tools.io.CsvLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A states file ({@code key,steps,h0..}) as {@code state export} and the torch fixtures write it.
 */
final class StatesCsv {

    final String header;

    /** Steps by key. */
    final Map<String, Long> steps = new LinkedHashMap<>();

    /** Hidden values by key. */
    final Map<String, float[]> values = new LinkedHashMap<>();

    private StatesCsv(String header) {
        this.header = header;
    }

    static StatesCsv read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            StatesCsv csv = new StatesCsv(lines.get(0));
            for (String line : lines.subList(1, lines.size())) {
                List<String> f = CsvLine.split(line);
                float[] h = new float[f.size() - 2];
                for (int i = 0; i < h.length; i++) {
                    h[i] = Float.parseFloat(f.get(i + 2));
                }
                assertThat(csv.steps.put(f.get(0), Long.parseLong(f.get(1))))
                        .as("key %s twice", f.get(0))
                        .isNull();
                csv.values.put(f.get(0), h);
            }
            return csv;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StatesCsv of(String header, Map<String, Long> steps, Map<String, float[]> values) {
        StatesCsv csv = new StatesCsv(header);
        csv.steps.putAll(steps);
        csv.values.putAll(values);
        return csv;
    }

    /** Same header and keys, steps exactly, values within the torch tolerance. */
    void assertMatches(StatesCsv expected) {
        assertThat(header).isEqualTo(expected.header);
        assertThat(steps).isEqualTo(expected.steps);
        for (Map.Entry<String, float[]> e : expected.values.entrySet()) {
            float[] got = values.get(e.getKey());
            assertThat(got).as("values of %s", e.getKey()).hasSameSizeAs(e.getValue());
            Tolerance.assertClose("state of " + e.getKey(), got, e.getValue(), got.length);
        }
    }
}
