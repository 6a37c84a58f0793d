package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Opens {@link TorchScriptPredictor}s for a TorchScript file honouring the model contract {@code
 * forward(x: Tensor[B,F], h: Tensor[L,B,H]) -> (Tensor[B,O], Tensor[L,B,H])}.
 *
 * <p>At open the model's sizes are checked against the configured ones: by the {@code nn.GRU}
 * parameters where the model has them, then by one probe step with zero inputs.
 */
public final class TorchScriptPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private final String modelPath;
    private final int hiddenSize;
    private final int layers;
    private final String device;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final boolean warmUp;

    /**
     * @param modelPath the TorchScript file
     * @param hiddenSize H
     * @param layers L
     * @param device cpu, gpu, gpu:N or auto
     * @param intraOpThreads torch intra-op threads, 0 for the engine's default
     * @param interOpThreads torch inter-op threads, 0 for the engine's default
     * @param warmUp whether to run every bucket size once at open
     */
    public TorchScriptPredictorFactory(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp) {
        checkPositive(hiddenSize, "hidden size");
        checkPositive(layers, "layers");
        DeviceSpec.validate(device);
        this.modelPath = modelPath;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.device = device;
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
        this.warmUp = warmUp;
    }

    /** CPU, engine-default threads, no warm-up. */
    public TorchScriptPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this(modelPath, hiddenSize, layers, "cpu", 0, 0, false);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        checkPositive(inputSize, "input size");
        Path path = Paths.get(modelPath);
        SharedModels.requireModelFile(path);
        long fingerprint = ModelFingerprint.of(path);
        SharedModels.configureThreads(intraOpThreads, interOpThreads);
        Device dev = DeviceSpec.resolve(device, Engine.getEngine("PyTorch"));
        SharedModels.Lease lease = SharedModels.acquire(path, fingerprint, dev);
        try {
            TorchScriptModels.checkGruSizes(
                    TorchScriptModels.parameters(lease.model()),
                    modelPath,
                    inputSize,
                    hiddenSize,
                    layers);
            int outputSize = probeOutputSize(lease, dev, inputSize);
            ModelShape shape =
                    new ModelShape(inputSize, hiddenSize, layers, outputSize, fingerprint);
            TorchScriptPredictor predictor =
                    new TorchScriptPredictor(lease, dev, new ShapeBuckets(maxBatchSize), shape);
            if (warmUp) {
                predictor.warmUp();
            }
            return predictor;
        } catch (Exception | Error e) {
            lease.close();
            throw e;
        }
    }

    /** One step of one zero row: checks the output contract and returns O. */
    private int probeOutputSize(SharedModels.Lease lease, Device dev, int inputSize) {
        try (NDManager probe = NDManager.newBaseManager(dev, "PyTorch");
                var predictor = lease.model().newPredictor(new ai.djl.translate.NoopTranslator())) {
            NDList in =
                    new NDList(
                            probe.zeros(new Shape(1, inputSize)),
                            probe.zeros(new Shape(layers, 1, hiddenSize)));
            NDList out;
            try {
                out = predictor.predict(in);
            } catch (TranslateException | RuntimeException e) {
                throw new IllegalArgumentException(
                        String.format(
                                "Model %s failed a step with x[1,%d] and h[%d,1,%d] (F=%d, L=%d,"
                                        + " H=%d): %s",
                                modelPath,
                                inputSize,
                                layers,
                                hiddenSize,
                                inputSize,
                                layers,
                                hiddenSize,
                                firstLine(e)),
                        e);
            }
            out.attach(probe);
            if (out.size() != 2) {
                throw new IllegalArgumentException(
                        "Model "
                                + modelPath
                                + " must return (y[B,O], h[L,B,H]) but returned "
                                + out.size()
                                + " outputs");
            }
            NDArray y = out.get(0);
            NDArray h = out.get(1);
            long[] expectedH = {layers, 1, hiddenSize};
            if (!Arrays.equals(h.getShape().getShape(), expectedH)) {
                throw new IllegalArgumentException(
                        String.format(
                                "Hidden state shape mismatch: model %s returned h of shape %s but"
                                        + " --hidden-size %d --layers %d means %s",
                                modelPath,
                                h.getShape(),
                                hiddenSize,
                                layers,
                                Arrays.toString(expectedH)));
            }
            if (y.getShape().dimension() != 2 || y.getShape().get(0) != 1) {
                throw new IllegalArgumentException(
                        "Model "
                                + modelPath
                                + " must return y of shape [B,O] but returned "
                                + y.getShape()
                                + " for B=1");
            }
            return (int) y.getShape().get(1);
        }
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage()).trim();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void checkPositive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, was " + value);
        }
    }

    @Override
    public String explain() {
        return "TorchScript "
                + modelPath
                + " (H="
                + hiddenSize
                + ", L="
                + layers
                + ") on "
                + device;
    }
}
