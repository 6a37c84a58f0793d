package dev.flinkgru.operator.predictor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/**
 * Opens {@link OnnxPredictor}s for an ONNX file honouring the model contract {@code forward(x[B,F],
 * h[L,B,H]) -> (y[B,O], h_next[L,B,H])}: two inputs, x and h by those names where present, else by
 * position; two outputs, y and h_next likewise; a dynamic batch dimension.
 *
 * <p>At open the model is accepted by running it, as for TorchScript ({@link ModelContract}): a
 * probe of zero rows at B=1 and at one larger bucket. A failed probe names what the model was
 * given, what it returned, and its declared inputs and outputs.
 *
 * <p>Runs on the CPU (ONNX Runtime's CPU build); {@code gpu} devices are refused at open.
 */
@PublicEvolving
public final class OnnxPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private final PredictorSettings settings;

    /**
     * @param modelPath the ONNX file
     * @param hiddenSize H
     * @param layers L
     * @param device cpu or auto (the CPU); gpu and gpu:N are refused at open
     * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
     * @param interOpThreads ONNX Runtime inter-op threads, 0 for its default
     * @param warmUp whether to run every bucket size once at open
     */
    public OnnxPredictorFactory(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp) {
        this(
                new PredictorSettings(
                        modelPath,
                        hiddenSize,
                        layers,
                        device,
                        intraOpThreads,
                        interOpThreads,
                        warmUp));
    }

    /** CPU, {@link PredictorSettings#DEFAULT_THREADS} each, no warm-up. */
    public OnnxPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this(new PredictorSettings(modelPath, hiddenSize, layers));
    }

    /** Opens the model of {@code settings} on ONNX Runtime. */
    public OnnxPredictorFactory(PredictorSettings settings) {
        this.settings = Preconditions.checkNotNull(settings, "settings must not be null");
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        Preconditions.checkArgument(
                inputSize >= 1, "input size must be at least 1, was %s", inputSize);
        String modelPath = settings.modelPath();
        int hiddenSize = settings.hiddenSize();
        int layers = settings.layers();
        String device = settings.device();
        String d = device.trim().toLowerCase();
        if (!d.equals("cpu") && !d.equals("auto")) {
            throw new IllegalArgumentException(
                    PredictorOptions.PREDICTOR_DEVICE.key()
                            + " is "
                            + device
                            + " but the ONNX backend runs on the CPU only (ONNX Runtime's CPU"
                            + " build); use cpu or auto, or a TorchScript model on the GPU");
        }
        Path path = Paths.get(modelPath);
        SharedModels.requireModelFile(path);
        long fingerprint = ModelFingerprint.of(path);
        SharedLeases.Lease<OrtSession> lease =
                OnnxSessions.acquire(
                        path, fingerprint, settings.intraOpThreads(), settings.interOpThreads());
        try {
            OnnxSignature signature = OnnxSignature.of(lease.get());
            ShapeBuckets buckets = new ShapeBuckets(maxBatchSize);
            ModelContract contract = new ModelContract(modelPath, inputSize, hiddenSize, layers);
            int outputSize =
                    probe(lease.get(), signature, contract, inputSize, layers, hiddenSize, buckets);
            ModelShape shape =
                    new ModelShape(inputSize, hiddenSize, layers, outputSize, fingerprint);
            OnnxPredictor predictor = new OnnxPredictor(lease, signature, buckets, shape, contract);
            if (settings.warmUp()) {
                predictor.warmUp();
            }
            return predictor;
        } catch (Exception | Error e) {
            lease.close();
            throw e;
        }
    }

    /** Steps of zero rows at B=1 and one larger bucket, checked against the contract; O. */
    private int probe(
            OrtSession session,
            OnnxSignature signature,
            ModelContract contract,
            int inputSize,
            int layers,
            int hiddenSize,
            ShapeBuckets buckets)
            throws OrtException {
        if (signature.inputCount() != 2) {
            throw new IllegalArgumentException(
                    String.format(
                            "Model %s must take two inputs (x[B,F], h[L,B,H]) but takes %d; %s",
                            settings.modelPath(), signature.inputCount(), signature.declaration()));
        }
        int outputSize = 0;
        for (int batch : ModelContract.probeBatches(buckets)) {
            try (OnnxTensor x = zeros(new long[] {batch, inputSize});
                    OnnxTensor h = zeros(new long[] {layers, batch, hiddenSize})) {
                OrtSession.Result result;
                try {
                    result = session.run(Map.of(signature.x, x, signature.h, h));
                } catch (OrtException | RuntimeException e) {
                    throw contract.runFailed(batch, e, signature.hints());
                }
                try (result) {
                    outputSize =
                            contract.checkProbe(
                                    batch,
                                    signature.outputs(result),
                                    outputSize,
                                    signature.hints());
                }
            }
        }
        return outputSize;
    }

    private static OnnxTensor zeros(long[] shape) throws OrtException {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        ByteBuffer bytes =
                ByteBuffer.allocateDirect((int) n * Float.BYTES).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(OnnxSessions.environment(), bytes.asFloatBuffer(), shape);
    }

    @Override
    public String explain() {
        return "ONNX " + settings.describeModel() + " on cpu";
    }

    @Override
    public String modelPath() {
        return settings.modelPath();
    }

    /** The settings this factory opens its model with. */
    public PredictorSettings settings() {
        return settings;
    }

    @Override
    public BatchPredictorFactory forModel(String modelPath) {
        return new OnnxPredictorFactory(settings.withModelPath(modelPath));
    }
}
