package dev.flinkgru.tools.replay;

import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * The checked-in savepoints under {@code src/test/resources/savepoints/v<N>}, one per format
 * version of the HiddenState serializer, each a savepoint directory of {@code replay --stop-after}.
 */
public final class Savepoints {

    private Savepoints() {}

    /** The checked-in savepoint directory of serializer version {@code version}. */
    public static Path checkedIn(int version) {
        URL manifest =
                Savepoints.class.getResource(
                        "/savepoints/v" + version + "/" + ReplaySavepoint.FILE_NAME);
        if (manifest == null) {
            throw new IllegalStateException("no checked-in savepoint for version " + version);
        }
        try {
            return Paths.get(manifest.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@link #checkedIn} at {@code target}, so tests never touch the original. */
    public static Path copyCheckedIn(int version, Path target) {
        Path source = checkedIn(version);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** The versions that have a checked-in savepoint. */
    public static List<Integer> versions() {
        Path root = checkedIn(1).getParent();
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.matches("v\\d+"))
                    .map(n -> Integer.parseInt(n.substring(1)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
