package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.tools.io.CsvLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OUT.csv of {@code replay} or a fixture's expected.csv: {@code seq,key,y0..} rows by seq. */
public final class PredictionsCsv {

    /** The header row. */
    public final String header;

    /** The rows by seq; a seq that came twice is in {@link #duplicated}. */
    public final Map<Long, List<String>> rows = new LinkedHashMap<>();

    /** Seqs seen more than once. */
    public final List<Long> duplicated = new ArrayList<>();

    private PredictionsCsv(String header) {
        this.header = header;
    }

    public static PredictionsCsv read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            PredictionsCsv csv = new PredictionsCsv(lines.get(0));
            for (String line : lines.subList(1, lines.size())) {
                List<String> fields = CsvLine.split(line);
                long seq = Long.parseLong(fields.get(0));
                if (csv.rows.put(seq, fields) != null) {
                    csv.duplicated.add(seq);
                }
            }
            return csv;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds the rows of {@code other} (union of two runs), recording seqs both have. */
    public PredictionsCsv plus(PredictionsCsv other) {
        PredictionsCsv sum = new PredictionsCsv(header);
        for (PredictionsCsv part : List.of(this, other)) {
            sum.duplicated.addAll(part.duplicated);
            part.rows.forEach(
                    (seq, row) -> {
                        if (sum.rows.put(seq, row) != null) {
                            sum.duplicated.add(seq);
                        }
                    });
        }
        return sum;
    }

    /**
     * Asserts that these rows are exactly {@code expected}'s rows whose seq {@code from <= seq <
     * to}: same seqs and keys, none twice, every y within the torch tolerance.
     */
    public void assertMatches(PredictionsCsv expected, long from, long to) {
        assertThat(header).isEqualTo(expected.header);
        assertThat(duplicated).as("seqs output twice").isEmpty();
        Map<Long, List<String>> want = new LinkedHashMap<>();
        expected.rows.forEach(
                (seq, row) -> {
                    if (seq >= from && seq < to) {
                        want.put(seq, row);
                    }
                });
        assertThat(rows.keySet()).as("seqs").containsExactlyInAnyOrderElementsOf(want.keySet());
        for (Map.Entry<Long, List<String>> e : want.entrySet()) {
            List<String> w = e.getValue();
            List<String> g = rows.get(e.getKey());
            assertThat(g.get(1)).as("key of seq %d", e.getKey()).isEqualTo(w.get(1));
            assertThat(g).as("columns of seq %d", e.getKey()).hasSameSizeAs(w);
            for (int i = 2; i < w.size(); i++) {
                float want1 = Float.parseFloat(w.get(i));
                float got = Float.parseFloat(g.get(i));
                assertThat(Tolerance.close(got, want1))
                        .as("seq %d y%d: %s vs torch %s", e.getKey(), i - 2, got, want1)
                        .isTrue();
            }
        }
    }
}
