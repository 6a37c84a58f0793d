package dev.flinkgru.operator;

import dev.flinkgru.operator.predictor.ModelVersions;
import dev.flinkgru.state.ModelFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a subtask's model path ({@code gru.model.watch}) off the task thread: every interval it
 * looks at the file the path stands for ({@link ModelVersions#current}); a file that is new, and
 * unchanged since the last look (so complete), and of other content than the latest model is loaded
 * and probed there, and waits as the candidate until the operator {@link #take}s it at a checkpoint
 * barrier. A file that fails to load is refused with one log line and counted; it is tried again
 * only once it changes.
 */
final class ModelWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);

    /** Opens the model of a file (loads and probes it). */
    @FunctionalInterface
    interface Loader {
        ServedModel load(Path file) throws Exception;
    }

    /** What is told of refused files. */
    @FunctionalInterface
    interface RefusalListener {
        void refused(Path file, Exception reason);
    }

    /** A file as last seen: a change of any part is a new file. */
    private record Seen(Path file, long size, long modifiedMillis, Object fileKey) {}

    private final Path path;
    private final Loader loader;
    private final RefusalListener refusals;
    private final ScheduledExecutorService executor;

    /** Held by one look at a time (the watcher's thread, or a test). */
    private final Object looking = new Object();

    /** Content of the latest model: the one served, or the candidate. Under {@link #looking}. */
    private long latestFingerprint;

    /** The file as seen at the last look, and whether it was dealt with. Under {@link #looking}. */
    private Seen lastSeen;

    private boolean lastSeenHandled;

    /** A loaded model waiting for the next barrier, or null. */
    private ServedModel candidate;

    private boolean closed;

    /**
     * @param path the model file or directory of versions
     * @param servedFingerprint the fingerprint of the model served now
     * @param servedFile the file it was loaded from
     */
    ModelWatcher(
            Path path,
            long servedFingerprint,
            Path servedFile,
            Loader loader,
            RefusalListener refusals,
            String threadName) {
        this.path = path;
        this.latestFingerprint = servedFingerprint;
        this.loader = loader;
        this.refusals = refusals;
        this.lastSeen = see(servedFile);
        this.lastSeenHandled = true;
        this.executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, threadName);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Starts looking every {@code interval}. */
    void start(Duration interval) {
        long millis = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(this::lookSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The candidate, now the caller's to serve and close; null if there is none. */
    synchronized ServedModel take() {
        ServedModel next = candidate;
        candidate = null;
        return next;
    }

    /** The candidate's fingerprint in hex, or "none". */
    synchronized String candidate() {
        return candidate == null ? "none" : ModelFingerprint.toHex(candidate.shape.fingerprint());
    }

    private void lookSafely() {
        try {
            look();
        } catch (Throwable t) {
            LOG.warn("Looking for a new version of the model at {} failed: {}", path, t.toString());
        }
    }

    /** One look: loads a new, complete file. For tests, also called directly. */
    void look() throws Exception {
        synchronized (looking) {
            lookOnce();
        }
    }

    private void lookOnce() throws Exception {
        Seen now;
        try {
            now = see(ModelVersions.current(path));
        } catch (IOException e) {
            return; // in between versions, or being replaced: the next look will tell
        }
        if (!now.equals(lastSeen)) {
            lastSeen = now; // changed since the last look: maybe still being written
            lastSeenHandled = false;
            return;
        }
        if (lastSeenHandled) {
            return;
        }
        lastSeenHandled = true;
        long fingerprint = ModelFingerprint.of(now.file());
        if (fingerprint == latestFingerprint) {
            return;
        }
        ServedModel loaded;
        try {
            loaded = loader.load(now.file());
        } catch (Exception e) {
            LOG.warn(
                    "Refused the new model {} ({}): {}; the model served keeps serving",
                    now.file(),
                    ModelFingerprint.toHex(fingerprint),
                    oneLine(e));
            refusals.refused(now.file(), e);
            return;
        }
        LOG.info(
                "Loaded the new model {}: {}; it takes effect at the next checkpoint barrier",
                now.file(),
                loaded.explain());
        ServedModel superseded;
        synchronized (this) {
            if (closed) {
                superseded = loaded;
            } else {
                superseded = candidate;
                candidate = loaded;
                latestFingerprint = fingerprint;
            }
        }
        if (superseded != null) {
            superseded.close();
        }
    }

    private static Seen see(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Seen(
                    file,
                    attributes.size(),
                    attributes.lastModifiedTime().toMillis(),
                    attributes.fileKey());
        } catch (IOException e) {
            return new Seen(file, -1, -1, null);
        }
    }

    /** The first line of each message down the causes (an engine's traceback left out). */
    private static String oneLine(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null && line.length() < 1000; t = t.getCause()) {
            String first = firstLine(Objects.toString(t.getMessage(), t.getClass().getName()));
            if (!line.toString().contains(first)) {
                line.append(line.length() == 0 ? "" : ": ").append(first);
            }
        }
        return line.toString();
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).trim();
    }

    /** Stops looking and closes a candidate not taken. */
    @Override
    public void close() throws Exception {
        executor.shutdownNow();
        executor.awaitTermination(1, TimeUnit.MINUTES);
        ServedModel left;
        synchronized (this) {
            closed = true;
            left = candidate;
            candidate = null;
        }
        if (left != null) {
            left.close();
        }
    }
}
