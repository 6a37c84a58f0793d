package dev.flinkgru.state;

import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * TTL for idle keys: a key's hidden state expires {@code ttl} of processing time after its last
 * write, and an expired state is never returned (the key starts again from zero state).
 */
@Internal
public final class HiddenStateTtl {

    private HiddenStateTtl() {}

    /** The TTL configuration for hidden states that expire after {@code ttl} without an event. */
    public static StateTtlConfig idleAfter(Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("State TTL must be positive, was " + ttl);
        }
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .cleanupIncrementally(10, false)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }
}
