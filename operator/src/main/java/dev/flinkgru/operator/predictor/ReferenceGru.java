package dev.flinkgru.operator.predictor;

import org.apache.flink.annotation.Internal;

/**
 * A pure-Java {@code nn.GRU} (batch_first, unidirectional, with biases) followed by a {@code
 * Linear} head: the test oracle, and a backend for tiny models of that architecture.
 *
 * <p>Per layer, with input v and state h (gate rows ordered r, z, n as in PyTorch):
 *
 * <pre>
 * r  = σ(W_ir v + b_ir + W_hr h + b_hr)
 * z  = σ(W_iz v + b_iz + W_hz h + b_hz)
 * n  = tanh(W_in v + b_in + r ⊙ (W_hn h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 *
 * The next layer's input is h'; the head reads the last layer's h'.
 */
@Internal
public final class ReferenceGru implements BatchPredictor {

    private final GruWeights weights;
    private final ModelShape shape;
    private final float[] gatesInput;
    private final float[] gatesHidden;

    public ReferenceGru(GruWeights weights, ModelShape shape) {
        this.weights = weights;
        this.shape = shape;
        this.gatesInput = new float[3 * shape.hiddenSize()];
        this.gatesHidden = new float[3 * shape.hiddenSize()];
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public void step(int batch, float[] x, float[] h, float[] y, float[] hNext) {
        int f = shape.inputSize();
        int hidden = shape.hiddenSize();
        int stateSize = shape.stateSize();
        int outputs = shape.outputSize();
        for (int b = 0; b < batch; b++) {
            float[] input = x;
            int inputOffset = b * f;
            int inputSize = f;
            for (int l = 0; l < shape.layers(); l++) {
                int stateOffset = b * stateSize + l * hidden;
                cell(l, input, inputOffset, inputSize, h, stateOffset, hNext, stateOffset);
                input = hNext;
                inputOffset = stateOffset;
                inputSize = hidden;
            }
            int last = b * stateSize + (shape.layers() - 1) * hidden;
            for (int o = 0; o < outputs; o++) {
                float sum = weights.headBias[o];
                for (int j = 0; j < hidden; j++) {
                    sum += weights.headWeight[o * hidden + j] * hNext[last + j];
                }
                y[b * outputs + o] = sum;
            }
        }
    }

    private void cell(
            int layer,
            float[] v,
            int vOffset,
            int vSize,
            float[] h,
            int hOffset,
            float[] out,
            int outOffset) {
        int hidden = shape.hiddenSize();
        float[] wih = weights.weightIh[layer];
        float[] whh = weights.weightHh[layer];
        float[] bih = weights.biasIh[layer];
        float[] bhh = weights.biasHh[layer];
        for (int row = 0; row < 3 * hidden; row++) {
            float si = bih[row];
            for (int j = 0; j < vSize; j++) {
                si += wih[row * vSize + j] * v[vOffset + j];
            }
            gatesInput[row] = si;
            float sh = bhh[row];
            for (int j = 0; j < hidden; j++) {
                sh += whh[row * hidden + j] * h[hOffset + j];
            }
            gatesHidden[row] = sh;
        }
        for (int i = 0; i < hidden; i++) {
            float r = sigmoid(gatesInput[i] + gatesHidden[i]);
            float z = sigmoid(gatesInput[hidden + i] + gatesHidden[hidden + i]);
            float n =
                    (float) Math.tanh(gatesInput[2 * hidden + i] + r * gatesHidden[2 * hidden + i]);
            out[outOffset + i] = (1f - z) * n + z * h[hOffset + i];
        }
    }

    private static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    @Override
    public void close() {}
}
