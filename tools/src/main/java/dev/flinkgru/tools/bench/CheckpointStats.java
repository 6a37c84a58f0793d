package dev.flinkgru.tools.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The checkpoints of one bench run (with {@code --checkpoint-interval-ms}).
 *
 * @param count checkpoints completed
 * @param medianMillis median duration, trigger to completion
 * @param maxMillis longest duration
 * @param medianBytes median checkpointed size: what the checkpoint wrote (an incremental RocksDB
 *     checkpoint: the files new since the last one)
 * @param fullBytes the last checkpoint's full size: all the state it refers to
 */
record CheckpointStats(
        int count, double medianMillis, double maxMillis, long medianBytes, long fullBytes) {

    /** No checkpoints (none taken, or checkpointing off). */
    static final CheckpointStats NONE = new CheckpointStats(0, 0, 0, 0, 0);

    /** One completed checkpoint: its duration, checkpointed size and full size. */
    record Checkpoint(long millis, long bytes, long fullBytes) {}

    /** The figures of {@code checkpoints}, in completion order. */
    static CheckpointStats of(List<Checkpoint> checkpoints) {
        if (checkpoints.isEmpty()) {
            return NONE;
        }
        List<Checkpoint> byMillis = new ArrayList<>(checkpoints);
        byMillis.sort(Comparator.comparingLong(Checkpoint::millis));
        List<Checkpoint> byBytes = new ArrayList<>(checkpoints);
        byBytes.sort(Comparator.comparingLong(Checkpoint::bytes));
        int n = checkpoints.size();
        return new CheckpointStats(
                n,
                byMillis.get(n / 2).millis(),
                byMillis.get(n - 1).millis(),
                byBytes.get(n / 2).bytes(),
                checkpoints.get(n - 1).fullBytes());
    }
}
