package dev.flinkgru.jobs;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import ai.onnxruntime.OrtEnvironment;

/**
 * Starts DJL's PyTorch engine once and prints what it found: the libtorch version, its flavor and
 * the GPUs it sees; then ONNX Runtime (the ONNX backend, CPU), printing its version. The container
 * images run it at build time, so that the natives are unpacked into {@code DJL_CACHE_DIR} then and
 * a TaskManager never unpacks (or downloads) anything at job start; on a GPU host it shows whether
 * the TaskManager image sees the GPU.
 *
 * <pre>{@code
 * java -cp "/opt/flink/lib/*:/opt/flink/usrlib/*" dev.flinkgru.jobs.EngineCheck [--require-gpu]
 * }</pre>
 *
 * <p>Exit code 0, or 1 if an engine does not start or {@code --require-gpu} finds no GPU.
 */
public final class EngineCheck {

    private EngineCheck() {}

    public static void main(String[] args) {
        boolean requireGpu = args.length > 0 && args[0].equals("--require-gpu");
        try {
            Engine engine = Engine.getEngine("PyTorch");
            int gpus = engine.getGpuCount();
            System.out.printf(
                    "PyTorch %s (DJL %s), cache %s, offline %s, GPUs: %d%n",
                    engine.getVersion(),
                    Engine.getDjlVersion(),
                    Utils.getEngineCacheDir(),
                    Utils.isOfflineMode(),
                    gpus);
            if (requireGpu && gpus == 0) {
                System.err.println("EngineCheck: no GPU visible to PyTorch");
                System.exit(1);
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            System.err.println("EngineCheck: the PyTorch engine does not start: " + e);
            System.exit(1);
        }
        try {
            System.out.printf(
                    "ONNX Runtime %s (CPU)%n", OrtEnvironment.getEnvironment().getVersion());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            System.err.println("EngineCheck: ONNX Runtime does not start: " + e);
            System.exit(1);
        }
    }
}
