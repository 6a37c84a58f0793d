package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruEvent;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The replay's events, in file order, from one reader (run it at parallelism 1). Either it ends
 * after the last event, or ({@code holdAtEnd}) it then stays idle and the job keeps running, so
 * that a savepoint can be taken of exactly these events: {@code replay --stop-after N}.
 *
 * <p>With a watermark bound it emits watermarks itself, deterministically: the first is the one the
 * rows of earlier runs left ({@code previousMaxTs}), then one after each event that raises it, the
 * largest timestamp so far less the bound less 1 ms (as Flink's bounded out-of-orderness does), so
 * a row is late exactly when it is more than the bound behind every row before it.
 *
 * <p>It has no splits and keeps no position in its state: which rows a run reads is decided before
 * the run (a resumed run is given the rows after the savepoint's), so restoring its (empty) state
 * at any parallelism changes nothing.
 */
final class ReplaySource
        implements Source<GruEvent, ReplaySource.NoSplit, Void>, ResultTypeQueryable<GruEvent> {

    private static final long serialVersionUID = 1L;

    // The events as plain arrays: GruEvent is not Serializable, and these are compact.
    private final String[] keys;
    private final long[] ids;
    private final long[] timestamps;
    private final String[] origins;
    private final float[] features;
    private final int featureCount;
    private final boolean holdAtEnd;

    /** How far watermarks trail the largest timestamp, in ms, or -1 for no watermarks. */
    private final long watermarkBound;

    /** The largest timestamp of the rows of earlier runs, or Long.MIN_VALUE. */
    private final long previousMaxTs;

    /** A source without watermarks. */
    ReplaySource(List<GruEvent> events, int featureCount, boolean holdAtEnd) {
        this(events, featureCount, holdAtEnd, -1, Long.MIN_VALUE);
    }

    /**
     * @param watermarkBound how far watermarks trail the largest timestamp read, in ms; -1: none
     * @param previousMaxTs the largest timestamp of the rows earlier runs read, or Long.MIN_VALUE
     */
    ReplaySource(
            List<GruEvent> events,
            int featureCount,
            boolean holdAtEnd,
            long watermarkBound,
            long previousMaxTs) {
        this.featureCount = featureCount;
        this.holdAtEnd = holdAtEnd;
        this.watermarkBound = watermarkBound;
        this.previousMaxTs = previousMaxTs;
        keys = new String[events.size()];
        ids = new long[events.size()];
        timestamps = new long[events.size()];
        origins = new String[events.size()];
        features = new float[events.size() * featureCount];
        for (int i = 0; i < events.size(); i++) {
            GruEvent e = events.get(i);
            keys[i] = e.key;
            ids[i] = e.eventId;
            timestamps[i] = e.timestamp;
            origins[i] = e.origin;
            System.arraycopy(e.features, 0, features, i * featureCount, featureCount);
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return holdAtEnd ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<GruEvent, NoSplit> createReader(SourceReaderContext context) {
        return new Reader(context.getIndexOfSubtask() == 0 ? keys.length : 0);
    }

    @Override
    public SplitEnumerator<NoSplit, Void> createEnumerator(
            SplitEnumeratorContext<NoSplit> context) {
        return new IdleEnumerator();
    }

    @Override
    public SplitEnumerator<NoSplit, Void> restoreEnumerator(
            SplitEnumeratorContext<NoSplit> context, Void checkpoint) {
        return new IdleEnumerator();
    }

    @Override
    public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
        return new NoSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new EmptyCheckpointSerializer();
    }

    @Override
    public TypeInformation<GruEvent> getProducedType() {
        return TypeInformation.of(GruEvent.class);
    }

    private GruEvent event(int i) {
        float[] x = Arrays.copyOfRange(features, i * featureCount, (i + 1) * featureCount);
        return new GruEvent(keys[i], timestamps[i], ids[i], x).withOrigin(origins[i]);
    }

    /** The watermark after rows whose largest timestamp is {@code maxTs}. */
    static long watermarkAfter(long maxTs, long bound) {
        return maxTs < Long.MIN_VALUE + bound + 1 ? Long.MIN_VALUE : maxTs - bound - 1;
    }

    /**
     * The last watermark a run over {@code events} emits (Long.MIN_VALUE if none): the one every
     * row's fate (stepped, late or waiting) is decided by.
     */
    static long finalWatermark(List<GruEvent> events, long bound, long previousMaxTs) {
        long max = previousMaxTs;
        for (GruEvent e : events) {
            max = Math.max(max, e.timestamp);
        }
        return watermarkAfter(max, bound);
    }

    /** Emits events {@code [0, end)}, then ends or idles. */
    private final class Reader implements SourceReader<GruEvent, NoSplit> {

        private final int end;
        private final CompletableFuture<Void> never = new CompletableFuture<>();
        private int next;
        private long maxTs = previousMaxTs;
        private long watermark = Long.MIN_VALUE;
        private boolean started;

        Reader(int end) {
            this.end = end;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<GruEvent> output) {
            if (!started) {
                started = true;
                emitWatermark(output); // where the rows of earlier runs left it
            }
            if (next < end) {
                GruEvent event = event(next++);
                output.collect(event, event.timestamp);
                maxTs = Math.max(maxTs, event.timestamp);
                emitWatermark(output);
            }
            if (next < end) {
                return InputStatus.MORE_AVAILABLE;
            }
            return holdAtEnd ? InputStatus.NOTHING_AVAILABLE : InputStatus.END_OF_INPUT;
        }

        private void emitWatermark(ReaderOutput<GruEvent> output) {
            if (watermarkBound < 0) {
                return;
            }
            long next = watermarkAfter(maxTs, watermarkBound);
            if (next > watermark) {
                watermark = next;
                output.emitWatermark(new Watermark(next));
            }
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            // Idle for good once everything is out; stop-with-savepoint ends the task anyway.
            return next < end || !holdAtEnd ? CompletableFuture.completedFuture(null) : never;
        }

        @Override
        public List<NoSplit> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public void addSplits(List<NoSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    /** The source has no splits; this type only satisfies the interface. */
    static final class NoSplit implements SourceSplit {
        @Override
        public String splitId() {
            return "replay";
        }
    }

    private static final class IdleEnumerator implements SplitEnumerator<NoSplit, Void> {
        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<NoSplit> splits, int subtaskId) {}

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private static final class NoSplitSerializer implements SimpleVersionedSerializer<NoSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(NoSplit split) {
            return new byte[0];
        }

        @Override
        public NoSplit deserialize(int version, byte[] serialized) {
            return new NoSplit();
        }
    }

    private static final class EmptyCheckpointSerializer
            implements SimpleVersionedSerializer<Void> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Void checkpoint) {
            return new byte[0];
        }

        @Override
        public Void deserialize(int version, byte[] serialized) {
            return null;
        }
    }
}
