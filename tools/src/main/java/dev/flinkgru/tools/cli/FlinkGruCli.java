package dev.flinkgru.tools.cli;

import dev.flinkgru.tools.bench.BenchCommand;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandLines;
import dev.flinkgru.tools.demo.DemoCommand;
import dev.flinkgru.tools.kafka.KafkaCommand;
import dev.flinkgru.tools.replay.ReplayCommand;
import dev.flinkgru.tools.state.StateCommand;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code bin/flink-gru}: the root command, whose subcommands are the tools. Nothing
 * imports this package; the commands share {@code dev.flinkgru.tools.command}.
 */
@Command(
        name = "flink-gru",
        description = {"Streaming GRU inference for Apache Flink: the command line.", ""},
        commandListHeading = "%nCommands:%n",
        subcommands = {
            DemoCommand.class,
            BenchCommand.class,
            ReplayCommand.class,
            StateCommand.class,
            JobCommand.class,
            KafkaCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Run 'flink-gru <command> --help' for a command's options."})
public final class FlinkGruCli implements Callable<Integer> {

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command and returns the process exit code. */
    public static int run(String[] args) {
        return CommandLines.execute(commandLine(), args);
    }

    /** The command line of {@code flink-gru}, on {@link System#out} and {@link System#err}. */
    public static CommandLine commandLine() {
        return commandLine(System.out, System.err);
    }

    /** The command line of {@code flink-gru}, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine commandLine = CommandLines.create(new FlinkGruCli(), out, err);
        // Everything after the job's name is the job's: its options, and its --help.
        commandLine.getSubcommands().get("job").setStopAtPositional(true);
        return commandLine;
    }

    /** Without a command: the usage, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return CliException.USAGE;
    }
}
