package dev.flinkgru.operator.predictor;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session per JVM, model file and thread settings, shared by the operator subtasks
 * of that JVM (a TaskManager), like {@link SharedModels} for TorchScript. {@code OrtSession.run} is
 * thread-safe; each subtask takes a {@link Lease} and keeps its own tensors. The session is closed
 * when the last lease is returned.
 */
final class OnnxSessions {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);

    private static final Map<String, Entry> SESSIONS = new HashMap<>();

    private OnnxSessions() {}

    /** ONNX Runtime's environment: one per JVM, logging errors only; created on first use. */
    static OrtEnvironment environment() {
        return Environment.INSTANCE;
    }

    private static final class Environment {
        static final OrtEnvironment INSTANCE =
                OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "flink-gru");
    }

    /** A subtask's hold on a shared session; closing it returns the hold. */
    static final class Lease implements AutoCloseable {
        private final String id;
        private final OrtSession session;
        private boolean returned;

        private Lease(String id, OrtSession session) {
            this.id = id;
            this.session = session;
        }

        OrtSession session() {
            return session;
        }

        @Override
        public void close() throws OrtException {
            synchronized (SESSIONS) {
                if (returned) {
                    return;
                }
                returned = true;
                Entry entry = SESSIONS.get(id);
                if (entry != null && --entry.leases == 0) {
                    SESSIONS.remove(id);
                    LOG.info("Closing shared ONNX session {}", id);
                    entry.session.close();
                }
            }
        }
    }

    private static final class Entry {
        final OrtSession session;
        int leases;

        Entry(OrtSession session) {
            this.session = session;
        }
    }

    /**
     * Takes a lease on the session of the model at {@code path}, creating it if needed.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
     * @param interOpThreads ONNX Runtime inter-op threads, 0 for its default
     */
    static Lease acquire(Path path, long fingerprint, int intraOpThreads, int interOpThreads)
            throws IOException {
        String id =
                path.toAbsolutePath().normalize()
                        + "@"
                        + Long.toHexString(fingerprint)
                        + "/threads="
                        + intraOpThreads
                        + ","
                        + interOpThreads;
        synchronized (SESSIONS) {
            Entry entry = SESSIONS.get(id);
            if (entry == null) {
                entry = new Entry(load(path, intraOpThreads, interOpThreads));
                SESSIONS.put(id, entry);
                LOG.info("Loaded shared ONNX session {}", id);
            }
            entry.leases++;
            return new Lease(id, entry.session);
        }
    }

    private static OrtSession load(Path path, int intraOpThreads, int interOpThreads)
            throws IOException {
        SharedModels.requireModelFile(path);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            if (interOpThreads > 0) {
                options.setInterOpNumThreads(interOpThreads);
            }
            return environment().createSession(path.toString(), options);
        } catch (OrtException | RuntimeException e) {
            String format;
            try {
                format =
                        ModelFormat.of(path) == ModelFormat.TORCHSCRIPT
                                ? " (it is a TorchScript archive: use "
                                        + PredictorOptions.PREDICTOR_BACKEND.key()
                                        + " torchscript or auto)"
                                : "";
            } catch (IOException neither) {
                format = " (" + neither.getMessage() + ")";
            }
            throw new IOException(
                    "Cannot load ONNX model " + path + ": " + EngineErrors.reason(e) + format, e);
        }
    }
}
