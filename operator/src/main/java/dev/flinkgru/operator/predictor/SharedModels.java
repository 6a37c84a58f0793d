package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded TorchScript model per JVM, model file and device, shared by the operator subtasks of
 * that JVM (a TaskManager). Each subtask takes a {@link Lease} and makes its own DJL predictor from
 * it; the model is closed when the last lease is returned.
 */
final class SharedModels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);

    private static final Map<String, Entry> MODELS = new HashMap<>();

    private SharedModels() {}

    /** A subtask's hold on a shared model; closing it returns the hold. */
    static final class Lease implements AutoCloseable {
        private final String id;
        private final Model model;
        private boolean returned;

        private Lease(String id, Model model) {
            this.id = id;
            this.model = model;
        }

        Model model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (MODELS) {
                if (returned) {
                    return;
                }
                returned = true;
                Entry entry = MODELS.get(id);
                if (entry != null && --entry.leases == 0) {
                    MODELS.remove(id);
                    LOG.info("Closing shared model {}", id);
                    entry.model.close();
                }
            }
        }
    }

    private static final class Entry {
        final Model model;
        int leases;

        Entry(Model model) {
            this.model = model;
        }
    }

    /** Takes a lease on the model at {@code path} on {@code device}, loading it if needed. */
    static Lease acquire(Path path, long fingerprint, Device device) throws IOException {
        String id =
                path.toAbsolutePath().normalize()
                        + "@"
                        + Long.toHexString(fingerprint)
                        + "/"
                        + device;
        synchronized (MODELS) {
            Entry entry = MODELS.get(id);
            if (entry == null) {
                entry = new Entry(load(path, device));
                MODELS.put(id, entry);
                LOG.info("Loaded shared model {}", id);
            }
            entry.leases++;
            return new Lease(id, entry.model);
        }
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
