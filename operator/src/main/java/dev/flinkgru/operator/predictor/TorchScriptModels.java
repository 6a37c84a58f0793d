package dev.flinkgru.operator.predictor;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Arrays;
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
     * What the parameters of an {@code nn.GRU} in the model say of H and L, and of F where the
     * GRU's parameters come first (no front end before it): hints for the message of a probe that
     * failed, never a reason to refuse a model. None for models without such parameters.
     */
    static ModelContract.Hints gruHints(Map<String, NDArray> params) {
        ModelContract.Hints hints = ModelContract.Hints.none();
        String prefix = null;
        int modelLayers = 0;
        for (String name : params.keySet()) {
            Matcher m = WEIGHT_IH.matcher(name);
            if (m.matches() && (prefix == null || prefix.equals(group(m)))) {
                prefix = group(m);
                modelLayers = Math.max(modelLayers, Integer.parseInt(m.group(2)) + 1);
            }
        }
        NDArray ih = prefix == null ? null : params.get(prefix + "weight_ih_l0");
        NDArray hh = prefix == null ? null : params.get(prefix + "weight_hh_l0");
        if (ih == null || hh == null) {
            return hints;
        }
        long[] ihShape = ih.getShape().getShape();
        long[] hhShape = hh.getShape().getShape();
        hints.hidden = (int) hhShape[1];
        hints.hiddenWhy =
                String.format(
                        "its nn.GRU %sweight_hh_l0 is %s, i.e. H=%d",
                        prefix, Arrays.toString(hhShape), hhShape[1]);
        hints.layers = modelLayers;
        hints.layersWhy =
                modelLayers == 1
                        ? String.format("its nn.GRU has 1 layer (%sweight_ih_l0), i.e. L=1", prefix)
                        : String.format(
                                "its nn.GRU has %d layers (%sweight_ih_l0..l%d), i.e. L=%d",
                                modelLayers, prefix, modelLayers - 1, modelLayers);
        // Only where the GRU is the model's first layer does its input width say F.
        if (params.keySet().iterator().next().startsWith(prefix)) {
            hints.features = (int) ihShape[1];
            hints.featuresWhy =
                    String.format(
                            "its first layer, nn.GRU %sweight_ih_l0, is %s, i.e. F=%d",
                            prefix, Arrays.toString(ihShape), ihShape[1]);
        }
        return hints;
    }

    private static String group(Matcher m) {
        return m.group(1) == null ? "" : m.group(1);
    }
}
