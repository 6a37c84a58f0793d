package dev.flinkgru.operator.predictor;

import dev.flinkgru.state.ModelFingerprint;
import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Sizes of a loaded model: F inputs, L layers of H hidden units, O outputs, and its fingerprint.
 *
 * @param inputSize F, features per event
 * @param hiddenSize H, hidden units per layer
 * @param layers L, stacked GRU layers
 * @param outputSize O, outputs per event
 * @param fingerprint the model file's fingerprint
 */
@PublicEvolving
public record ModelShape(
        int inputSize, int hiddenSize, int layers, int outputSize, long fingerprint)
        implements Serializable {

    /** L·H, the floats of one key's hidden state. */
    public int stateSize() {
        return layers * hiddenSize;
    }

    @Override
    public String toString() {
        return "F="
                + inputSize
                + " H="
                + hiddenSize
                + " L="
                + layers
                + " O="
                + outputSize
                + " model="
                + ModelFingerprint.toHex(fingerprint);
    }
}
