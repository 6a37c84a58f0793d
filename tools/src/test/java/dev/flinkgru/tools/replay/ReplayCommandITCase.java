package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flink-gru replay} end to end: its CSV contract, against outputs of real torch. */
class ReplayCommandITCase {

    private static final Path FIXTURES =
            Paths.get(System.getProperty("fixtures.dir", "../models/fixtures"));

    @TempDir Path tmp;

    private String stderr;

    private int replay(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "replay";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        stderr = run.stderr;
        return run.exit;
    }

    @Test
    void outputsMatchTorchOverWholeSequencesAtParallelismTwo() throws IOException {
        Path out = tmp.resolve("out.csv");
        int exit =
                replay(
                        "--model", FIXTURES.resolve("tiny/model.pt").toString(),
                        "--hidden-size", "8",
                        "--layers", "2",
                        "--events", FIXTURES.resolve("tiny/events.csv").toString(),
                        "--out", out.toString(),
                        "--batch-size", "7",
                        "--parallelism", "2");

        assertThat(exit).isEqualTo(0);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("seq,key,y0,y1");
        Map<String, String[]> expected =
                bySeq(Files.readAllLines(FIXTURES.resolve("tiny/expected.csv")));
        Map<String, String[]> actual = bySeq(lines);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            String[] want = e.getValue();
            String[] got = actual.get(e.getKey());
            assertThat(got[1]).isEqualTo(want[1]);
            for (int i = 2; i < want.length; i++) {
                float w = Float.parseFloat(want[i]);
                float g = Float.parseFloat(got[i]);
                assertThat(Math.abs(g - w))
                        .as("seq %s y%d", e.getKey(), i - 2)
                        .isLessThanOrEqualTo((float) (1e-5 + 1e-5 * Math.abs(w)));
            }
        }
    }

    @Test
    void withoutASeqColumnTheRowIndexIsTheSeq() throws IOException {
        Path in = tmp.resolve("in.csv");
        // Extra columns are ignored; x columns may come in any order.
        Files.writeString(
                in, "x1,note,key,x0,x2\n0.5,hello,a,1.0,-1\n0.25,\"x, y\",b,2.0,0\n1,,a,0,0\n");
        Path out = tmp.resolve("out.csv");
        int exit =
                replay(
                        "--model",
                        FIXTURES.resolve("tiny/model.pt").toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--backend",
                        "reference");
        assertThat(exit).isEqualTo(0);
        Map<String, String[]> rows = bySeq(Files.readAllLines(out));
        assertThat(rows.keySet()).containsExactlyInAnyOrder("0", "1", "2");
        assertThat(rows.get("0")[1]).isEqualTo("a");
        assertThat(rows.get("1")[1]).isEqualTo("b");
        assertThat(rows.get("2")[1]).isEqualTo("a");
    }

    @Test
    void aMissingModelIsOneClearLine() {
        int exit =
                replay(
                        "--model", tmp.resolve("missing.pt").toString(),
                        "--hidden-size", "8",
                        "--layers", "2",
                        "--events", FIXTURES.resolve("tiny/events.csv").toString(),
                        "--out", tmp.resolve("out.csv").toString());
        assertThat(exit).isNotZero();
        assertThat(stderr.strip().lines()).hasSize(1);
        assertThat(stderr).contains("Model file not found").contains("missing.pt");
    }

    @Test
    void aShapeMismatchNamesTheSizes() {
        int exit =
                replay(
                        "--model", FIXTURES.resolve("tiny/model.pt").toString(),
                        "--hidden-size", "32",
                        "--layers", "2",
                        "--events", FIXTURES.resolve("tiny/events.csv").toString(),
                        "--out", tmp.resolve("out.csv").toString());
        assertThat(exit).isNotZero();
        assertThat(stderr.strip().lines()).hasSize(1);
        assertThat(stderr).contains("--hidden-size is 32").contains("H=8");
    }

    @Test
    void aFeatureCountMismatchNamesTheSizes() throws IOException {
        Path in = tmp.resolve("in.csv");
        Files.writeString(in, "key,x0,x1\na,1,2\n");
        int exit =
                replay(
                        "--model", FIXTURES.resolve("tiny/model.pt").toString(),
                        "--hidden-size", "8",
                        "--layers", "2",
                        "--events", in.toString(),
                        "--out", tmp.resolve("out.csv").toString());
        assertThat(exit).isNotZero();
        assertThat(stderr).contains("2 features").contains("F=3");
    }

    /** Bad rows no longer stop a run: {@link ReplayRejectsITCase}. */
    @Test
    void unreadableInputIsOneClearLine() {
        int exit =
                replay(
                        "--model", FIXTURES.resolve("tiny/model.pt").toString(),
                        "--hidden-size", "8",
                        "--layers", "2",
                        "--events", tmp.resolve("nope.csv").toString(),
                        "--out", tmp.resolve("out.csv").toString());
        assertThat(exit).isNotZero();
        assertThat(stderr.strip().lines()).hasSize(1);
        assertThat(stderr).contains("cannot read").contains("nope.csv");
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        assertThat(replay("--modle", "x")).isEqualTo(2);
        assertThat(stderr).contains("unknown option --modle");
    }

    private static Map<String, String[]> bySeq(List<String> lines) {
        Map<String, String[]> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",");
            assertThat(rows.put(fields[0], fields)).as("duplicate seq %s", fields[0]).isNull();
        }
        return rows;
    }
}
