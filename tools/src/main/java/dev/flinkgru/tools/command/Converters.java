package dev.flinkgru.tools.command;

import dev.flinkgru.operator.EventOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The value types of the command line's flags. A value that does not convert is a usage error; its
 * message completes "{@code --flag }", e.g. {@code --port must be an integer, was 'x'}.
 */
public final class Converters {

    private Converters() {}

    /** Registers the converters on {@code commandLine} and the subcommands it has now. */
    public static void register(CommandLine commandLine) {
        commandLine
                .registerConverter(Integer.class, Converters::toInt)
                .registerConverter(int.class, Converters::toInt)
                .registerConverter(Long.class, Converters::toLong)
                .registerConverter(long.class, Converters::toLong)
                .registerConverter(Duration.class, Converters::toDuration)
                .registerConverter(IntList.class, Converters::toIntList)
                .registerConverter(EventOrder.class, Converters::toOrder);
    }

    /** An integer, surrounding blanks allowed. */
    public static int toInt(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be an integer, was '" + value + "'");
        }
    }

    /** A long integer, surrounding blanks allowed. */
    public static long toLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be an integer, was '" + value + "'");
        }
    }

    /**
     * A duration like {@code 60s}, {@code 1.5s}, {@code 250ms}, {@code 5m} or {@code 2h}; a bare
     * number is milliseconds.
     */
    public static Duration toDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
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
            throw new TypeConversionException(
                    "must be a duration like 250ms, 60s or 5m, was '" + value + "'");
        }
    }

    /** {@code arrival} or {@code event-time} (the option values ARRIVAL, EVENT_TIME too). */
    public static EventOrder toOrder(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return EventOrder.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("must be arrival or event-time, was '" + value + "'");
        }
    }

    /** The flag value of {@code order}: {@code arrival} or {@code event-time}. */
    public static String flagValue(EventOrder order) {
        return order.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A comma-separated list of integers, e.g. {@code 64,256,1024}. */
    public static IntList toIntList(String value) {
        List<Integer> values = new ArrayList<>();
        try {
            for (String part : value.split(",", -1)) {
                values.add(Integer.parseInt(part.trim()));
            }
        } catch (NumberFormatException e) {
            throw new TypeConversionException(
                    "must be a comma-separated list of integers, was '" + value + "'");
        }
        return new IntList(values);
    }

    /**
     * The value of a flag that takes a comma-separated list of integers.
     *
     * @param values the integers, in the order given
     */
    public record IntList(List<Integer> values) {

        public IntList {
            values = List.copyOf(values);
        }

        /** The values as an array. */
        public int[] toArray() {
            return values.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            for (int v : values) {
                s.append(s.length() == 0 ? "" : ",").append(v);
            }
            return s.toString();
        }
    }
}
