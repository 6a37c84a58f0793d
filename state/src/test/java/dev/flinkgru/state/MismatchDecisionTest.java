package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.state.MismatchDecision.Outcome;
import org.junit.jupiter.api.Test;

/** Each way the per-key decision goes, for each policy. */
class MismatchDecisionTest {

    private static final long OLD = 0xA1L;
    private static final long NEW = 0xB2L;

    /** L·H 2, F 1. */
    private static MismatchDecision decide(
            FingerprintMismatchPolicy policy, HiddenState stored, FeatureHistory history)
            throws Exception {
        return MismatchDecision.decide(policy, "k", stored, NEW, 2, 1, () -> history);
    }

    private static HiddenState old(int size) {
        return new HiddenState(new float[size], 7, 1000, OLD);
    }

    private static FeatureHistory history(int features, float... events) {
        FeatureHistory ring = FeatureHistory.empty(features, 4);
        for (int i = 0; i < events.length; i += features) {
            ring.append(events, i);
        }
        return ring;
    }

    @Test
    void aNewKeyStartsFromTheZeroStateOfTheModel() throws Exception {
        MismatchDecision d = decide(FingerprintMismatchPolicy.FAIL, null, null);
        assertThat(d.outcome()).isEqualTo(Outcome.NEW);
        assertThat(d.state()).isEqualTo(HiddenState.zero(2, NEW));
        assertThat(d.rewarmFrom()).isNull();
    }

    @Test
    void aStateOfTheModelIsKeptAsItIsWhateverThePolicy() throws Exception {
        HiddenState current = new HiddenState(new float[] {1f, 2f}, 3, 5, NEW);
        for (FingerprintMismatchPolicy policy : FingerprintMismatchPolicy.values()) {
            MismatchDecision d =
                    MismatchDecision.decide(
                            policy,
                            "k",
                            current,
                            NEW,
                            2,
                            1,
                            () -> {
                                throw new AssertionError("no history is read");
                            });
            assertThat(d.outcome()).isEqualTo(Outcome.CURRENT);
            assertThat(d.state()).isSameAs(current);
        }
    }

    @Test
    void failNamesTheKeyAndBothModels() {
        assertThatThrownBy(() -> decide(FingerprintMismatchPolicy.FAIL, old(2), null))
                .isInstanceOf(FingerprintMismatchPolicy.MismatchException.class)
                .hasMessageContaining("key 'k'")
                .hasMessageContaining(ModelFingerprint.toHex(OLD))
                .hasMessageContaining(ModelFingerprint.toHex(NEW));
    }

    @Test
    void keepCarriesAStateOfTheSameSizeOverAndResetsAnother() throws Exception {
        HiddenState stored = new HiddenState(new float[] {1f, 2f}, 7, 1000, OLD);
        MismatchDecision kept = decide(FingerprintMismatchPolicy.KEEP, stored, null);
        assertThat(kept.outcome()).isEqualTo(Outcome.KEPT);
        assertThat(kept.state()).isEqualTo(new HiddenState(new float[] {1f, 2f}, 7, 1000, NEW));

        MismatchDecision other = decide(FingerprintMismatchPolicy.KEEP, old(3), null);
        assertThat(other.outcome()).isEqualTo(Outcome.RESET);
        assertThat(other.state()).isEqualTo(HiddenState.zero(2, NEW));
    }

    @Test
    void rewarmRebuildsFromTheHistoryOfTheModelsFeatures() throws Exception {
        MismatchDecision d =
                decide(FingerprintMismatchPolicy.REWARM, old(2), history(1, 3f, 4f, 5f));
        assertThat(d.outcome()).isEqualTo(Outcome.REWARM);
        assertThat(d.rewarmFrom()).containsExactly(3f, 4f, 5f);
        assertThat(d.state()).isEqualTo(new HiddenState(new float[2], 3, 1000, NEW));
    }

    @Test
    void rewarmWithoutHistoryOrWithAnotherFResets() throws Exception {
        assertThat(decide(FingerprintMismatchPolicy.REWARM, old(2), null).outcome())
                .isEqualTo(Outcome.RESET);
        assertThat(decide(FingerprintMismatchPolicy.REWARM, old(2), history(1)).outcome())
                .isEqualTo(Outcome.RESET);
        MismatchDecision otherF =
                decide(FingerprintMismatchPolicy.REWARM, old(2), history(2, 1f, 2f));
        assertThat(otherF.outcome()).isEqualTo(Outcome.RESET);
        assertThat(otherF.state()).isEqualTo(HiddenState.zero(2, NEW));
        assertThat(otherF.rewarmFrom()).isNull();
    }

    @Test
    void resetStartsFromTheZeroState() throws Exception {
        MismatchDecision d = decide(FingerprintMismatchPolicy.RESET, old(2), history(1, 1f));
        assertThat(d.outcome()).isEqualTo(Outcome.RESET);
        assertThat(d.state()).isEqualTo(HiddenState.zero(2, NEW));
    }
}
