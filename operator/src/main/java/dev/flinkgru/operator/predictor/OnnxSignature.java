package dev.flinkgru.operator.predictor;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The inputs and outputs an ONNX model declares, mapped onto the contract: x and h by those names
 * where the model has them, else by position; y and h_next likewise. What the declared shapes say
 * of F, L and H is only a hint for the message of a probe that failed.
 */
final class OnnxSignature {

    final String x;
    final String h;
    final List<String> outputs;
    final String y;
    final String hNext;
    private final Map<String, NodeInfo> inputInfo;
    private final Map<String, NodeInfo> outputInfo;

    private OnnxSignature(Map<String, NodeInfo> inputInfo, Map<String, NodeInfo> outputInfo) {
        this.inputInfo = inputInfo;
        this.outputInfo = outputInfo;
        List<String> inputs = new ArrayList<>(inputInfo.keySet());
        boolean named = inputs.contains("x") && inputs.contains("h");
        this.x = named ? "x" : inputs.isEmpty() ? null : inputs.get(0);
        this.h = named ? "h" : inputs.size() < 2 ? null : inputs.get(1);
        this.outputs = new ArrayList<>(outputInfo.keySet());
        boolean namedOut = outputs.contains("y") && outputs.contains("h_next");
        this.y = namedOut ? "y" : outputs.isEmpty() ? null : outputs.get(0);
        this.hNext = namedOut ? "h_next" : outputs.size() < 2 ? null : outputs.get(1);
    }

    static OnnxSignature of(OrtSession session) throws OrtException {
        return new OnnxSignature(session.getInputInfo(), session.getOutputInfo());
    }

    int inputCount() {
        return inputInfo.size();
    }

    /**
     * "the model declares inputs x [batch, 3] float32, h [2, batch, 8] float32 and outputs ...".
     */
    String declaration() {
        return "the model declares inputs "
                + describe(inputInfo)
                + " and outputs "
                + describe(outputInfo);
    }

    /** What the declared shapes of x and h say of F, L and H; and the declaration. */
    ModelContract.Hints hints() {
        ModelContract.Hints hints = ModelContract.Hints.none();
        hints.declaration = declaration();
        long[] xs = shape(x);
        if (xs != null && xs.length == 2 && xs[0] > 0) {
            hints.notes.add(
                    "its declared input "
                            + x
                            + " has a fixed batch of "
                            + xs[0]
                            + ": export it with a dynamic batch, e.g. torch.onnx.export(...,"
                            + " dynamic_axes={\"x\": {0: \"batch\"}, \"h\": {1: \"batch\"},"
                            + " \"y\": {0: \"batch\"}, \"h_next\": {1: \"batch\"}})");
        }
        if (xs != null && xs.length == 2 && xs[1] > 0) {
            hints.features = (int) xs[1];
            hints.featuresWhy =
                    "its declared input "
                            + x
                            + " is "
                            + dims(inputInfo.get(x))
                            + ", i.e. F="
                            + xs[1];
        }
        long[] hs = shape(h);
        if (hs != null && hs.length == 3) {
            String declared = "its declared input " + h + " is " + dims(inputInfo.get(h));
            if (hs[0] > 0) {
                hints.layers = (int) hs[0];
                hints.layersWhy = declared + ", i.e. L=" + hs[0];
            }
            if (hs[2] > 0) {
                hints.hidden = (int) hs[2];
                hints.hiddenWhy = declared + ", i.e. H=" + hs[2];
            }
        }
        return hints;
    }

    private long[] shape(String input) {
        if (input == null) {
            return null;
        }
        ValueInfo info = inputInfo.get(input).getInfo();
        return info instanceof TensorInfo ? ((TensorInfo) info).getShape() : null;
    }

    /**
     * The outputs of one run as the contract sees them: y and h_next first (by those names where
     * the model declares them, else the first two), then any others in the model's order.
     */
    List<ModelContract.Output> outputs(OrtSession.Result result) {
        List<ModelContract.Output> list = new ArrayList<>(result.size());
        for (String name : new String[] {y, hNext}) {
            result.get(name).ifPresent(v -> list.add(output(name, v)));
        }
        for (Map.Entry<String, OnnxValue> e : result) {
            if (!e.getKey().equals(y) && !e.getKey().equals(hNext)) {
                list.add(output(e.getKey(), e.getValue()));
            }
        }
        return list;
    }

    /** The contract's view of one output value: name, actual shape, element type. */
    static ModelContract.Output output(String name, OnnxValue value) {
        if (value instanceof OnnxTensor) {
            TensorInfo info = ((OnnxTensor) value).getInfo();
            return new ModelContract.Output(name, info.getShape(), typeName(info.type));
        }
        return new ModelContract.Output(
                name, new long[0], value.getType().toString().toLowerCase());
    }

    /** The numpy-style name of an element type: float32, float64, int64, ... */
    static String typeName(OnnxJavaType type) {
        switch (type) {
            case FLOAT:
                return "float32";
            case DOUBLE:
                return "float64";
            case FLOAT16:
                return "float16";
            case BFLOAT16:
                return "bfloat16";
            case INT8:
                return "int8";
            case INT16:
                return "int16";
            case INT32:
                return "int32";
            case INT64:
                return "int64";
            case UINT8:
                return "uint8";
            case BOOL:
                return "bool";
            case STRING:
                return "string";
            default:
                return type.toString().toLowerCase();
        }
    }

    private static String describe(Map<String, NodeInfo> nodes) {
        if (nodes.isEmpty()) {
            return "(none)";
        }
        return nodes.values().stream()
                .map(n -> n.getName() + " " + dims(n) + type(n))
                .collect(Collectors.joining(", "));
    }

    private static String type(NodeInfo node) {
        ValueInfo info = node.getInfo();
        return info instanceof TensorInfo ? " " + typeName(((TensorInfo) info).type) : "";
    }

    /** "[batch, 3]": static sizes as numbers, dynamic ones by their name (or "?"). */
    private static String dims(NodeInfo node) {
        ValueInfo info = node.getInfo();
        if (!(info instanceof TensorInfo)) {
            return "(" + info + ")";
        }
        TensorInfo tensor = (TensorInfo) info;
        long[] shape = tensor.getShape();
        String[] names = tensor.getDimensionNames();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0) {
                dims.add(Long.toString(shape[i]));
            } else {
                String name = names != null && i < names.length ? names[i] : "";
                dims.add(name == null || name.isEmpty() ? "?" : name);
            }
        }
        return "[" + String.join(", ", dims) + "]";
    }
}
