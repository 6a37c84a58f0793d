package dev.flinkgru.operator.predictor;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One ONNX Runtime session per JVM, model file and thread settings, shared by the operator subtasks
 * of that JVM (a TaskManager), like {@link SharedModels} for TorchScript. {@code OrtSession.run} is
 * thread-safe; each subtask takes a lease ({@link SharedLeases}) and keeps its own tensors. The
 * session is closed when the last lease is returned.
 */
final class OnnxSessions {

    private static final SharedLeases<OrtSession> SESSIONS =
            new SharedLeases<>("ONNX session", OrtSession::close);

    private OnnxSessions() {}

    /** ONNX Runtime's environment: one per JVM, logging errors only; created on first use. */
    static OrtEnvironment environment() {
        return Environment.INSTANCE;
    }

    private static final class Environment {
        static final OrtEnvironment INSTANCE =
                OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "flink-gru");
    }

    /**
     * Takes a lease on the session of the model at {@code path}, creating it if needed.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
     * @param interOpThreads ONNX Runtime inter-op threads, 0 for its default
     */
    static SharedLeases.Lease<OrtSession> acquire(
            Path path, long fingerprint, int intraOpThreads, int interOpThreads)
            throws IOException {
        String id =
                path.toAbsolutePath().normalize()
                        + "@"
                        + Long.toHexString(fingerprint)
                        + "/threads="
                        + intraOpThreads
                        + ","
                        + interOpThreads;
        return SESSIONS.acquire(id, () -> load(path, intraOpThreads, interOpThreads));
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
