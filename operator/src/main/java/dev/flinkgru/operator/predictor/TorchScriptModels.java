package dev.flinkgru.operator.predictor;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads named parameters out of a loaded TorchScript model, by their state_dict names. */
final class TorchScriptModels {

    private static final Pattern WEIGHT_IH = Pattern.compile("(.*\\.)?weight_ih_l(\\d+)");

    private TorchScriptModels() {}

    /** All parameters by state_dict name, as their NDArrays (owned by the model). */
    static Map<String, NDArray> parameters(Model model) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            params.put(p.getKey(), p.getValue().getArray());
        }
        return params;
    }

    /**
     * Checks what the parameters of an {@code nn.GRU} in the model say against the sizes given;
     * silent for models without such parameters (custom cells are checked by the probe step).
     */
    static void checkGruSizes(
            Map<String, NDArray> params, String model, int inputSize, int hiddenSize, int layers) {
        String prefix = null;
        int modelLayers = 0;
        for (String name : params.keySet()) {
            Matcher m = WEIGHT_IH.matcher(name);
            if (m.matches()) {
                prefix = m.group(1) == null ? "" : m.group(1);
                modelLayers = Math.max(modelLayers, Integer.parseInt(m.group(2)) + 1);
            }
        }
        if (prefix == null) {
            return;
        }
        long[] ih = params.get(prefix + "weight_ih_l0").getShape().getShape();
        long[] hh = params.get(prefix + "weight_hh_l0").getShape().getShape();
        long modelHidden = hh[1];
        if (modelHidden != hiddenSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "Hidden size mismatch: --hidden-size is %d but %s has %sweight_hh_l0 of"
                                    + " shape [%d, %d], i.e. H=%d",
                            hiddenSize, model, prefix, hh[0], hh[1], modelHidden));
        }
        if (modelLayers != layers) {
            throw new IllegalArgumentException(
                    String.format(
                            "Layer count mismatch: --layers is %d but %s has %d GRU layers (%sweight_ih_l0..l%d)",
                            layers, model, modelLayers, prefix, modelLayers - 1));
        }
        // An embedding in front of the GRU changes its input width; only plain inputs are checked.
        if (!hasEmbedding(params) && ih[1] != inputSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "Input size mismatch: the events have %d features but %s has"
                                    + " %sweight_ih_l0 of shape [%d, %d], i.e. F=%d",
                            inputSize, model, prefix, ih[0], ih[1], ih[1]));
        }
    }

    private static boolean hasEmbedding(Map<String, NDArray> params) {
        return params.keySet().stream().anyMatch(n -> n.contains("embed"));
    }
}
