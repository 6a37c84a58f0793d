package dev.flinkgru.tools.command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import picocli.CommandLine;

/**
 * One command run through its picocli command line as {@code flink-gru} sets it up, with what it
 * printed through the command line's writers. For parse and usage checks: a command that gets past
 * its checks really runs.
 *
 * @param exit the exit code
 * @param out what the command line printed on stdout (usage help)
 * @param err what it printed on stderr (errors)
 */
public record CommandRun(int exit, String out, String err) {

    /** Runs {@code args} on a fresh command line of {@code command}. */
    public static CommandRun of(Object command, String... args) {
        return of((out, err) -> CommandLines.create(command, out, err), args);
    }

    /** Runs {@code args} on the command line {@code create} makes for the two streams. */
    public static CommandRun of(
            BiFunction<PrintStream, PrintStream, CommandLine> create, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = CommandLines.execute(create.apply(outStream, errStream), args);
        return new CommandRun(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Parses {@code args} into {@code command}'s fields, running nothing; returns {@code command}.
     */
    public static <T> T parse(T command, String... args) {
        CommandLines.create(command).parseArgs(args);
        return command;
    }

    /** The first line of stderr. */
    public String error() {
        return err.lines().findFirst().orElse("");
    }
}
