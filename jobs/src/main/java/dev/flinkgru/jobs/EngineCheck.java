package dev.flinkgru.jobs;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts DJL's PyTorch engine once and tells what it found: the libtorch version, its flavor and
 * the GPUs it sees; then ONNX Runtime (the ONNX backend, CPU), with its version. The container
 * images run it at build time, so that the natives are unpacked into {@code DJL_CACHE_DIR} then and
 * a TaskManager never unpacks (or downloads) anything at job start; on a GPU host it shows whether
 * the TaskManager image sees the GPU.
 *
 * <pre>{@code
 * java -cp "/opt/flink/lib/*:/opt/flink/usrlib/*" dev.flinkgru.jobs.EngineCheck [--require-gpu]
 * }</pre>
 *
 * <p>{@link #check} returns what it found or throws; {@link #main} prints it, and ends with exit
 * code 0, or 1 (the JVM's, for the exception it throws) if an engine does not start or {@code
 * --require-gpu} finds no GPU. Nothing here calls {@code System.exit}.
 */
public final class EngineCheck {

    private EngineCheck() {}

    public static void main(String[] args) {
        boolean requireGpu = args.length > 0 && args[0].equals("--require-gpu");
        check(requireGpu).forEach(System.out::println);
    }

    /**
     * Starts both engines; returns one line for each.
     *
     * @throws IllegalStateException if an engine does not start, or if {@code requireGpu} and
     *     PyTorch sees no GPU
     */
    public static List<String> check(boolean requireGpu) {
        List<String> found = new ArrayList<>();
        int gpus;
        try {
            Engine engine = Engine.getEngine("PyTorch");
            gpus = engine.getGpuCount();
            found.add(
                    String.format(
                            "PyTorch %s (DJL %s), cache %s, offline %s, GPUs: %d",
                            engine.getVersion(),
                            Engine.getDjlVersion(),
                            Utils.getEngineCacheDir(),
                            Utils.isOfflineMode(),
                            gpus));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException(
                    "EngineCheck: the PyTorch engine does not start: " + e, e);
        }
        if (requireGpu && gpus == 0) {
            throw new IllegalStateException(
                    "EngineCheck: no GPU visible to PyTorch (" + found.get(0) + ")");
        }
        try {
            found.add(
                    String.format(
                            "ONNX Runtime %s (CPU)", OrtEnvironment.getEnvironment().getVersion()));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("EngineCheck: ONNX Runtime does not start: " + e, e);
        }
        return found;
    }
}
