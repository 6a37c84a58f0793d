package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.Model;
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
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

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
 * default lets cuDNN use it, which moves hidden states by up to ~4e-4 (an H200), outside the
 * contract's 1e-5. The choice holds for the whole JVM ({@link TensorFloat32}).
 */
@PublicEvolving
public final class TorchScriptPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private final PredictorSettings settings;

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
    public TorchScriptPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this(new PredictorSettings(modelPath, hiddenSize, layers));
    }

    /** Opens the model of {@code settings} on DJL's PyTorch engine. */
    public TorchScriptPredictorFactory(PredictorSettings settings) {
        this.settings = Preconditions.checkNotNull(settings, "settings must not be null");
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        Preconditions.checkArgument(
                inputSize >= 1, "input size must be at least 1, was %s", inputSize);
        String modelPath = settings.modelPath();
        int hiddenSize = settings.hiddenSize();
        int layers = settings.layers();
        Path path = Paths.get(modelPath);
        SharedModels.requireModelFile(path);
        long fingerprint = ModelFingerprint.of(path);
        SharedModels.configureThreads(settings.intraOpThreads(), settings.interOpThreads());
        if (!settings.device().trim().equalsIgnoreCase("cpu")) {
            // Before the engine starts: NVIDIA's libraries read it when libtorch first uses them.
            TensorFloat32.configure(settings.allowTf32());
        }
        Device dev = DeviceSpec.resolve(settings.device(), Engine.getEngine("PyTorch"));
        SharedLeases.Lease<Model> lease = SharedModels.acquire(path, fingerprint, dev);
        try {
            ShapeBuckets buckets = new ShapeBuckets(maxBatchSize);
            ModelContract contract = new ModelContract(modelPath, inputSize, hiddenSize, layers);
            int outputSize = probe(lease, dev, contract, inputSize, layers, hiddenSize, buckets);
            ModelShape shape =
                    new ModelShape(inputSize, hiddenSize, layers, outputSize, fingerprint);
            TorchScriptPredictor predictor =
                    new TorchScriptPredictor(lease, dev, buckets, shape, contract);
            if (settings.warmUp()) {
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
            SharedLeases.Lease<Model> lease,
            Device dev,
            ModelContract contract,
            int inputSize,
            int layers,
            int hiddenSize,
            ShapeBuckets buckets) {
        int outputSize = 0;
        try (NDManager probe = NDManager.newBaseManager(dev, "PyTorch");
                var predictor = lease.get().newPredictor(new NoopTranslator())) {
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

    private static ModelContract.Hints hints(SharedLeases.Lease<Model> lease) {
        try {
            return TorchScriptModels.gruHints(TorchScriptModels.parameters(lease.get()));
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

    @Override
    public String explain() {
        return "TorchScript "
                + settings.describeModel()
                + " on "
                + settings.device()
                + (settings.allowTf32() ? ", TF32 allowed" : "");
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
        return new TorchScriptPredictorFactory(settings.withModelPath(modelPath));
    }
}
