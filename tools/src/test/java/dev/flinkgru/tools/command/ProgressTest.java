package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress lines, on a clock the test moves. */
class ProgressTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Progress progress =
            new Progress("replay", new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aShortRunPrintsNothing() {
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 9; i++) {
            advance(1);
            assertThat(progress.report(() -> "line " + computed.incrementAndGet())).isFalse();
        }
        assertThat(printed()).isEmpty();
        assertThat(computed).as("the line is not even made").hasValue(0);
    }

    @Test
    void aLongRunPrintsAtMostOneLinePerInterval() {
        advance(Progress.QUIET.toSeconds());
        assertThat(progress.report(() -> "1,000 rows read")).isTrue();
        advance(Progress.EVERY.toSeconds() - 1);
        assertThat(progress.report(() -> "2,000 rows read")).isFalse();
        advance(1);
        assertThat(progress.report(() -> "3,000 rows read")).isTrue();
        assertThat(printed())
                .isEqualTo("replay: 1,000 rows read (10 s)\nreplay: 3,000 rows read (20 s)\n");
    }

    @Test
    void smallWorkNeverReportsHoweverLongItTakes() {
        Progress small = progress.forWork(Progress.LARGE - 1);
        advance(3600);
        assertThat(small.report(() -> "2 events")).isFalse();
        assertThat(small.forWork(Progress.LARGE)).as("silent stays silent").isNotSameAs(progress);
        assertThat(small.forWork(Progress.LARGE).report(() -> "x")).isFalse();
        assertThat(printed()).isEmpty();
        Progress large = progress.forWork(Progress.LARGE);
        assertThat(large).isSameAs(progress);
        assertThat(large.report(() -> "100,000 events")).isTrue();
        assertThat(printed()).isEqualTo("replay: 100,000 events (1 h 00 min)\n");
    }

    @Test
    void sayPrintsAtOnce() {
        advance(75);
        progress.say("[1/3] heap H=64 no-model: throughput");
        assertThat(printed())
                .isEqualTo("replay: [1/3] heap H=64 no-model: throughput (1 min 15 s)\n");
    }

    @Test
    void elapsedReadsInSecondsMinutesAndHours() {
        assertThat(Progress.elapsed(TimeUnit.MILLISECONDS.toNanos(999))).isEqualTo("0 s");
        assertThat(Progress.elapsed(TimeUnit.SECONDS.toNanos(59))).isEqualTo("59 s");
        assertThat(Progress.elapsed(TimeUnit.SECONDS.toNanos(65))).isEqualTo("1 min 05 s");
        assertThat(Progress.elapsed(TimeUnit.SECONDS.toNanos(3 * 3600 + 125)))
                .isEqualTo("3 h 02 min");
        assertThat(Progress.elapsed(-5)).isEqualTo("0 s");
    }
}
