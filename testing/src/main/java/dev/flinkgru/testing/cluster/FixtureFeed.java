package dev.flinkgru.testing.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A torch fixture of {@code models/make_fixtures.py} (model, events, torch's outputs) as an endless
 * stream of sensor readings: round r replays every event of the fixture under keys of round r's
 * own, so that each key's forecasts must equal torch's over the fixture key's sequence, however
 * many rounds run. Keys come in many shapes (plain, non-ASCII, emoji and spaces, quotes and commas,
 * long); event times are realistic: a third of the sensors backfill history from six years ago (a
 * reading a minute), the others are live (the time the reading is produced).
 */
final class FixtureFeed {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How far back the backfilling sensors start. */
    static final Duration BACKFILL = Duration.ofDays(6 * 365);

    final Path model;
    final int features;
    final int hidden;
    final int layers;
    final int outputs;

    /** Rows of events.csv: seq, key, x0..x{F-1}. */
    private final List<String[]> events;

    /** Torch's outputs by seq. */
    private final Map<Long, float[]> expected = new LinkedHashMap<>();

    private final long historyStart;

    /** The id ({@code round * events + seq}) of each reading produced, by "sensor@ts". */
    private final Map<String, Long> idByReading = new ConcurrentHashMap<>();

    /** The last event time given to each live sensor, so a sensor's times rise strictly. */
    private final Map<String, Long> lastLiveTs = new HashMap<>();

    private FixtureFeed(Path dir, long now) throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("meta.properties"))) {
            meta.load(in);
        }
        model = dir.resolve("model.pt").toAbsolutePath();
        features = Integer.parseInt(meta.getProperty("features"));
        hidden = Integer.parseInt(meta.getProperty("hidden"));
        layers = Integer.parseInt(meta.getProperty("layers"));
        outputs = Integer.parseInt(meta.getProperty("outputs"));
        events = rows(dir.resolve("events.csv"));
        for (String[] row : rows(dir.resolve("expected.csv"))) {
            float[] y = new float[outputs];
            for (int i = 0; i < outputs; i++) {
                y[i] = Float.parseFloat(row[2 + i]);
            }
            expected.put(Long.parseLong(row[0]), y);
        }
        historyStart = now - BACKFILL.toMillis();
    }

    static FixtureFeed load(Path dir) {
        try {
            return new FixtureFeed(dir, System.currentTimeMillis());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "Cannot read the torch fixture in " + dir + ": " + e, e);
        }
    }

    /** Events in one round. */
    int eventsPerRound() {
        return events.size();
    }

    /** Torch's output for the reading of {@code id}. */
    float[] expected(long id) {
        return expected.get(id % events.size());
    }

    /** The id of the reading of {@code sensor} at {@code ts}, or null if none was produced. */
    Long idOf(String sensor, long ts) {
        return idByReading.get(sensor + "@" + ts);
    }

    /** Readings produced so far. */
    int produced() {
        return idByReading.size();
    }

    /**
     * Reading {@code index} of round {@code round} as (Kafka key, JSON value), its event time given
     * now.
     */
    String[] reading(int round, int index) {
        String[] row = events.get(index);
        long seq = Long.parseLong(row[0]);
        String sensor = key(round, row[1]);
        long ts;
        if (Math.floorMod(row[1].hashCode(), 3) == 0) {
            ts = historyStart + seq * 60_000 + round; // a backfill: one reading a minute
        } else {
            synchronized (lastLiveTs) {
                long last = lastLiveTs.getOrDefault(sensor, Long.MIN_VALUE);
                ts = Math.max(System.currentTimeMillis(), last + 1);
                lastLiveTs.put(sensor, ts);
            }
        }
        ObjectNode value = JSON.createObjectNode();
        value.put("sensor", sensor);
        value.put("ts", ts);
        ArrayNode x = value.putArray("values");
        for (int i = 0; i < features; i++) {
            x.add(Float.parseFloat(row[2 + i]));
        }
        if (idByReading.put(sensor + "@" + ts, (long) round * events.size() + seq) != null) {
            throw new IllegalStateException("two readings of " + sensor + " at " + ts);
        }
        return new String[] {sensor, value.toString()};
    }

    /** The sensor of fixture key {@code key} in round {@code round}: keys of many shapes. */
    static String key(int round, String key) {
        switch (round % 5) {
            case 0:
                return key + "-r" + round;
            case 1:
                return "werk/straße-ü/" + key + "/" + round;
            case 2:
                return "\uD83C\uDF21\uFE0F " + key + " #" + round;
            case 3:
                return "site \"north\", line 7; " + key + ";" + round;
            default:
                return ("plant-" + round + "-").repeat(24) + key;
        }
    }

    private static List<String[]> rows(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                rows.add(line.split(","));
            }
        }
        return rows;
    }
}
