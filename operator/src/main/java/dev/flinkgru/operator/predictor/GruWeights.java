package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The weights of an {@code nn.GRU} + {@code Linear} model, read from its TorchScript file by their
 * state_dict names: {@code gru.weight_ih_l{k}}, {@code gru.weight_hh_l{k}}, {@code
 * gru.bias_ih_l{k}}, {@code gru.bias_hh_l{k}}, {@code head.weight}, {@code head.bias}.
 */
@Internal
public final class GruWeights {

    /** Per layer, W_ih as [3H, in] row-major. */
    final float[][] weightIh;

    /** Per layer, W_hh as [3H, H] row-major. */
    final float[][] weightHh;

    /** Per layer, b_ih [3H]. */
    final float[][] biasIh;

    /** Per layer, b_hh [3H]. */
    final float[][] biasHh;

    /** Head weight [O, H] row-major. */
    final float[] headWeight;

    /** Head bias [O]. */
    final float[] headBias;

    final int inputSize;
    final int hiddenSize;
    final int outputSize;

    private GruWeights(Map<String, NDArray> params, String source) {
        int layers = 0;
        while (params.containsKey("gru.weight_ih_l" + layers)) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException(
                    source
                            + " has no gru.weight_ih_l0: the reference GRU needs an nn.GRU named"
                            + " 'gru' and a Linear named 'head'; found "
                            + params.keySet());
        }
        List<String> others = new ArrayList<>();
        for (String name : params.keySet()) {
            if (!name.startsWith("gru.") && !name.startsWith("head.")) {
                others.add(name);
            }
        }
        if (!others.isEmpty()) {
            throw new IllegalArgumentException(
                    source
                            + " is not of the reference architecture (an nn.GRU 'gru' and a Linear"
                            + " 'head' only): it also has "
                            + others
                            + "; the reference backend cannot run it, use auto, torchscript or"
                            + " onnx");
        }
        weightIh = new float[layers][];
        weightHh = new float[layers][];
        biasIh = new float[layers][];
        biasHh = new float[layers][];
        for (int l = 0; l < layers; l++) {
            weightIh[l] = floats(params, "gru.weight_ih_l" + l, source);
            weightHh[l] = floats(params, "gru.weight_hh_l" + l, source);
            biasIh[l] = floats(params, "gru.bias_ih_l" + l, source);
            biasHh[l] = floats(params, "gru.bias_hh_l" + l, source);
        }
        headWeight = floats(params, "head.weight", source);
        headBias = floats(params, "head.bias", source);
        inputSize = (int) params.get("gru.weight_ih_l0").getShape().get(1);
        hiddenSize = (int) params.get("gru.weight_hh_l0").getShape().get(1);
        outputSize = headBias.length;
    }

    private static float[] floats(Map<String, NDArray> params, String name, String source) {
        NDArray array = params.get(name);
        if (array == null) {
            throw new IllegalArgumentException(source + " has no parameter '" + name + "'");
        }
        return array.toFloatArray();
    }

    /** Number of GRU layers. */
    public int layers() {
        return weightIh.length;
    }

    /**
     * Reads the weights of the TorchScript file at {@code path} (loaded on the CPU, then closed).
     */
    public static GruWeights read(Path path) throws Exception {
        try (Model model = SharedModels.load(path, Device.cpu())) {
            return new GruWeights(TorchScriptModels.parameters(model), path.toString());
        }
    }
}
