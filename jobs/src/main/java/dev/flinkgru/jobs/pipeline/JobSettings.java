package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruOptions;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.TimeUtils;

/**
 * A job's configuration: its defaults, then a properties file ({@code --config FILE}), then {@code
 * --key value} arguments, each later source overriding the earlier. Keys are those of {@link
 * KafkaJobOptions} and {@link GruOptions}, and Kafka client properties after {@value
 * KafkaJobOptions#PRODUCER_PREFIX} or {@value KafkaJobOptions#CONSUMER_PREFIX}; an unknown key is
 * an error that names it.
 */
public final class JobSettings {

    private static final String HELP_INDENT = "      ";
    private static final int HELP_WIDTH = 100;

    private JobSettings() {}

    /**
     * Every option a job accepts, by key: those of {@link KafkaJobOptions}, {@link GruOptions} and
     * the job's own {@code optionHolders} (classes of {@code ConfigOption} constants).
     */
    public static Map<String, ConfigOption<?>> knownOptions(Class<?>... optionHolders) {
        Map<String, ConfigOption<?>> known = new TreeMap<>();
        register(known, KafkaJobOptions.class);
        register(known, GruOptions.class);
        for (Class<?> holder : optionHolders) {
            register(known, holder);
        }
        return known;
    }

    private static void register(Map<String, ConfigOption<?>> known, Class<?> holder) {
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    known.put(option.key(), option);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /**
     * Builds the configuration from {@code defaults}, an optional file and the arguments, accepting
     * the options of {@link #knownOptions(Class[])}.
     */
    public static Configuration parse(
            Map<String, String> defaults, String[] args, Class<?>... optionHolders) {
        Map<String, ConfigOption<?>> known = knownOptions(optionHolders);
        Map<String, String> values = new TreeMap<>(defaults);
        Map<String, String> fromArgs = new TreeMap<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalConfigurationException("unexpected argument '" + arg + "'");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalConfigurationException("--" + key + " needs a value");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                configFile = value;
            } else {
                fromArgs.put(key, value);
            }
        }
        if (configFile != null) {
            values.putAll(readProperties(Paths.get(configFile)));
        }
        values.putAll(fromArgs);
        for (String key : values.keySet()) {
            if (!known.containsKey(key) && !KafkaClientProperties.isClientProperty(key)) {
                throw new IllegalConfigurationException("unknown option '" + key + "'; see --help");
            }
        }
        try {
            Configuration config = Configuration.fromMap(values);
            for (ConfigOption<?> option : known.values()) {
                config.getOptional(option); // parses now, so a bad value fails here, named
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage());
        }
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalConfigurationException(
                    "cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name, properties.getProperty(name).trim());
        }
        return values;
    }

    /** The value of a required option, or a usage error naming it. */
    public static <T> T required(Configuration config, ConfigOption<T> option) {
        return config.getOptional(option)
                .orElseThrow(
                        () ->
                                new IllegalConfigurationException(
                                        "option '" + option.key() + "' is required"));
    }

    /**
     * A table of every option, its default and description, for {@code --help}: plain text, each
     * default as it would be given ({@code 10 ms}, {@code 5 s}, not {@code PT0.01S}).
     */
    public static String describe(Map<String, String> defaults, Class<?>... optionHolders) {
        StringBuilder text = new StringBuilder();
        for (ConfigOption<?> option : knownOptions(optionHolders).values()) {
            String fallback =
                    defaults.getOrDefault(
                            option.key(),
                            option.hasDefaultValue() ? format(option.defaultValue()) : "-");
            text.append(String.format("  --%s (default: %s)%n", option.key(), fallback));
            String description =
                    new PlainTextFormatter().format(option.description()).stripTrailing();
            for (String line : description.split("\n", -1)) {
                wrap(text, line, HELP_INDENT, HELP_WIDTH);
            }
        }
        return text.toString();
    }

    /**
     * Appends {@code line} in lines of at most {@code width} characters, each after {@code indent}.
     */
    private static void wrap(StringBuilder text, String line, String indent, int width) {
        int room = width - indent.length();
        String rest = line.strip();
        while (rest.length() > room) {
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= 0) {
                cut = rest.indexOf(' ', room);
                if (cut < 0) {
                    break;
                }
            }
            text.append(indent).append(rest, 0, cut).append('\n');
            rest = rest.substring(cut + 1).stripLeading();
        }
        text.append(indent).append(rest).append('\n');
    }

    /** A default value as a user would write it: durations in their highest whole unit. */
    static String format(Object value) {
        if (value instanceof Duration) {
            return TimeUtils.formatWithHighestUnit((Duration) value);
        }
        return String.valueOf(value);
    }
}
