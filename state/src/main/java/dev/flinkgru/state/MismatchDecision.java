package dev.flinkgru.state;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.function.SupplierWithException;

/**
 * What one key's stored state becomes under the model served, as {@link FingerprintMismatchPolicy}
 * says: decided once, here, for the operator (on the key's next event) and for the offline {@code
 * state rewarm} alike.
 *
 * @param outcome which way the decision went
 * @param state the state the key steps from under the model served
 * @param rewarmFrom under {@link Outcome#REWARM}, the events to run through the model from {@code
 *     state} before the key's next event, oldest first, F floats each; else null
 */
@PublicEvolving
public record MismatchDecision(Outcome outcome, HiddenState state, float[] rewarmFrom) {

    /** Which way a decision went. */
    @PublicEvolving
    public enum Outcome {
        /** No state yet: the zero state of the model served. */
        NEW,
        /** A state of the model served (same fingerprint and size), as it is. */
        CURRENT,
        /**
         * {@link FingerprintMismatchPolicy#KEEP}: the old values, of the same size, carried over.
         */
        KEPT,
        /**
         * {@link FingerprintMismatchPolicy#REWARM}: the zero state, to be rebuilt from the key's
         * history ({@link MismatchDecision#rewarmFrom}) before its next event.
         */
        REWARM,
        /**
         * The zero state: {@link FingerprintMismatchPolicy#RESET}, or a KEEP of another size, or a
         * REWARM without history (or with events of another F than the model's).
         */
        RESET
    }

    /**
     * Decides what {@code key}'s {@code stored} state becomes under a model of {@code fingerprint},
     * {@code stateSize} = L·H and {@code inputSize} = F.
     *
     * @param stored the key's state, or null for a new key
     * @param history the key's last events, or null for none; asked for only under {@link
     *     FingerprintMismatchPolicy#REWARM} when the state is of another model
     * @throws FingerprintMismatchPolicy.MismatchException under {@link
     *     FingerprintMismatchPolicy#FAIL} for a state of another model
     */
    public static MismatchDecision decide(
            FingerprintMismatchPolicy policy,
            Object key,
            HiddenState stored,
            long fingerprint,
            int stateSize,
            int inputSize,
            SupplierWithException<FeatureHistory, Exception> history)
            throws Exception {
        if (stored == null) {
            return new MismatchDecision(
                    Outcome.NEW, HiddenState.zero(stateSize, fingerprint), null);
        }
        if (stored.modelFingerprint() == fingerprint && stored.size() == stateSize) {
            return new MismatchDecision(Outcome.CURRENT, stored, null);
        }
        switch (policy) {
            case FAIL:
                throw new FingerprintMismatchPolicy.MismatchException(
                        key, stored.modelFingerprint(), fingerprint);
            case KEEP:
                if (stored.size() == stateSize) {
                    return new MismatchDecision(
                            Outcome.KEPT,
                            new HiddenState(
                                    stored.values(),
                                    stored.steps(),
                                    stored.lastEventTime(),
                                    fingerprint),
                            null);
                }
                break;
            case REWARM:
                FeatureHistory events = history.get();
                if (events != null && events.size() > 0 && events.features() == inputSize) {
                    return new MismatchDecision(
                            Outcome.REWARM,
                            new HiddenState(
                                    new float[stateSize],
                                    events.size(),
                                    stored.lastEventTime(),
                                    fingerprint),
                            events.events());
                }
                break;
            case RESET:
            default:
                break;
        }
        return new MismatchDecision(Outcome.RESET, HiddenState.zero(stateSize, fingerprint), null);
    }
}
