package dev.flinkgru.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.GatedPredictorFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The shared device batcher with the gated counting fake. */
class DeviceBatcherTest {

    /** One request of {@code rows} rows with x = first, first + 1, ... and zero states. */
    private static final class Rows {
        final float[] x;
        final float[] h;
        final float[] y;
        final float[] hNext;
        final int rows;

        Rows(int rows, float first) {
            this.rows = rows;
            x = new float[rows];
            for (int i = 0; i < rows; i++) {
                x[i] = first + i;
            }
            h = new float[2 * rows];
            y = new float[2 * rows];
            hNext = new float[2 * rows];
        }

        CompletableFuture<Void> submit(DeviceBatcher batcher) {
            return batcher.submit(rows, x, h, y, hNext);
        }
    }

    @Test
    void aJoinedCallThatFailsAnswersEachRequestOnItsOwn(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        GatedPredictorFactory factory = new GatedPredictorFactory(name);
        var lease = DeviceBatcher.acquire(name, 8, Duration.ZERO, () -> factory.open(1, 8));
        DeviceBatcher batcher = lease.get();
        GatedPredictorFactory.Gate gate = GatedPredictorFactory.gate(name);
        try {
            Rows first = new Rows(2, 1);
            Rows good = new Rows(3, 10);
            Rows bad = new Rows(3, 20);
            bad.x[1] = CountingPredictorFactory.FAIL;
            CompletableFuture<Void> firstDone = first.submit(batcher);
            gate.awaitEntered(1);
            CompletableFuture<Void> goodDone = good.submit(batcher);
            CompletableFuture<Void> badDone = bad.submit(batcher);
            gate.open();

            firstDone.get();
            goodDone.get();
            assertThat(badDone)
                    .failsWithin(java.time.Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining(CountingPredictorFactory.FAILURE_MESSAGE);
            // The joined call of 6 rows, then each request alone.
            assertThat(gate.calls()).extracting(List::size).containsExactly(2, 6, 3, 3);
            assertThat(good.y).containsExactly(10f, 1f, 11f, 1f, 12f, 1f);
            assertThat(first.y).containsExactly(1f, 1f, 2f, 1f);
            assertThat(batcher.calls()).isEqualTo(4);
            assertThat(batcher.rowsPerCall().getStatistics().getMax()).isEqualTo(6);
        } finally {
            lease.close();
        }
    }

    @Test
    void aCallWaitsUpToMaxWaitForMoreRowsToJoinIt(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        GatedPredictorFactory factory = new GatedPredictorFactory(name);
        GatedPredictorFactory.Gate gate = GatedPredictorFactory.gate(name);
        gate.open();
        var lease = DeviceBatcher.acquire(name, 8, Duration.ofMinutes(1), () -> factory.open(1, 8));
        DeviceBatcher batcher = lease.get();
        try {
            Rows a = new Rows(3, 1);
            Rows b = new Rows(5, 10);
            CompletableFuture<Void> aDone = a.submit(batcher);
            // The device is idle, but the call waits: for up to a minute, or until 8 rows.
            assertThat(aDone.isDone()).isFalse();
            CompletableFuture<Void> bDone = b.submit(batcher);
            aDone.get();
            bDone.get();
            assertThat(gate.calls()).extracting(List::size).containsExactly(8);
        } finally {
            lease.close();
        }
    }

    @Test
    void theBatcherIsSharedByKeyAndStopsWithItsLastHold(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        CountingPredictorFactory factory = new CountingPredictorFactory(name, 1L);
        var one = DeviceBatcher.acquire(name, 4, Duration.ofMillis(1), () -> factory.open(1, 4));
        var two = DeviceBatcher.acquire(name, 4, Duration.ofMillis(1), () -> factory.open(1, 4));
        assertThat(two.get()).isSameAs(one.get());
        one.close();
        one.close(); // a lease is returned once
        Rows rows = new Rows(4, 1);
        rows.submit(two.get()).get();
        assertThat(rows.y).containsExactly(1f, 1f, 2f, 1f, 3f, 1f, 4f, 1f);
        two.close();
        var three = DeviceBatcher.acquire(name, 4, Duration.ofMillis(1), () -> factory.open(1, 4));
        assertThat(three.get()).isNotSameAs(one.get());
        three.close();
    }
}
