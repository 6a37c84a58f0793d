package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.tools.cli.FlinkGruCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** One {@code flink-gru} command run in this JVM, its exit code and what it printed. */
public final class CliRun {

    /** The exit code. */
    public final int exit;

    /** What the command printed on stdout. */
    public final String stdout;

    /** What the command printed on stderr (Flink's logging goes elsewhere). */
    public final String stderr;

    /** Wall time of the command in seconds. */
    public final double seconds;

    static {
        // Start logging now, so that its console appender holds the real stderr and never the
        // stream a run captures.
        LoggerFactory.getLogger(CliRun.class).debug("logging started");
    }

    private CliRun(int exit, String stdout, String stderr, double seconds) {
        this.exit = exit;
        this.stdout = stdout;
        this.stderr = stderr;
        this.seconds = seconds;
    }

    /** Runs {@code flink-gru args...}, echoing its stderr to the test log. */
    public static CliRun of(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        long began = System.nanoTime();
        int exit;
        try {
            exit = FlinkGruCli.run(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        CliRun run =
                new CliRun(
                        exit,
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8),
                        (System.nanoTime() - began) / 1e9);
        savedErr.printf("flink-gru %s -> exit %d in %.1f s%n", args[0], exit, run.seconds);
        savedErr.print(run.stderr);
        return run;
    }

    /**
     * Runs {@code flink-gru replay} of a fixture set's events.csv through {@code model} (with the
     * set's H and L) into {@code out}, batches of {@code batchSize}, then {@code extra} flags.
     */
    public static CliRun replay(
            TorchFixture set, Path model, Path out, int batchSize, String... extra) {
        String[] base = {
            "replay",
            "--model",
            model.toString(),
            "--hidden-size",
            Integer.toString(set.hidden),
            "--layers",
            Integer.toString(set.layers),
            "--events",
            set.dir.resolve("events.csv").toString(),
            "--out",
            out.toString(),
            "--batch-size",
            Integer.toString(batchSize)
        };
        return of(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    @Override
    public String toString() {
        return "exit " + exit + ", stderr: " + stderr.strip();
    }
}
