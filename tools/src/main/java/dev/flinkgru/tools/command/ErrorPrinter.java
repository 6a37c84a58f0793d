package dev.flinkgru.tools.command;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.IllegalConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where the command line reports an error: {@code flink-gru <command>: <message>} on
 * stderr, and the exit code. Bad usage (an unknown option, a missing or malformed value, a {@link
 * CliException#usage}) exits {@value CliException#USAGE} with a hint at {@code --help}; a failure
 * exits {@value CliException#FAILURE} (or a {@link CliException}'s own code), in one line.
 *
 * <p>Library messages name option keys ({@code gru.model.hidden-size is 32 but ...}); where the
 * command maps a flag onto that key ({@link ConfigFlags}), the message names the flag instead:
 * {@code --hidden-size is 32 but ...}.
 */
public final class ErrorPrinter implements IParameterExceptionHandler, IExecutionExceptionHandler {

    private static final Pattern EXPECTED_VALUE =
            Pattern.compile(
                    "(?:Expected parameter|Missing required parameter) for option '([^']+)'");

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        print(commandLine, usageMessage(e));
        hint(commandLine);
        return CliException.USAGE;
    }

    @Override
    public int handleExecutionException(
            Exception e, CommandLine commandLine, ParseResult parseResult) {
        if (e instanceof ParameterException) {
            return handleParseException((ParameterException) e, new String[0]);
        }
        if (e instanceof CliException) {
            CliException cli = (CliException) e;
            print(commandLine, cli.getMessage());
            if (cli.exitCode() == CliException.USAGE) {
                hint(commandLine);
            }
            return cli.exitCode();
        }
        if (e instanceof IllegalConfigurationException) {
            // A configuration the command built from its flags, or a job's options: bad usage.
            print(commandLine, e.getMessage());
            return CliException.USAGE;
        }
        print(commandLine, describe(e));
        return CliException.FAILURE;
    }

    /** The message of a picocli parse error, in this command line's words. */
    static String usageMessage(ParameterException e) {
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (!(e instanceof UnmatchedArgumentException) && !unmatched.isEmpty()) {
            // An unknown option says more than the required ones it hides, so it goes first.
            return unmatchedMessage(new UnmatchedArgumentException(e.getCommandLine(), unmatched));
        }
        if (e.getCause() instanceof TypeConversionException && e.getArgSpec() != null) {
            return name(e.getArgSpec()) + " " + e.getCause().getMessage();
        }
        Matcher expected = EXPECTED_VALUE.matcher(String.valueOf(e.getMessage()));
        if (expected.find()) {
            return expected.group(1) + " needs a value";
        }
        if (e instanceof MissingParameterException) {
            List<String> missing = new ArrayList<>();
            for (ArgSpec spec : ((MissingParameterException) e).getMissing()) {
                missing.add(name(spec));
            }
            if (missing.size() == 1) {
                return missing.get(0) + " is required";
            }
            if (!missing.isEmpty()) {
                return String.join(", ", missing.subList(0, missing.size() - 1))
                        + " and "
                        + missing.get(missing.size() - 1)
                        + " are required";
            }
        }
        if (e instanceof UnmatchedArgumentException
                && !((UnmatchedArgumentException) e).getUnmatched().isEmpty()) {
            return unmatchedMessage((UnmatchedArgumentException) e);
        }
        String message = String.valueOf(e.getMessage());
        return message.isEmpty()
                ? message
                : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static String unmatchedMessage(UnmatchedArgumentException e) {
        String arg = e.getUnmatched().get(0);
        String message;
        if (arg.startsWith("-")) {
            int eq = arg.indexOf('=');
            message = "unknown option " + (eq > 0 ? arg.substring(0, eq) : arg);
        } else if (!e.getCommandLine().getSubcommands().isEmpty()) {
            message =
                    "unknown command '"
                            + arg
                            + "'; expected "
                            + String.join(", ", e.getCommandLine().getSubcommands().keySet());
            return message;
        } else {
            message = "unexpected argument '" + arg + "'";
        }
        List<String> suggestions = e.getSuggestions();
        if (!suggestions.isEmpty()) {
            message += " (did you mean " + String.join(" or ", suggestions) + "?)";
        }
        return message;
    }

    private static String name(ArgSpec spec) {
        if (spec instanceof OptionSpec) {
            return ((OptionSpec) spec).longestName();
        }
        return spec.paramLabel();
    }

    /**
     * One line for an unexpected exception: its message and, where another exception lies beneath,
     * the first line of the deepest one's.
     */
    static String describe(Throwable e) {
        String line = firstLine(e.toString());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            line += " (cause: " + firstLine(root.toString()) + ")";
        }
        return line;
    }

    /**
     * The first line of the message that says what went wrong: that of the first {@link
     * IllegalArgumentException} or {@link IOException} in the cause chain, else {@code e}'s own.
     */
    public static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IOException) {
                message = t.getMessage();
                break;
            }
        }
        return message == null ? e.toString() : firstLine(message);
    }

    /**
     * {@code message} with each key of {@code flagsByKey} that stands as a whole word replaced by
     * its flag: {@code gru.model.hidden-size is 32} becomes {@code --hidden-size is 32}.
     */
    public static String translate(String message, Map<String, String> flagsByKey) {
        if (message == null || flagsByKey.isEmpty()) {
            return message;
        }
        List<String> keys = new ArrayList<>(flagsByKey.keySet());
        keys.sort(Comparator.comparingInt(String::length).reversed());
        String text = message;
        for (String key : keys) {
            text =
                    Pattern.compile("(?<![\\w.-])" + Pattern.quote(key) + "(?![\\w-])")
                            .matcher(text)
                            .replaceAll(Matcher.quoteReplacement(flagsByKey.get(key)));
        }
        return text;
    }

    /** The flags that {@code commandLine}'s command and its mixins map onto option keys. */
    static Map<String, String> flagsByKey(CommandLine commandLine) {
        Map<String, String> flags = new LinkedHashMap<>();
        CommandSpec spec = commandLine.getCommandSpec();
        if (spec.userObject() instanceof ConfigFlags) {
            flags.putAll(((ConfigFlags) spec.userObject()).flagsByKey());
        }
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof ConfigFlags) {
                flags.putAll(((ConfigFlags) mixin.userObject()).flagsByKey());
            }
        }
        return flags;
    }

    /** {@code flink-gru state export}: the command's full name. */
    static String commandName(CommandLine commandLine) {
        String name = commandLine.getCommandSpec().qualifiedName(" ");
        return name.startsWith("flink-gru") ? name : "flink-gru " + name;
    }

    private static void print(CommandLine commandLine, String message) {
        PrintWriter err = commandLine.getErr();
        err.println(commandName(commandLine) + ": " + translate(message, flagsByKey(commandLine)));
        err.flush();
    }

    private static void hint(CommandLine commandLine) {
        PrintWriter err = commandLine.getErr();
        err.println("See '" + commandName(commandLine) + " --help'.");
        err.flush();
    }

    private static String firstLine(String text) {
        return text.split("\n", 2)[0];
    }
}
