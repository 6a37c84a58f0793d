package dev.flinkgru.operator.predictor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The model contract {@code forward(x[B,F], h[L,B,H]) -> (y[B,O], h[L,B,H])}, float32, checked by
 * running the model, whatever its engine: a probe at open (B=1 and one larger bucket) decides
 * whether a model is accepted, and every batch's outputs are checked before a float is read.
 *
 * <p>What a model file says of its sizes (parameter names, declared shapes) is only ever a {@link
 * Hints hint} in the message of a probe that failed; it never refuses a model.
 */
final class ModelContract {

    /** The larger probe batch at open, unless the largest bucket is smaller. */
    static final int PROBE_BATCH = 8;

    private final String model;
    private final int inputSize;
    private final int hiddenSize;
    private final int layers;

    ModelContract(String model, int inputSize, int hiddenSize, int layers) {
        this.model = model;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
    }

    /** One output of a step: its name (or position), shape and element type ("float32", ...). */
    record Output(String name, long[] shape, String type) {
        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape) + " " + type;
        }
    }

    /**
     * What the model's file says of F, L and H, where it says anything (parameter names of an
     * {@code nn.GRU}, declared input shapes); each with the words that explain where it comes from,
     * e.g. "its nn.GRU gru.weight_hh_l0 is [24, 8], i.e. H=8". Also the model's declared inputs and
     * outputs where the format declares them.
     */
    static final class Hints {
        Integer features;
        String featuresWhy;
        Integer layers;
        String layersWhy;
        Integer hidden;
        String hiddenWhy;
        String declaration;

        /** Said whatever the configuration, e.g. that a declared batch size is fixed. */
        final List<String> notes = new ArrayList<>();

        static Hints none() {
            return new Hints();
        }
    }

    /** The probe batches at open: 1 and the bucket of min(largest, 8). */
    static int[] probeBatches(ShapeBuckets buckets) {
        int larger = buckets.bucketFor(Math.min(buckets.largest(), PROBE_BATCH));
        return larger == 1 ? new int[] {1} : new int[] {1, larger};
    }

    /**
     * Checks the outputs of a probe step of {@code batch} zero rows and returns O, which must equal
     * {@code expectedOutputSize} when that is positive (the O of an earlier probe).
     *
     * @throws IllegalArgumentException naming the option or size that disagrees
     */
    int checkProbe(int batch, List<Output> outputs, int expectedOutputSize, Hints hints) {
        String given = "; it was given " + given(batch);
        if (outputs.size() != 2) {
            throw refused(
                    String.format(
                            "Model %s must return (y[B,O], h[L,B,H]) but returned %d outputs (%s)%s",
                            model, outputs.size(), describe(outputs), given),
                    hints);
        }
        Output y = outputs.get(0);
        Output h = outputs.get(1);
        long[] expectedH = {layers, batch, hiddenSize};
        if (!Arrays.equals(h.shape(), expectedH)) {
            throw refused(stateMismatch(h, batch, expectedH) + given, hints);
        }
        if (y.shape().length != 2 || y.shape()[0] != batch) {
            throw refused(
                    String.format(
                            "Model %s must return y of shape [B,O] but returned %s %s for B=%d"
                                    + " (expected [%d, O])%s",
                            model, y.name(), Arrays.toString(y.shape()), batch, batch, given),
                    hints);
        }
        if (y.shape()[1] < 1) {
            throw refused(
                    String.format(
                            "Model %s returned %s of shape %s for B=%d: O must be at least 1%s",
                            model, y.name(), Arrays.toString(y.shape()), batch, given),
                    hints);
        }
        if (expectedOutputSize > 0 && y.shape()[1] != expectedOutputSize) {
            throw refused(
                    String.format(
                            "Model %s returned %s of shape %s for B=%d but O=%d for B=1: O must not"
                                    + " depend on the batch size%s",
                            model,
                            y.name(),
                            Arrays.toString(y.shape()),
                            batch,
                            expectedOutputSize,
                            given),
                    hints);
        }
        for (Output o : outputs) {
            if (!o.type().equals("float32")) {
                throw refused(
                        String.format(
                                "Model %s returned %s as %s for B=%d; the contract is float32 for"
                                        + " y[B,O] and h[L,B,H]%s",
                                model, o.name(), o.type(), batch, given),
                        hints);
            }
        }
        return (int) y.shape()[1];
    }

    private String stateMismatch(Output h, int batch, long[] expected) {
        long[] s = h.shape();
        String returned =
                String.format(
                        "model %s returned %s of shape %s for B=%d (expected %s)",
                        model, h.name(), Arrays.toString(s), batch, Arrays.toString(expected));
        if (s.length == 3 && s[1] == batch) {
            List<String> keys = new ArrayList<>();
            if (s[0] != layers) {
                keys.add(PredictorOptions.MODEL_LAYERS.key() + " is " + layers);
            }
            if (s[2] != hiddenSize) {
                keys.add(PredictorOptions.MODEL_HIDDEN_SIZE.key() + " is " + hiddenSize);
            }
            String figures =
                    (s[0] != layers ? "L=" + s[0] : "")
                            + (s[0] != layers && s[2] != hiddenSize ? ", " : "")
                            + (s[2] != hiddenSize ? "H=" + s[2] : "");
            return String.join(" and ", keys) + " but " + returned + ", i.e. " + figures;
        }
        if (s.length == 3) {
            return capitalized(returned)
                    + ": the state's second dimension must be the batch, B="
                    + batch;
        }
        return capitalized(returned) + ": the state must be [L, B, H]";
    }

    /**
     * The message of a probe step that failed to run: what it was given, the engine's reason, and
     * the hints; led by the option a hint says is wrong, if one does.
     */
    IllegalArgumentException runFailed(int batch, Throwable cause, Hints hints) {
        String lead;
        if (hints.hidden != null && hints.hidden != hiddenSize) {
            lead = PredictorOptions.MODEL_HIDDEN_SIZE.key() + " is " + hiddenSize + " but model ";
        } else if (hints.layers != null && hints.layers != layers) {
            lead = PredictorOptions.MODEL_LAYERS.key() + " is " + layers + " but model ";
        } else if (hints.features != null && hints.features != inputSize) {
            lead = "the events have " + inputSize + " features but model ";
        } else {
            lead = "Model ";
        }
        return refused(
                String.format(
                        "%s%s failed a step with %s: %s",
                        lead, model, given(batch), EngineErrors.reason(cause)),
                hints,
                cause);
    }

    private String given(int batch) {
        return String.format(
                "x[%d, %d] and h[%d, %d, %d] (F=%d features; %s is %d, %s is %d)",
                batch,
                inputSize,
                layers,
                batch,
                hiddenSize,
                inputSize,
                PredictorOptions.MODEL_LAYERS.key(),
                layers,
                PredictorOptions.MODEL_HIDDEN_SIZE.key(),
                hiddenSize);
    }

    private IllegalArgumentException refused(String message, Hints hints) {
        return refused(message, hints, null);
    }

    /** The message with the hints that disagree with the configuration, and the declaration. */
    private IllegalArgumentException refused(String message, Hints hints, Throwable cause) {
        List<String> why = new ArrayList<>();
        if (hints.hidden != null && hints.hidden != hiddenSize) {
            why.add(hints.hiddenWhy);
        }
        if (hints.layers != null && hints.layers != layers) {
            why.add(hints.layersWhy);
        }
        if (hints.features != null && hints.features != inputSize) {
            why.add(hints.featuresWhy);
        }
        StringBuilder text = new StringBuilder(message);
        why.addAll(hints.notes);
        if (!why.isEmpty()) {
            text.append(" (").append(String.join("; ", why)).append(')');
        }
        if (hints.declaration != null) {
            text.append("; ").append(hints.declaration);
        }
        return new IllegalArgumentException(text.toString(), cause);
    }

    /**
     * Checks one batch's outputs before any float is read: y[bucket, O] and h[L, bucket, H], both
     * float32.
     *
     * @throws ModelContractException naming the model and the shapes
     */
    void checkBatch(int rows, int bucket, int outputSize, Output y, Output h) {
        if (y.shape().length != 2
                || y.shape()[0] != bucket
                || y.shape()[1] != outputSize
                || !y.type().equals("float32")
                || h.shape().length != 3
                || h.shape()[0] != layers
                || h.shape()[1] != bucket
                || h.shape()[2] != hiddenSize
                || !h.type().equals("float32")) {
            throw new ModelContractException(
                    String.format(
                            "Model %s broke the contract on a batch of %d rows (padded to %d):"
                                    + " it returned %s and %s, expected %s [%d, %d] float32 and %s"
                                    + " [%d, %d, %d] float32",
                            model,
                            rows,
                            bucket,
                            y,
                            h,
                            y.name(),
                            bucket,
                            outputSize,
                            h.name(),
                            layers,
                            bucket,
                            hiddenSize));
        }
    }

    /** Fails for a batch that did not return two outputs. */
    void checkBatchOutputs(int rows, int bucket, List<Output> outputs) {
        if (outputs.size() != 2) {
            throw new ModelContractException(
                    String.format(
                            "Model %s broke the contract on a batch of %d rows (padded to %d): it"
                                    + " returned %d outputs (%s), expected (y[B,O], h[L,B,H])",
                            model, rows, bucket, outputs.size(), describe(outputs)));
        }
    }

    private static String describe(List<Output> outputs) {
        return outputs.stream().map(Output::toString).collect(Collectors.joining(", "));
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
