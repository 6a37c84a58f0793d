package dev.flinkgru.tools.state;

import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.runtime.SavepointLoader;

/**
 * A Flink savepoint that holds state of the GRU operator's uid, found from a directory that is
 * either a savepoint directory of {@code replay}/{@code state bootstrap} (with {@link
 * ReplaySavepoint#FILE_NAME}) or a Flink savepoint directory itself (with {@code _metadata}), such
 * as one the Kafka jobs wrote.
 */
final class GruSavepoint {

    private final Path path;
    private final ReplaySavepoint manifest;
    private final String uid;
    private final OperatorState operator;

    private GruSavepoint(Path path, ReplaySavepoint manifest, String uid, OperatorState operator) {
        this.path = path;
        this.manifest = manifest;
        this.uid = uid;
        this.operator = operator;
    }

    /**
     * The savepoint at {@code dir}, checked to hold state of operator {@code uid}; otherwise a
     * {@link CliException} that says what {@code dir} is not.
     */
    static GruSavepoint open(Path dir, String uid) {
        if (!Files.isDirectory(dir)) {
            throw CliException.failure(dir + " is not a directory");
        }
        ReplaySavepoint manifest = null;
        Path path = dir;
        if (ReplaySavepoint.isManifestDirectory(dir)) {
            manifest = ReplaySavepoint.load(dir);
            path = manifest.savepoint();
        } else if (!ReplaySavepoint.isFlinkSavepoint(dir)) {
            throw CliException.failure(
                    dir
                            + " is not a savepoint: it has neither "
                            + ReplaySavepoint.FILE_NAME
                            + " nor a Flink "
                            + ReplaySavepoint.METADATA
                            + " file");
        }
        CheckpointMetadata metadata;
        try {
            metadata = SavepointLoader.loadSavepointMetadata(path.toUri().toString());
        } catch (IOException | RuntimeException e) {
            throw new CliException(
                    CliException.FAILURE,
                    "cannot read the savepoint " + path + ": " + firstLine(e),
                    e);
        }
        OperatorID id = OperatorIdentifier.forUid(uid).getOperatorId();
        for (OperatorState state : metadata.getOperatorStates()) {
            if (state.getOperatorID().equals(id)) {
                return new GruSavepoint(path, manifest, uid, state);
            }
        }
        throw CliException.failure(
                "the savepoint "
                        + path
                        + " holds no state of operator uid '"
                        + uid
                        + "' (it has state of "
                        + metadata.getOperatorStates().size()
                        + " other operators); is it a savepoint of a flink-gru job?");
    }

    /** The Flink savepoint directory. */
    Path path() {
        return path;
    }

    /** The manifest next to it, or null for a bare Flink savepoint. */
    ReplaySavepoint manifest() {
        return manifest;
    }

    String uid() {
        return uid;
    }

    /** Key groups of the operator's keyed state. */
    int maxParallelism() {
        return operator.getMaxParallelism();
    }

    /** Parallelism of the operator when the savepoint was taken. */
    int parallelism() {
        return operator.getParallelism();
    }

    /** Bytes of all files in the savepoint directory. */
    long bytes() {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(GruSavepoint::size).sum();
        } catch (IOException e) {
            throw CliException.failure("cannot list " + path + ": " + e.getMessage());
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw CliException.failure("cannot read " + file + ": " + e.getMessage());
        }
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.split("\n", 2)[0];
    }
}
