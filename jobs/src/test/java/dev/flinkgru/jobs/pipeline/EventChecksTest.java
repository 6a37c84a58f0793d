package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.state.Timestamps;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The checks every parsed event passes before the operator, at their exact bounds (the harness
 * cases are in {@link ParseEventsTest}).
 */
class EventChecksTest {

    /** A fixed clock: 2025-11-27T08:00:00Z. */
    private static final long NOW = 1_764_230_400_000L;

    private static GruEvent event(String key, long ts) {
        return new GruEvent(key, ts, 0, new float[] {1f});
    }

    @Test
    void theOptionsAndTheirDefaults() {
        EventChecks defaults = EventChecks.fromConfiguration(new Configuration());
        // Defaults: 1024 key bytes, 1 h ahead, no bound behind.
        assertThat(defaults.problem(event("k".repeat(1024), NOW + 3_600_000), NOW)).isNull();
        assertThat(defaults.problem(event("k".repeat(1025), NOW), NOW))
                .isEqualTo("the key is 1025 bytes long, more than job.key.max-bytes = 1024");
        assertThat(defaults.problem(event("k", Long.MIN_VALUE), NOW))
                .as("history of any age, without job.event-time.max-behind")
                .isNull();

        Configuration config = new Configuration();
        config.set(KafkaJobOptions.KEY_MAX_BYTES, 8);
        config.set(KafkaJobOptions.EVENT_TIME_MAX_AHEAD, Duration.ofMinutes(5));
        config.set(KafkaJobOptions.EVENT_TIME_MAX_BEHIND, Duration.ofDays(30));
        EventChecks set = EventChecks.fromConfiguration(config);
        assertThat(set.problem(event("12345678", NOW - Duration.ofDays(30).toMillis()), NOW))
                .isNull();
        assertThat(set.problem(event("123456789", NOW), NOW))
                .isEqualTo("the key is 9 bytes long, more than job.key.max-bytes = 8");
        assertThat(set.problem(event("k", NOW + 300_001), NOW))
                .isEqualTo(
                        "ts 1764230700001 (2025-11-27T08:05:00.001Z) is 300001 ms ahead of the"
                                + " clock, more than job.event-time.max-ahead = 5 min");
        assertThat(set.problem(event("k", NOW - Duration.ofDays(30).toMillis() - 1), NOW))
                .isEqualTo(
                        "ts 1761638399999 (2025-10-28T07:59:59.999Z) is 30 d behind the clock,"
                                + " more than job.event-time.max-behind = 30 d");
    }

    @Test
    void theBoundsAreInclusive() {
        EventChecks checks = new EventChecks(4, Duration.ofHours(1), Duration.ofDays(7));
        assertThat(checks.problem(event("abcd", NOW + 3_600_000), NOW)).isNull();
        assertThat(checks.problem(event("abcd", NOW - 7 * 86_400_000L), NOW)).isNull();
        assertThat(checks.problem(event("éé", NOW), NOW)).as("4 bytes").isNull();
        assertThat(checks.problem(event("abcd", NOW + 3_600_001), NOW))
                .startsWith("ts 1764234000001 (2025-11-27T09:00:00.001Z) is 3600001 ms ahead");
        assertThat(checks.problem(event("abcd", NOW - 7 * 86_400_000L - 1), NOW))
                .contains(" is 7 d behind the clock, more than job.event-time.max-behind = 7 d");
        assertThat(checks.problem(event("abcdé", NOW), NOW))
                .isEqualTo("the key is 6 bytes long, more than job.key.max-bytes = 4");
    }

    @Test
    void keysAreCheckedBeforeTimesAndAnEmptyOrMissingKeyIsNamed() {
        EventChecks checks = new EventChecks(16, Duration.ofHours(1), null);
        assertThat(checks.problem(event(null, NOW), NOW)).isEqualTo("the key is empty");
        assertThat(checks.problem(event("", Long.MAX_VALUE), NOW)).isEqualTo("the key is empty");
        assertThat(checks.problem(event("\udc00x", NOW), NOW))
                .isEqualTo("the key is not valid Unicode: a lone surrogate U+DC00 at index 0");
        // A proper pair (an emoji, 4 bytes) is a key like any other.
        assertThat(checks.problem(event("s-🌡", NOW), NOW)).isNull();
    }

    @Test
    void durationsReadInTheLargestUnitThatFits() {
        EventChecks checks = new EventChecks(16, Duration.ofMinutes(1), Duration.ofHours(1));
        assertThat(checks.problem(event("k", NOW + 36 * 3_600_000L), NOW))
                .contains(
                        " is 36 h ahead of the clock, more than job.event-time.max-ahead = 1 min");
        assertThat(checks.problem(event("k", NOW + 2 * 86_400_000L + 5), NOW))
                .contains(" is 2 d ahead");
        assertThat(checks.problem(event("k", NOW - 90 * 60_000L), NOW))
                .contains(" is 90 min behind the clock");
    }

    @Test
    void timesAtTheEndsOfALongNeverWrapAround() {
        EventChecks checks = new EventChecks(16, Duration.ofHours(1), Duration.ofDays(365));
        // Long.MIN_VALUE - NOW does not fit a long: it is behind the clock, not ahead of it.
        assertThat(checks.problem(event("k", Long.MIN_VALUE), NOW))
                .startsWith("ts -9223372036854775808 (-292275055-05-16T16:47:04.192Z) is ")
                .endsWith(" d behind the clock, more than job.event-time.max-behind = 365 d");
        assertThat(checks.problem(event("k", Long.MAX_VALUE), NOW))
                .startsWith("ts 9223372036854775807 (+292278994-08-17T07:12:55.807Z) is ")
                .endsWith(" d ahead of the clock, more than job.event-time.max-ahead = 1 h");
        assertThat(Timestamps.saturatedDifference(Long.MIN_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
        assertThat(Timestamps.saturatedDifference(Long.MAX_VALUE, -1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timestamps.saturatedDifference(NOW, -NOW)).isEqualTo(2 * NOW);
        assertThat(Timestamps.saturatedDifference(-5, 7)).isEqualTo(-12);
    }
}
