package dev.flinkgru.tools.io;

import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.command.CliException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * The manifest of a savepoint directory D that {@code replay --resume D} starts from: the file
 * {@value #FILE_NAME} in D, next to the Flink savepoint it names. {@code replay --stop-after N
 * --savepoint-dir D} and {@code state bootstrap --savepoint-out D} write it.
 *
 * <p>The resume rule: a resumed run skips the first {@link #skipRows} data rows of its events file.
 * {@code replay --stop-after} records the rows its runs consumed so far (rejected rows included);
 * {@code state bootstrap} records 0, because its history is not part of the file that follows.
 *
 * @param savepoint the Flink savepoint directory (the one holding {@code _metadata})
 * @param origin {@code replay} or {@code bootstrap}
 * @param skipRows data rows of the events file that a resumed run skips
 * @param events events that advanced the states in the savepoint, all runs together
 * @param modelFingerprint fingerprint of the model that computed the states
 * @param hiddenSize H of that model
 * @param layers L of that model
 * @param parallelism parallelism of the run that wrote the savepoint
 * @param maxParallelism max parallelism (key groups) of the keyed state
 * @param operatorUid uid of the GRU operator whose states the savepoint holds
 * @param waiting events that wait in the savepoint for the watermark ({@code --order event-time}),
 *     all runs together: they advanced no state yet
 */
public record ReplaySavepoint(
        Path savepoint,
        String origin,
        long skipRows,
        long events,
        long modelFingerprint,
        int hiddenSize,
        int layers,
        int parallelism,
        int maxParallelism,
        String operatorUid,
        long waiting) {

    /** A manifest of a savepoint where no event waits for the watermark. */
    public ReplaySavepoint(
            Path savepoint,
            String origin,
            long skipRows,
            long events,
            long modelFingerprint,
            int hiddenSize,
            int layers,
            int parallelism,
            int maxParallelism,
            String operatorUid) {
        this(
                savepoint,
                origin,
                skipRows,
                events,
                modelFingerprint,
                hiddenSize,
                layers,
                parallelism,
                maxParallelism,
                operatorUid,
                0);
    }

    /** Name of the manifest file in a savepoint directory. */
    public static final String FILE_NAME = "flink-gru-savepoint.properties";

    /** Name of the file that marks a Flink savepoint (or checkpoint) directory. */
    public static final String METADATA = "_metadata";

    /**
     * Max parallelism of the replay job and of bootstrapped savepoints: Flink's default for
     * parallelism up to 85, which is what the Kafka jobs get, so their savepoints interchange.
     */
    public static final int MAX_PARALLELISM = 128;

    /** Origin of savepoints written by {@code replay --stop-after}. */
    public static final String REPLAY = "replay";

    /** Origin of savepoints written by {@code state bootstrap}. */
    public static final String BOOTSTRAP = "bootstrap";

    /** Origin of savepoints written by {@code state rewarm}. */
    public static final String REWARM = "rewarm";

    /** Whether {@code dir} holds a manifest. */
    public static boolean isManifestDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /** Whether {@code dir} is a Flink savepoint directory itself. */
    public static boolean isFlinkSavepoint(Path dir) {
        return Files.isRegularFile(dir.resolve(METADATA));
    }

    /**
     * The manifest in {@code dir}, checked; a {@link CliException} saying what is wrong if {@code
     * dir} is not such a savepoint directory.
     */
    public static ReplaySavepoint load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw CliException.failure(dir + " is not a directory");
        }
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw CliException.failure(
                    dir
                            + " is not a flink-gru savepoint directory: it has no "
                            + FILE_NAME
                            + " (write one with replay --stop-after N --savepoint-dir D"
                            + " or state bootstrap --savepoint-out D)");
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.failure("cannot read " + file + ": " + e.getMessage());
        }
        Path savepoint = dir.resolve(required(p, file, "savepoint")).normalize();
        if (!isFlinkSavepoint(savepoint)) {
            throw CliException.failure(
                    file + " names " + savepoint + ", which is no Flink savepoint (no _metadata)");
        }
        try {
            return new ReplaySavepoint(
                    savepoint,
                    required(p, file, "origin"),
                    Long.parseLong(required(p, file, "skip-rows")),
                    Long.parseLong(required(p, file, "events")),
                    ModelFingerprint.fromHex(required(p, file, "model")),
                    Integer.parseInt(required(p, file, "hidden-size")),
                    Integer.parseInt(required(p, file, "layers")),
                    Integer.parseInt(required(p, file, "parallelism")),
                    Integer.parseInt(required(p, file, "max-parallelism")),
                    required(p, file, "operator-uid"),
                    Long.parseLong(p.getProperty("waiting", "0")));
        } catch (NumberFormatException e) {
            throw CliException.failure(file + " is damaged: " + e.getMessage());
        }
    }

    /** Writes this manifest into {@code dir}, naming the savepoint relative to it if inside. */
    public void write(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        Path target = savepoint.toAbsolutePath().normalize();
        String location =
                target.startsWith(base) ? base.relativize(target).toString() : target.toString();
        String text =
                String.join(
                        "\n",
                        "# flink-gru savepoint: resume with flink-gru replay --resume <this dir>,"
                                + " read with flink-gru state export|inspect.",
                        "# savepoint: the Flink savepoint (relative to this file's directory);"
                                + " skip-rows: data rows of --events that --resume skips.",
                        "savepoint=" + escape(location),
                        "origin=" + origin,
                        "skip-rows=" + skipRows,
                        "events=" + events,
                        "model=" + ModelFingerprint.toHex(modelFingerprint),
                        "hidden-size=" + hiddenSize,
                        "layers=" + layers,
                        "parallelism=" + parallelism,
                        "max-parallelism=" + maxParallelism,
                        "operator-uid=" + operatorUid,
                        "waiting=" + waiting,
                        "");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(FILE_NAME), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failure("cannot write " + dir.resolve(FILE_NAME) + ": " + e);
        }
    }

    /**
     * Fails with one line unless the states were computed by a model of H={@code hidden}, L={@code
     * layers}.
     */
    public void checkSizes(Path dir, int hidden, int layers) {
        if (hidden != hiddenSize || layers != this.layers) {
            throw CliException.failure(
                    String.format(
                            "%s holds states of H=%d, L=%d (%d values per key), but --hidden-size"
                                    + " %d --layers %d means %d",
                            dir,
                            hiddenSize,
                            this.layers,
                            hiddenSize * this.layers,
                            hidden,
                            layers,
                            hidden * layers));
        }
    }

    /** Fails with one line unless the states were computed by the model of {@code fingerprint}. */
    public void checkModel(Path dir, String model, long fingerprint) {
        if (fingerprint != modelFingerprint) {
            throw CliException.failure(
                    String.format(
                            "%s holds states of model %s, but --model %s is %s; resume with the"
                                    + " model that computed them",
                            dir,
                            ModelFingerprint.toHex(modelFingerprint),
                            model,
                            ModelFingerprint.toHex(fingerprint)));
        }
    }

    /** The local path of a savepoint location as Flink reports it ({@code file:/...} or a path). */
    public static Path localPath(String location) {
        return Paths.get(new org.apache.flink.core.fs.Path(location).toUri().getPath());
    }

    private static String required(Properties p, Path file, String name) {
        String value = p.getProperty(name);
        if (value == null || value.isBlank()) {
            throw CliException.failure(file + " is damaged: '" + name + "' is missing");
        }
        return value.trim();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }
}
