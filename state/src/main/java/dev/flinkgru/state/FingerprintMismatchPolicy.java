package dev.flinkgru.state;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What the operator does with a restored hidden state whose model fingerprint differs from the
 * loaded model's (the model was replaced between runs, or swapped while the job runs).
 */
@PublicEvolving
public enum FingerprintMismatchPolicy {
    /** Start the key again from the zero state; the operator counts each reset in a metric. */
    RESET,
    /** Fail the task: states from another model must not be used. */
    FAIL,
    /**
     * Carry a state of the same size (L·H) over to the new model, as it is (fine-tuned models of
     * one architecture); a state of another size is reset. Counted as kept, or as reset.
     */
    KEEP,
    /**
     * Rebuild the state by running the key's recent history (the last {@code gru.state.history}
     * events the operator keeps per key) through the new model from the zero state, before the
     * key's next event; a key without history is reset. Counted as rewarmed, or as reset.
     */
    REWARM;

    /** Thrown under {@link #FAIL}. */
    public static final class MismatchException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public MismatchException(Object key, long stateFingerprint, long modelFingerprint) {
            super(
                    "Hidden state of key '"
                            + key
                            + "' was produced by model "
                            + ModelFingerprint.toHex(stateFingerprint)
                            + " but the loaded model is "
                            + ModelFingerprint.toHex(modelFingerprint)
                            + " (policy FAIL; RESET restarts such keys from the zero state, KEEP"
                            + " carries their states over, REWARM rebuilds them from their"
                            + " history)");
        }
    }
}
