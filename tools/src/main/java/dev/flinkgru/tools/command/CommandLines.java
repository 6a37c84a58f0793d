package dev.flinkgru.tools.command;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds the picocli {@link CommandLine} of a command the way every {@code flink-gru} command runs:
 * {@code -h, --help} on every command, the converters of {@link Converters}, the one error printer
 * {@link ErrorPrinter}, the last value of a repeated flag wins, no {@code @file} expansion, and
 * usage help at a fixed width.
 */
public final class CommandLines {

    /** Width of the usage help. */
    public static final int USAGE_WIDTH = 100;

    private CommandLines() {}

    /** {@code command}'s command line, printing to {@link System#out} and {@link System#err}. */
    public static CommandLine create(Object command) {
        return create(command, System.out, System.err);
    }

    /** {@code command}'s command line, printing to {@code out} and {@code err}. */
    public static CommandLine create(Object command, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(command);
        addHelpOption(commandLine);
        Converters.register(commandLine);
        ErrorPrinter errors = new ErrorPrinter();
        commandLine
                .setOut(writer(out))
                .setErr(writer(err))
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setUsageHelpWidth(USAGE_WIDTH)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
        return commandLine;
    }

    /** Runs {@code args} on {@code commandLine} and returns the exit code. */
    public static int execute(CommandLine commandLine, String... args) {
        try {
            return commandLine.execute(args);
        } finally {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }

    /** Gives {@code commandLine} and every subcommand {@code -h, --help}, unless it has one. */
    private static void addHelpOption(CommandLine commandLine) {
        CommandSpec spec = commandLine.getCommandSpec();
        if (spec.findOption("--help") == null && spec.findOption("-h") == null) {
            spec.addOption(
                    OptionSpec.builder("-h", "--help")
                            .usageHelp(true)
                            .description("Shows this help and exits.")
                            .build());
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            addHelpOption(sub);
        }
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(stream, true);
    }
}
