package dev.flinkgru.state;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What the operator does with a restored hidden state whose model fingerprint differs from the
 * loaded model's (the model was replaced between runs).
 */
@PublicEvolving
public enum FingerprintMismatchPolicy {
    /** Start the key again from the zero state; the operator counts each reset in a metric. */
    RESET,
    /** Fail the task: states from another model must not be used. */
    FAIL;

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
                            + " (policy 'fail'; use 'reset' to restart such keys from zero state)");
        }
    }
}
