package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.tools.io.CsvLine;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay --order event-time} of a stream whose rows are displaced by dozens of rows (as
 * several partitions interleave them), with late rows among them: each key's outputs equal torch
 * over its events in time order, exactly the late rows are refused with their reason, and a stop
 * with events waiting for the watermark, resumed at another parallelism, still equals torch.
 */
class ReplayEventTimeITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    /** A 2020 backfill: tiny's row s happened at START + s seconds. */
    private static final long START = Instant.parse("2020-03-01T06:00:00Z").toEpochMilli();

    /** Rows move up to this many places from their time order. */
    private static final int DISPLACEMENT = 40;

    @TempDir Path tmp;

    private Path events;

    /** Seqs of the rows moved to the end of the file, far behind the watermark there. */
    private Set<Long> late;

    /** Seqs in file order. */
    private List<Long> fileOrder;

    /**
     * Tiny's events with a ts column, displaced by up to {@link #DISPLACEMENT} rows; then the last
     * event of a few keys (so that torch's outputs of the others stay those of the fixture) moved
     * to the end, minutes behind the largest ts there.
     */
    @BeforeEach
    void displacedEvents() throws IOException {
        List<String> lines = Files.readAllLines(TINY.dir.resolve("events.csv"));
        List<String> header = CsvLine.split(lines.get(0));
        int seqColumn = header.indexOf("seq");
        int keyColumn = header.indexOf("key");
        Map<Long, List<String>> rows = new LinkedHashMap<>();
        Map<String, Long> lastOfKey = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> fields = CsvLine.split(line);
            long seq = Long.parseLong(fields.get(seqColumn));
            rows.put(seq, fields);
            lastOfKey.put(fields.get(keyColumn), seq);
        }
        late =
                lastOfKey.values().stream()
                        .filter(seq -> seq < 500)
                        .sorted()
                        .limit(6)
                        .collect(Collectors.toCollection(HashSet::new));
        assertThat(late).hasSize(6);

        Random random = new Random(18);
        Map<Long, Double> position = new HashMap<>();
        for (long seq : rows.keySet()) {
            position.put(seq, seq + random.nextDouble() * DISPLACEMENT);
        }
        fileOrder = new ArrayList<>(rows.keySet());
        fileOrder.removeAll(late);
        fileOrder.sort(Comparator.comparingDouble(position::get));
        fileOrder.addAll(late.stream().sorted().toList());
        assertThat(inversions(fileOrder)).as("rows out of time order").isGreaterThan(500);

        StringBuilder csv = new StringBuilder("seq,key,ts");
        for (int i = 0; i < TINY.features; i++) {
            csv.append(",x").append(i);
        }
        csv.append('\n');
        for (long seq : fileOrder) {
            List<String> fields = rows.get(seq);
            csv.append(seq)
                    .append(',')
                    .append(CsvLine.quote(fields.get(keyColumn)))
                    .append(',')
                    .append(START + seq * 1_000);
            for (int i = 0; i < TINY.features; i++) {
                csv.append(',').append(fields.get(header.indexOf("x" + i)));
            }
            csv.append('\n');
        }
        events = tmp.resolve("displaced.csv");
        Files.writeString(events, csv, StandardCharsets.UTF_8);
    }

    private static long inversions(List<Long> order) {
        long n = 0;
        long max = Long.MIN_VALUE;
        for (long seq : order) {
            if (seq < max) {
                n++;
            }
            max = Math.max(max, seq);
        }
        return n;
    }

    private CliRun replay(Path out, Path rejects, String... extra) {
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
                                events.toString(),
                                "--out",
                                out.toString(),
                                "--rejects",
                                rejects.toString(),
                                "--batch-size",
                                "16",
                                "--order",
                                "event-time",
                                "--max-out-of-orderness",
                                "60s"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** Torch's outputs (the fixture's, over each key's events in time order) but the late rows. */
    private PredictionsCsv expectedWithoutLate() {
        PredictionsCsv expected = PredictionsCsv.read(TINY.dir.resolve("expected.csv"));
        expected.rows.keySet().removeAll(late);
        return expected;
    }

    /** The rejects file's seqs and reasons. */
    private static Map<Long, String> rejects(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("seq,reason,raw");
        Map<Long, String> reasons = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> fields = CsvLine.split(line);
            assertThat(reasons.put(Long.parseLong(fields.get(0)), fields.get(1))).isNull();
        }
        return reasons;
    }

    @Test
    void displacedRowsAreSteppedInTimeOrderAndExactlyTheLateOnesAreRefused() throws IOException {
        Path out = tmp.resolve("out.csv");
        Path rejects = tmp.resolve("rejects.csv");

        CliRun run = replay(out, rejects, "--parallelism", "2", "--pipeline-depth", "2");

        assertThat(run.exit).as("%s", run).isZero();
        PredictionsCsv.read(out).assertMatches(expectedWithoutLate(), 0, Long.MAX_VALUE);
        Map<Long, String> refused = rejects(rejects);
        assertThat(refused.keySet()).isEqualTo(late);
        refused.values()
                .forEach(
                        reason ->
                                assertThat(reason)
                                        .startsWith("late: event time 2020-03-01T")
                                        .containsPattern("is \\d+ ms behind the watermark"));
        // Each late row's input row is its raw.
        String csv = Files.readString(rejects);
        assertThat(csv).contains(",k0"); // raw rows carry their keys

        // The same file in arrival order steps the displaced rows as they stand: other outputs.
        Path arrivalOut = tmp.resolve("arrival.csv");
        CliRun arrival =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        Integer.toString(TINY.hidden),
                        "--layers",
                        Integer.toString(TINY.layers),
                        "--events",
                        events.toString(),
                        "--out",
                        arrivalOut.toString());
        assertThat(arrival.exit).as("%s", arrival).isZero();
        PredictionsCsv expected = PredictionsCsv.read(TINY.dir.resolve("expected.csv"));
        long differ =
                PredictionsCsv.read(arrivalOut).rows.entrySet().stream()
                        .filter(e -> !e.getValue().equals(expected.rows.get(e.getKey())))
                        .count();
        assertThat(differ).as("arrival-order outputs that differ from torch").isPositive();
    }

    @Test
    void aStopWithEventsWaitingResumedAtAnotherParallelismEqualsTorch() throws IOException {
        Path savepoint = tmp.resolve("savepoint");
        Path out1 = tmp.resolve("out1.csv");
        Path out2 = tmp.resolve("out2.csv");
        Path rejects1 = tmp.resolve("rejects1.csv");
        Path rejects2 = tmp.resolve("rejects2.csv");

        CliRun run1 =
                replay(
                        out1,
                        rejects1,
                        "--parallelism",
                        "3",
                        "--stop-after",
                        "400",
                        "--savepoint-dir",
                        savepoint.toString());
        assertThat(run1.exit).as("%s", run1).isZero();
        ReplaySavepoint manifest = ReplaySavepoint.load(savepoint);
        // Rows within 60 s of the largest ts of the first 400 wait in the savepoint.
        long maxTs = fileOrder.subList(0, 400).stream().mapToLong(s -> s).max().orElseThrow();
        long waiting =
                fileOrder.subList(0, 400).stream()
                        .filter(s -> s * 1_000 > maxTs * 1_000 - 60_001)
                        .count();
        assertThat(manifest.waiting()).isEqualTo(waiting).isPositive();
        assertThat(run1.stderr).contains(waiting + " events wait there for the watermark");
        PredictionsCsv got1 = PredictionsCsv.read(out1);
        assertThat(got1.rows).hasSize(400 - (int) waiting);
        // The state tools see them in the savepoint.
        CliRun inspect = CliRun.of("state", "inspect", "--savepoint", savepoint.toString());
        assertThat(inspect.exit).as("%s", inspect).isZero();
        assertThat(inspect.stdout)
                .containsPattern("(?m)^waiting: " + waiting + " events of \\d+ keys wait for");

        CliRun run2 =
                replay(out2, rejects2, "--parallelism", "2", "--resume", savepoint.toString());
        assertThat(run2.exit).as("%s", run2).isZero();

        PredictionsCsv union = got1.plus(PredictionsCsv.read(out2));
        union.assertMatches(expectedWithoutLate(), 0, Long.MAX_VALUE);
        Set<Long> refused = new HashSet<>(rejects(rejects1).keySet());
        refused.addAll(rejects(rejects2).keySet());
        assertThat(refused).isEqualTo(late);
    }

    @Test
    void eventTimeNeedsATsColumn() {
        CliRun run =
                CliRun.replay(
                        TINY, TINY.model(), tmp.resolve("out.csv"), 16, "--order", "event-time");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).contains("--order event-time needs a ts column");
    }
}
