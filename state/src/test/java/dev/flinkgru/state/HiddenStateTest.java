package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HiddenStateTest {

    @Test
    void advanceCopiesOneStateAndCountsTheStep() {
        HiddenState state = HiddenState.zero(2, 9L);
        state.advance(new float[] {0f, 1f, 2f, 3f}, 2, 500L);
        assertThat(state.values()).containsExactly(2f, 3f);
        assertThat(state.steps()).isEqualTo(1);
        assertThat(state.lastEventTime()).isEqualTo(500L);
        assertThat(state.modelFingerprint()).isEqualTo(9L);
    }

    @Test
    void copiesAreDeep() {
        HiddenState state = new HiddenState(new float[] {1f}, 1, 2, 3);
        HiddenState copy = state.copy();
        state.values()[0] = 5f;
        assertThat(copy.values()).containsExactly(1f);
    }

    @Test
    void fingerprintIsTheSha256PrefixOfTheFile(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("m.pt"), "abc");
        // sha256("abc") = ba7816bf8f01cfea...
        assertThat(ModelFingerprint.toHex(ModelFingerprint.of(file))).isEqualTo("ba7816bf8f01cfea");
        assertThat(ModelFingerprint.fromHex("ba7816bf8f01cfea"))
                .isEqualTo(ModelFingerprint.of(file));
    }

    @Test
    void ttlExpiresIdleKeysAndNeverReturnsExpiredStates() {
        StateTtlConfig ttl = HiddenStateTtl.idleAfter(Duration.ofMinutes(30));
        assertThat(ttl.getTimeToLive()).isEqualTo(Duration.ofMinutes(30));
        assertThat(ttl.getUpdateType()).isEqualTo(StateTtlConfig.UpdateType.OnCreateAndWrite);
        assertThat(ttl.getStateVisibility())
                .isEqualTo(StateTtlConfig.StateVisibility.NeverReturnExpired);
        assertThatThrownBy(() -> HiddenStateTtl.idleAfter(Duration.ZERO))
                .hasMessageContaining("positive");
    }
}
