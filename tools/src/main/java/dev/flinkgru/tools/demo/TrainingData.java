package dev.flinkgru.tools.demo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the generators' streams as CSV, so the models are trained on exactly what the demo jobs
 * see. Needs nothing but this module's classes:
 *
 * <pre>
 * java -cp tools/target/classes dev.flinkgru.tools.demo.TrainingData sensor  OUT.csv SEED KEYS STEPS
 * java -cp tools/target/classes dev.flinkgru.tools.demo.TrainingData session OUT.csv SEED KEYS STEPS
 * </pre>
 *
 * <p>{@code sensor} writes {@code key,t,x0,x1,x2,x3} and {@code session} writes {@code key,t,item}:
 * the first {@code STEPS} values of each of the keys {@code 0 .. KEYS-1}, key by key, floats as
 * {@link Float#toString(float)} (they read back as the same float32).
 */
public final class TrainingData {

    private TrainingData() {}

    /** Entry point; see the class comment for the arguments. Exit 2 on bad arguments. */
    public static void main(String[] args) throws IOException {
        if (args.length != 5 || !(args[0].equals("sensor") || args[0].equals("session"))) {
            System.err.println("usage: TrainingData sensor|session OUT.csv SEED KEYS STEPS");
            System.exit(2);
            return;
        }
        Path out = Path.of(args[1]);
        long seed;
        int keys;
        int steps;
        try {
            seed = Long.parseLong(args[2]);
            keys = Integer.parseInt(args[3]);
            steps = Integer.parseInt(args[4]);
        } catch (NumberFormatException e) {
            System.err.println("SEED, KEYS and STEPS must be integers: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (keys <= 0 || steps <= 0) {
            System.err.println("KEYS and STEPS must be greater than 0");
            System.exit(2);
            return;
        }
        try (Writer writer =
                new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            if (args[0].equals("sensor")) {
                writeSensors(writer, seed, keys, steps);
            } else {
                writeSessions(writer, seed, keys, steps);
            }
        }
        System.err.printf(
                "wrote %d rows (%d keys x %d steps) to %s%n",
                (long) keys * steps, keys, steps, out);
    }

    /** Writes {@code key,t,x0..x3} for sensors {@code 0 .. keys-1}, {@code steps} each. */
    static void writeSensors(Writer writer, long seed, int keys, int steps) throws IOException {
        SensorGenerator generator = new SensorGenerator(seed, keys);
        writer.write("key,t");
        for (int f = 0; f < generator.features(); f++) {
            writer.write(",x" + f);
        }
        writer.write('\n');
        StringBuilder line = new StringBuilder(96);
        for (int k = 0; k < keys; k++) {
            String id = generator.sensorId(k);
            for (int t = 0; t < steps; t++) {
                float[] reading = generator.next(k);
                line.setLength(0);
                line.append(id).append(',').append(t);
                for (float v : reading) {
                    line.append(',').append(Float.toString(v));
                }
                writer.append(line).append('\n');
            }
        }
    }

    /** Writes {@code key,t,item} for users {@code 0 .. keys-1}, {@code steps} each. */
    static void writeSessions(Writer writer, long seed, int keys, int steps) throws IOException {
        SessionGenerator generator = new SessionGenerator(seed, keys);
        writer.write("key,t,item\n");
        StringBuilder line = new StringBuilder(32);
        for (int u = 0; u < keys; u++) {
            String id = generator.userId(u);
            for (int t = 0; t < steps; t++) {
                line.setLength(0);
                line.append(id).append(',').append(t).append(',').append(generator.nextItem(u));
                writer.append(line).append('\n');
            }
        }
    }
}
