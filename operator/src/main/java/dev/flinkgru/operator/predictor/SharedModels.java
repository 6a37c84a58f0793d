package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One loaded TorchScript model per JVM, model file and device, shared by the operator subtasks of
 * that JVM (a TaskManager). Each subtask takes a lease ({@link SharedLeases}) and makes its own DJL
 * predictor from it; the model is closed when the last lease is returned.
 */
final class SharedModels {

    private static final SharedLeases<Model> MODELS =
            new SharedLeases<>("TorchScript model", Model::close);

    private SharedModels() {}

    /** Takes a lease on the model at {@code path} on {@code device}, loading it if needed. */
    static SharedLeases.Lease<Model> acquire(Path path, long fingerprint, Device device)
            throws IOException {
        String id =
                path.toAbsolutePath().normalize()
                        + "@"
                        + Long.toHexString(fingerprint)
                        + "/"
                        + device;
        return MODELS.acquire(id, () -> load(path, device));
    }

    /** Loads a TorchScript file with DJL's PyTorch engine, mapped to {@code device}. */
    static Model load(Path path, Device device) throws IOException {
        requireModelFile(path);
        Model model = Model.newInstance("gru", device, "PyTorch");
        try {
            model.load(path, null, Map.of("mapLocation", "true"));
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            String message = String.valueOf(e.getMessage()).trim().split("\n", 2)[0];
            String format;
            try {
                format =
                        ModelFormat.of(path) == ModelFormat.ONNX
                                ? " (it is an ONNX model: use "
                                        + PredictorOptions.PREDICTOR_BACKEND.key()
                                        + " onnx or auto)"
                                : "";
            } catch (IOException neither) {
                format = " (" + neither.getMessage() + ")";
            }
            throw new IOException(
                    "Cannot load TorchScript model " + path + ": " + message + format, e);
        }
    }

    /** Fails with "Model file not found" unless {@code path} is a readable file. */
    static void requireModelFile(Path path) throws IOException {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IOException("Model file not found: " + path);
        }
    }

    /**
     * Sets PyTorch's thread counts: inter-op only takes effect before the engine first starts in
     * this JVM (a value given later is ignored with a warning), intra-op at any time.
     */
    static void configureThreads(int intraOpThreads, int interOpThreads) {
        if (interOpThreads > 0
                && System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty(
                    "ai.djl.pytorch.num_interop_threads", Integer.toString(interOpThreads));
        }
        if (intraOpThreads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
        }
        Engine.getEngine("PyTorch");
        if (intraOpThreads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(intraOpThreads);
        }
    }
}
