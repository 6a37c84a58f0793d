package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruEvent;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    private final float[] features;
    private final int featureCount;
    private final boolean holdAtEnd;

    ReplaySource(List<GruEvent> events, int featureCount, boolean holdAtEnd) {
        this.featureCount = featureCount;
        this.holdAtEnd = holdAtEnd;
        keys = new String[events.size()];
        ids = new long[events.size()];
        features = new float[events.size() * featureCount];
        for (int i = 0; i < events.size(); i++) {
            GruEvent e = events.get(i);
            keys[i] = e.key;
            ids[i] = e.eventId;
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
        return new GruEvent(keys[i], ids[i], ids[i], x);
    }

    /** Emits events {@code [0, end)}, then ends or idles. */
    private final class Reader implements SourceReader<GruEvent, NoSplit> {

        private final int end;
        private final CompletableFuture<Void> never = new CompletableFuture<>();
        private int next;

        Reader(int end) {
            this.end = end;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<GruEvent> output) {
            if (next < end) {
                GruEvent event = event(next++);
                output.collect(event, event.timestamp);
            }
            if (next < end) {
                return InputStatus.MORE_AVAILABLE;
            }
            return holdAtEnd ? InputStatus.NOTHING_AVAILABLE : InputStatus.END_OF_INPUT;
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
