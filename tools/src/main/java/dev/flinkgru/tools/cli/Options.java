package dev.flinkgru.tools.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options and {@code --flag}s of one subcommand. Unknown options, missing
 * values and malformed numbers are usage errors that name the option.
 */
public final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();

    private Options() {}

    /**
     * Parses {@code args}; {@code valued} are the options that take a value, {@code flags} those
     * that do not.
     */
    public static Options parse(String[] args, Set<String> valued, Set<String> flags) {
        Options options = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw CliException.usage("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && value == null) {
                options.values.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw CliException.usage("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                options.values.put(name, value);
            } else {
                throw CliException.usage("unknown option --" + name);
            }
        }
        return options;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw CliException.usage("--" + name + " is required");
        }
        return value;
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int requiredInt(String name) {
        return toInt(name, required(name));
    }

    public int getInt(String name, int fallback) {
        return has(name) ? toInt(name, values.get(name)) : fallback;
    }

    public long getLong(String name, long fallback) {
        if (!has(name)) {
            return fallback;
        }
        try {
            return Long.parseLong(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(
                    "--" + name + " must be an integer, was '" + values.get(name) + "'");
        }
    }

    /** A duration like {@code 60s}, {@code 250ms}, {@code 5m}; a bare number is milliseconds. */
    public Duration getDuration(String name, Duration fallback) {
        return has(name) ? toDuration(name, values.get(name)) : fallback;
    }

    private static int toInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("--" + name + " must be an integer, was '" + value + "'");
        }
    }

    static Duration toDuration(String name, String value) {
        String v = value.trim().toLowerCase();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                return Duration.ofMillis(
                        Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            } else if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            } else if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofMillis(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw CliException.usage(
                    "--" + name + " must be a duration like 250ms, 60s or 5m, was '" + value + "'");
        }
    }
}
