package dev.flinkgru.operator.predictor;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A model returned what its contract forbids ({@code forward(x[B,F], h[L,B,H]) -> (y[B,O],
 * h[L,B,H])}, float32): outputs of the wrong number, shape or type. A bug of the model, not of one
 * event, so the operator fails the task instead of refusing rows.
 */
@PublicEvolving
public class ModelContractException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }
}
