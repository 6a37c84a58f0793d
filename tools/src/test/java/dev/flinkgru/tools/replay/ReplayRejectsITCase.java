package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.tools.io.CsvLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad rows in {@code replay}'s input: refused with a reason, listed in {@code --rejects}, never
 * advancing a state, while every good row is processed.
 */
class ReplayRejectsITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @TempDir Path tmp;

    @Test
    void badRowsAreRejectedAndTheGoodRowsGiveTorchsOutputs() throws IOException {
        // tiny's 746 good rows (seq,key,x0,x1,x2), with bad rows between them that reuse their
        // keys: a bad row that advanced a state would change every later output of its key.
        List<String> good = Files.readAllLines(TINY.dir.resolve("events.csv"));
        String[][] bad = {
            {"9000,k003,1.5,2.5", "9000", "has 4 columns, the header 5"},
            {"9001,k044,0.1,oops,0.3", "9001", "x1 'oops' is not a number"},
            {"9002,k028,NaN,0.2,0.3", "9002", "x0 is NaN"},
            {"9003,k019,0.1,0.2,-Infinity", "9003", "x2 is -Infinity"},
            {"9004,,0.1,0.2,0.3", "9004", "the key is empty"},
            {"x9,k003,0.1,0.2,0.3", null, "seq 'x9' is not an integer"},
            {"9006,\"k0,44\",0.1,,0.3", "9006", "x1 '' is not a number"},
            {"9007,k001,0.1,0.2,0.3,0.4", "9007", "has 6 columns, the header 5"},
        };
        List<String> lines = new ArrayList<>();
        List<String> expectedRejects = new ArrayList<>();
        lines.add(good.get(0));
        int row = 0;
        int next = 0;
        for (int i = 1; i < good.size(); i++) {
            if (i % 90 == 45 && next < bad.length) {
                String[] b = bad[next++];
                lines.add(b[0]);
                String seq = b[1] != null ? b[1] : Integer.toString(row);
                expectedRejects.add(seq + "," + CsvLine.quote(b[2]) + "," + CsvLine.quote(b[0]));
                row++;
            }
            lines.add(good.get(i));
            row++;
        }
        assertThat(next).isEqualTo(bad.length);
        Path in = tmp.resolve("mixed.csv");
        Files.write(in, lines);
        Path out = tmp.resolve("out.csv");
        Path rejects = tmp.resolve("rejects.csv");

        CliRun run = replay(in, out, "--rejects", rejects.toString(), "--parallelism", "2");

        assertThat(run.exit).as("%s", run).isZero();
        // The good rows' outputs are torch's over the good rows alone (expected.csv).
        PredictionsCsv expected = PredictionsCsv.read(TINY.dir.resolve("expected.csv"));
        PredictionsCsv got = PredictionsCsv.read(out);
        got.assertMatches(expected, 0, Long.MAX_VALUE);
        List<String> rejected = Files.readAllLines(rejects);
        assertThat(rejected.get(0)).isEqualTo("seq,reason,raw");
        assertThat(rejected.subList(1, rejected.size())).containsExactlyElementsOf(expectedRejects);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("746 events -> 746 predictions")
                .contains(bad.length + " rows rejected -> " + rejects)
                .contains("the first: " + in + " line 46: has 4 columns, the header 5");
        System.out.printf(
                "rejects: %d rows, %d outputs, %d rejected (%.1f s)%n",
                row, got.rows.size(), rejected.size() - 1, run.seconds);
    }

    @Test
    void withoutRejectsFileBadRowsAreSkippedCountedAndTheFirstIsNamed() throws IOException {
        Path in = tmp.resolve("in.csv");
        Files.writeString(in, "key,x0,x1,x2\na,1,2,3\nb,1,oops,3\n\nb,0.5,0.5,0.5\n");
        Path out = tmp.resolve("out.csv");
        CliRun run = replay(in, out, "--backend", "reference");
        assertThat(run.exit).as("%s", run).isZero();
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("2 events -> 2 predictions")
                .contains(
                        "1 rows rejected, the first: " + in + " line 3: x1 'oops' is not a number")
                .contains("--rejects FILE lists them all");
        // Without a seq column the seq is the data-row index; the blank line is no row.
        assertThat(PredictionsCsv.read(out).rows.keySet()).containsExactlyInAnyOrder(0L, 2L);
    }

    @Test
    void headerProblemsStayFatal() throws IOException {
        Path noKey = tmp.resolve("nokey.csv");
        Files.writeString(noKey, "id,x0,x1,x2\na,1,2,3\n");
        CliRun run = replay(noKey, tmp.resolve("out.csv"));
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr).contains("the header has no 'key' column");

        Path gap = tmp.resolve("gap.csv");
        Files.writeString(gap, "key,x0,x2,x3\na,1,2,3\n");
        run = replay(gap, tmp.resolve("out.csv"));
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr).contains("feature columns must be x0..x2; x1 is missing");
    }

    private static CliRun replay(Path in, Path out, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "replay",
                                "--model",
                                TINY.model().toString(),
                                "--hidden-size",
                                Integer.toString(TINY.hidden),
                                "--layers",
                                Integer.toString(TINY.layers),
                                "--events",
                                in.toString(),
                                "--out",
                                out.toString(),
                                "--batch-size",
                                "16"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }
}
