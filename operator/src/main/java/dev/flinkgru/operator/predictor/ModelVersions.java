package dev.flinkgru.operator.predictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.annotation.PublicEvolving;

/**
 * {@code gru.model.path} names a model file, or a directory of versions: subdirectories with
 * numeric names ({@code models/1/}, {@code models/2/}, ...), each holding one model file (or
 * several, one of them {@code model.pt} or {@code model.onnx}). The highest number is the current
 * version. Other names are ignored, so a version is written under a temporary name and renamed to
 * its number when complete.
 */
@PublicEvolving
public final class ModelVersions {

    private ModelVersions() {}

    /**
     * The model file {@code path} stands for now: itself if it is a file, else the model file of
     * its current version.
     *
     * @throws IOException if there is no such file or version, or a version holds no single model
     *     file
     */
    public static Path current(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            if (!Files.isRegularFile(path)) {
                throw new NoSuchFileException(path.toString(), null, "no such model file");
            }
            return path;
        }
        Path newest = null;
        long newestVersion = -1;
        try (Stream<Path> entries = Files.list(path)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                long version = version(entry.getFileName().toString());
                if (version > newestVersion && Files.isDirectory(entry)) {
                    newest = entry;
                    newestVersion = version;
                }
            }
        }
        if (newest == null) {
            throw new NoSuchFileException(
                    path.toString(),
                    null,
                    "no version in this model directory (a subdirectory named by its number)");
        }
        return modelFileIn(newest);
    }

    /**
     * {@code factory} for the model file its path stands for now ({@link #current}); {@code
     * factory} itself if it opens no file or its path is a file.
     */
    public static BatchPredictorFactory pinned(BatchPredictorFactory factory) throws IOException {
        String path = factory.modelPath();
        if (path == null || !Files.isDirectory(Paths.get(path))) {
            return factory;
        }
        return factory.forModel(current(Paths.get(path)).toString());
    }

    /** The version number of a directory name, or -1 if it is not a number. */
    static long version(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }

    private static Path modelFileIn(Path version) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(version)) {
            entries.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(files::add);
        }
        if (files.size() == 1) {
            return files.get(0);
        }
        List<Path> named = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.equals("model.pt") || name.equals("model.onnx")) {
                named.add(file);
            }
        }
        if (named.size() == 1) {
            return named.get(0);
        }
        throw new IOException(
                "Model version "
                        + version
                        + (files.isEmpty()
                                ? " holds no model file"
                                : " holds "
                                        + files.size()
                                        + " files and not exactly one of model.pt, model.onnx: "
                                        + files));
    }
}
