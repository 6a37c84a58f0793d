package dev.flinkgru.jobs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates sensor readings that are malformed by construction, each in one of many ways
 * (truncated, garbage, missing or mistyped fields, wrong value counts, non-finite or non-numeric
 * values, duplicate keys, trailing tokens), often on keys that also have valid readings.
 */
public final class MalformedReadings {

    private final SplittableRandom random;
    private final int features;
    private final List<String> keys;

    public MalformedReadings(long seed, int features, List<String> keys) {
        this.random = new SplittableRandom(seed);
        this.features = features;
        this.keys = keys;
    }

    /** {@code count} malformed records as (key, value). */
    public List<String[]> generate(int count) {
        List<String[]> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = keys.get(random.nextInt(keys.size()));
            records.add(new String[] {key, next(key)});
        }
        return records;
    }

    private String next(String key) {
        long ts = random.nextLong(1, 1L << 40);
        String values = values(features);
        switch (random.nextInt(12)) {
            case 0: // truncated anywhere before the closing brace
                String valid = reading(q(key), Long.toString(ts), values);
                return valid.substring(0, random.nextInt(valid.length() - 1));
            case 1: // garbage that is not a JSON object
                return garbage();
            case 2: // a field missing
                return missing(key, ts, values);
            case 3: // sensor not a string, or empty
                return reading(random.nextBoolean() ? "17" : "\"\"", Long.toString(ts), values);
            case 4: // ts not an integer
                return reading(q(key), pick("1.5", "\"soon\"", "null", "[1]", "1e3"), values);
            case 5: // too few or too many values
                int n =
                        random.nextBoolean()
                                ? random.nextInt(features)
                                : features + 1 + random.nextInt(3);
                return reading(q(key), Long.toString(ts), values(n));
            case 6: // a value beyond float32 or double range
                return reading(
                        q(key),
                        Long.toString(ts),
                        withValue(pick("1e39", "-3.5e38", "1e400", "-1e999")));
            case 7: // a value that is no number
                return reading(
                        q(key),
                        Long.toString(ts),
                        withValue(pick("\"1\"", "null", "true", "[]", "{}")));
            case 8: // values not an array
                return reading(q(key), Long.toString(ts), null)
                        .replace(
                                "\"values\":null",
                                "\"values\":" + pick("\"1,2,3\"", "{\"a\":1}", "7", "null"));
            case 9: // a duplicate field
                return "{\"sensor\":"
                        + q(key)
                        + ",\"sensor\":\"other\",\"ts\":"
                        + ts
                        + ",\"values\":["
                        + values
                        + "]}";
            case 10: // trailing tokens after the object
                return reading(q(key), Long.toString(ts), values) + pick(" x", "}", "{}", ",");
            default: // not an object at all: an array or a scalar
                return pick("[" + values + "]", "\"" + key + "\"", "42", "null", "true");
        }
    }

    private static String reading(String sensor, String ts, String values) {
        return "{\"sensor\":"
                + sensor
                + ",\"ts\":"
                + ts
                + ",\"values\":"
                + (values == null ? "null" : "[" + values + "]")
                + "}";
    }

    private String missing(String key, long ts, String values) {
        switch (random.nextInt(3)) {
            case 0:
                return "{\"ts\":" + ts + ",\"values\":[" + values + "]}";
            case 1:
                return "{\"sensor\":" + q(key) + ",\"values\":[" + values + "]}";
            default:
                return "{\"sensor\":" + q(key) + ",\"ts\":" + ts + "}";
        }
    }

    private String values(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append((float) (random.nextDouble() * 4 - 2));
        }
        return s.toString();
    }

    private String withValue(String bad) {
        String[] parts = values(features).split(",");
        parts[random.nextInt(parts.length)] = bad;
        return String.join(",", parts);
    }

    private String garbage() {
        StringBuilder s = new StringBuilder();
        int length = 1 + random.nextInt(40);
        for (int i = 0; i < length; i++) {
            char c = (char) (32 + random.nextInt(95));
            s.append(
                    i == 0
                                    && (c == '{'
                                            || c == '['
                                            || c == '"'
                                            || c == '-'
                                            || Character.isDigit(c)
                                            || c == 't'
                                            || c == 'f'
                                            || c == 'n')
                            ? '#'
                            : c);
        }
        return s.toString();
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }
}
