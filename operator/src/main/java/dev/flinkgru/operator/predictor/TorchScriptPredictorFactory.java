package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@link TorchScriptPredictor}s for a TorchScript file honouring the model contract {@code
 * forward(x: Tensor[B,F], h: Tensor[L,B,H]) -> (Tensor[B,O], Tensor[L,B,H])}.
 *
 * <p>At open the model is accepted by running it, whatever its parameters are called or whatever
 * front end it has: a probe step of zero rows at B=1 and at one larger bucket must return y[B,O]
 * (the same O for both) and h[L,B,H], float32 ({@link ModelContract}). Every batch is checked the
 * same way before its floats are read.
 *
 * <p>On a GPU, TensorFloat-32 is off unless allowed ({@code gru.predictor.allow-tf32}): libtorch's
 * default lets cuDNN use it, which moves hidden states by up to ~2.3e-4 (an H200, H=64), outside
 * the contract's 1e-5. The choice holds for the whole JVM ({@link TensorFloat32}).
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
    private final boolean allowTf32;

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
        this(modelPath, hiddenSize, layers, device, intraOpThreads, interOpThreads, warmUp, false);
    }

    /**
     * As above, and whether the model on a GPU may use TensorFloat-32 (outputs within ~2.3e-4
     * instead of 1e-5 of torch on the CPU).
     */
    public TorchScriptPredictorFactory(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp,
            boolean allowTf32) {
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
        this.allowTf32 = allowTf32;
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
        if (!device.trim().equalsIgnoreCase("cpu")) {
            // Before the engine starts: NVIDIA's libraries read it when libtorch first uses them.
            TensorFloat32.configure(allowTf32);
        }
        Device dev = DeviceSpec.resolve(device, Engine.getEngine("PyTorch"));
        SharedModels.Lease lease = SharedModels.acquire(path, fingerprint, dev);
        try {
            ShapeBuckets buckets = new ShapeBuckets(maxBatchSize);
            ModelContract contract = new ModelContract(modelPath, inputSize, hiddenSize, layers);
            int outputSize = probe(lease, dev, contract, inputSize, buckets);
            ModelShape shape =
                    new ModelShape(inputSize, hiddenSize, layers, outputSize, fingerprint);
            TorchScriptPredictor predictor =
                    new TorchScriptPredictor(lease, dev, buckets, shape, contract);
            if (warmUp) {
                predictor.warmUp();
            }
            return predictor;
        } catch (Exception | Error e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Steps of zero rows at B=1 and one larger bucket, checked against the contract; returns O.
     * Parameter names only add hints to the message of a probe that failed.
     */
    private int probe(
            SharedModels.Lease lease,
            Device dev,
            ModelContract contract,
            int inputSize,
            ShapeBuckets buckets) {
        int outputSize = 0;
        try (NDManager probe = NDManager.newBaseManager(dev, "PyTorch");
                var predictor = lease.model().newPredictor(new NoopTranslator())) {
            for (int batch : ModelContract.probeBatches(buckets)) {
                try (NDManager step = probe.newSubManager()) {
                    NDList in =
                            new NDList(
                                    step.zeros(new Shape(batch, inputSize)),
                                    step.zeros(new Shape(layers, batch, hiddenSize)));
                    NDList out;
                    try {
                        out = predictor.predict(in);
                    } catch (TranslateException | RuntimeException e) {
                        throw contract.runFailed(batch, e, hints(lease));
                    }
                    out.attach(step);
                    outputSize = contract.checkProbe(batch, outputs(out), outputSize, hints(lease));
                }
            }
        }
        return outputSize;
    }

    private static ModelContract.Hints hints(SharedModels.Lease lease) {
        try {
            return TorchScriptModels.gruHints(TorchScriptModels.parameters(lease.model()));
        } catch (RuntimeException e) {
            return ModelContract.Hints.none(); // hints are a courtesy, never a second failure
        }
    }

    /** The outputs of a step as the contract sees them: y, h, then any others by position. */
    static List<ModelContract.Output> outputs(NDList out) {
        List<ModelContract.Output> outputs = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            outputs.add(output(i, out.get(i)));
        }
        return outputs;
    }

    static ModelContract.Output output(int position, NDArray array) {
        String name = position == 0 ? "y" : position == 1 ? "h" : "output " + position;
        return new ModelContract.Output(
                name, array.getShape().getShape(), array.getDataType().toString());
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
                + device
                + (allowTf32 ? ", TF32 allowed" : "");
    }

    @Override
    public String modelPath() {
        return modelPath;
    }

    @Override
    public BatchPredictorFactory forModel(String modelPath) {
        return new TorchScriptPredictorFactory(
                modelPath,
                hiddenSize,
                layers,
                device,
                intraOpThreads,
                interOpThreads,
                warmUp,
                allowTf32);
    }
}
