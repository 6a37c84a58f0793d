package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.CloseableIterator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MiniClusters the tools start ({@link LocalCluster}): closed to the network, checkpoints on
 * the file system, and a job that fails every checkpoint stops after the bounded restarts, each
 * failure and its cause one line on stderr.
 */
class LocalClusterITCase {

    @TempDir Path tmp;

    @Test
    void everySocketALocalJobListensOnIsOnTheLoopbackAddress() throws Exception {
        List<InetSocketAddress> before = ListeningSockets.ofThisJvm();
        StreamExecutionEnvironment env =
                LocalCluster.environment("test", LocalCluster.forJobs(tmp, new Configuration()));
        env.setParallelism(2);
        env.enableCheckpointing(100);
        List<InetSocketAddress> during;
        // An endless job: the first result comes through the collect sink's server while it
        // runs, so the REST endpoint, the blob server and that server all listen then. Closing
        // the results cancels it.
        try (CloseableIterator<Long> results =
                env.fromSequence(1, Long.MAX_VALUE)
                        .keyBy(n -> n % 100)
                        .map(n -> n)
                        .executeAndCollect("loopback only")) {
            assertThat(results.next()).isPositive();
            during = ListeningSockets.ofThisJvm();
        }

        List<InetSocketAddress> opened = new ArrayList<>(during);
        opened.removeAll(before);
        assertThat(opened)
                .as(
                        "the sockets the local cluster listened on (REST, blob server, collect"
                                + " sink); before it: %s",
                        before)
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(
                        socket ->
                                assertThat(socket.getAddress().isLoopbackAddress())
                                        .as("%s is on the loopback address", socket)
                                        .isTrue());
        assertThat(jobDirectories(tmp.resolve("checkpoints")))
                .as("the job's checkpoint directory, under the state directory")
                .hasSize(1);
    }

    @Test
    void aJobThatFailsEveryCheckpointStopsAfterTheBoundedRestartsWithItsCause() throws Exception {
        StreamExecutionEnvironment env =
                LocalCluster.environment(
                        "flink-gru test", LocalCluster.forJobs(tmp, new Configuration()));
        env.setParallelism(1);
        env.enableCheckpointing(50);
        env.fromSequence(1, Long.MAX_VALUE)
                .map(new FailingSnapshots())
                .sinkTo(new DiscardingSink<>());

        StderrRun run = StderrRun.of(() -> env.execute("fails every checkpoint"));
        Throwable failure = run.failure;
        List<String> lines = run.lines;

        assertThat(failure).as("the job's failure").isNotNull();
        CliException error = LocalCluster.jobFailed(failure);
        assertThat(error.exitCode()).isEqualTo(CliException.FAILURE);
        assertThat(error.getMessage())
                .startsWith(
                        "the job failed (gave up after "
                                + LocalCluster.RESTART_ATTEMPTS
                                + " restarts): ")
                .doesNotContain("\n");
        assertThat(lines)
                .as("one line per failure, with its cause, and no stack trace")
                .filteredOn(line -> line.startsWith("flink-gru test: the job failed and restarts"))
                .hasSize(LocalCluster.RESTART_ATTEMPTS)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .matches(
                                                ".*: java.lang.IllegalStateException: snapshot \\d+"
                                                        + " failed on purpose"));
        assertThat(lines).noneMatch(line -> line.startsWith("\tat "));
        assertThat(error.getMessage()).contains("failed on purpose");
    }

    /**
     * A checkpoint that fails in its asynchronous part (writing a task's state) is one Flink counts
     * against the tolerable failures (0): each is a line of its own, and the job fails with it.
     */
    @Test
    void eachCheckpointThatFailsIsALineOnStderr() {
        StreamExecutionEnvironment env =
                LocalCluster.environment(
                        "flink-gru test", LocalCluster.forJobs(tmp, new Configuration()));
        env.setParallelism(1);
        env.enableCheckpointing(50);
        env.fromSequence(1, Long.MAX_VALUE)
                .map(new UnwritableState())
                .sinkTo(new DiscardingSink<>());

        StderrRun run = StderrRun.of(() -> env.execute("fails every checkpoint's async part"));

        assertThat(run.failure).as("the job's failure").isNotNull();
        assertThat(run.lines)
                .as("the failed checkpoints")
                .filteredOn(line -> line.matches("flink-gru test: checkpoint \\d+ failed: .+"))
                .hasSizeGreaterThanOrEqualTo(LocalCluster.RESTART_ATTEMPTS)
                .allSatisfy(
                        line -> assertThat(line).contains("Asynchronous task checkpoint failed"));
        assertThat(run.lines)
                .filteredOn(line -> line.startsWith("flink-gru test: the job failed and restarts"))
                .hasSize(LocalCluster.RESTART_ATTEMPTS);
        assertThat(LocalCluster.jobFailed(run.failure).getMessage())
                .startsWith("the job failed (gave up after ");
    }

    private static List<Path> jobDirectories(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).toList();
        }
    }

    /** What a job printed on stderr while it ran, and how it failed. */
    private static final class StderrRun {
        final Throwable failure;
        final List<String> lines;

        private StderrRun(Throwable failure, List<String> lines) {
            this.failure = failure;
            this.lines = lines;
        }

        static StderrRun of(ThrowingCallable job) {
            PrintStream savedErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Throwable failure;
            try {
                failure = catchThrowable(job);
            } finally {
                System.setErr(savedErr);
            }
            String stderr = err.toString(StandardCharsets.UTF_8);
            savedErr.print(stderr);
            return new StderrRun(failure, stderr.lines().toList());
        }
    }

    /** Passes numbers on, keeping the last in operator state that no checkpoint can write. */
    private static final class UnwritableState
            implements MapFunction<Long, Long>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private transient ListState<Long> last;

        @Override
        public Long map(Long n) throws Exception {
            last.update(List.of(n));
            return n;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            last =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("last", new UnwritableLongs()));
        }
    }

    /** Longs that copy, but never serialize: a checkpoint's asynchronous part fails on them. */
    private static final class UnwritableLongs extends TypeSerializerSingleton<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Long createInstance() {
            return 0L;
        }

        @Override
        public Long copy(Long from) {
            return from;
        }

        @Override
        public Long copy(Long from, Long reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return Long.BYTES;
        }

        @Override
        public void serialize(Long record, DataOutputView target) throws IOException {
            throw new IOException("state write " + record + " failed on purpose");
        }

        @Override
        public Long deserialize(DataInputView source) throws IOException {
            return source.readLong();
        }

        @Override
        public Long deserialize(Long reuse, DataInputView source) throws IOException {
            return source.readLong();
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            target.writeLong(source.readLong());
        }

        @Override
        public TypeSerializerSnapshot<Long> snapshotConfiguration() {
            return new Snapshot();
        }

        /** The snapshot of {@link UnwritableLongs}. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Long> {
            public Snapshot() {
                super(UnwritableLongs::new);
            }
        }
    }

    /** Passes numbers on; each snapshot of its state throws. */
    private static final class FailingSnapshots
            implements MapFunction<Long, Long>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long n) {
            return n;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            throw new IllegalStateException(
                    "snapshot " + context.getCheckpointId() + " failed on purpose");
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }
}
