package dev.flinkgru.operator.predictor;

import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * {@code gru.model.sha256}: opens the predictor of another factory only if the model file's SHA-256
 * is the expected one. The file is hashed where the predictor opens (the TaskManager, where it is
 * read), before the engine loads it: a TorchScript file is code, and a file that is not the one the
 * job was built for is never run. {@link BatchPredictors#fromConfiguration} wraps every backend in
 * it when the option is set.
 */
final class Sha256CheckedPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final BatchPredictorFactory delegate;
    private final String modelPath;
    private final String expected;

    /**
     * @param delegate the factory whose predictor opens once the hash is right
     * @param modelPath the model file {@code delegate} loads
     * @param expected the SHA-256 as 64 hex digits, either case
     * @throws IllegalConfigurationException if {@code expected} is no SHA-256 in hex
     */
    Sha256CheckedPredictorFactory(
            BatchPredictorFactory delegate, String modelPath, String expected) {
        this.delegate = delegate;
        this.modelPath = modelPath;
        this.expected = parse(expected);
    }

    /** 64 lower-case hex digits, or a configuration error naming the option. */
    static String parse(String sha256) {
        String hex = sha256.strip();
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new IllegalConfigurationException(
                    PredictorOptions.MODEL_SHA256.key()
                            + " must be a SHA-256 as 64 hex digits, was '"
                            + sha256
                            + "' ("
                            + hex.length()
                            + " characters)");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        Path path = Paths.get(modelPath);
        SharedModels.requireModelFile(path);
        String actual = ModelFingerprint.sha256Hex(path);
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(
                    "model file "
                            + modelPath
                            + " has SHA-256 "
                            + actual
                            + " but "
                            + PredictorOptions.MODEL_SHA256.key()
                            + " is "
                            + expected
                            + ": refusing to load it");
        }
        return delegate.open(inputSize, maxBatchSize);
    }

    @Override
    public String explain() {
        return delegate.explain() + ", SHA-256 " + expected;
    }

    @Override
    public String sharingKey() {
        return delegate.sharingKey();
    }

    @Override
    public String modelPath() {
        return modelPath;
    }

    /**
     * The same check on another file: how a directory of versions is pinned to its current file
     * ({@link ModelVersions#pinned}), whose hash must then be the expected one.
     */
    @Override
    public BatchPredictorFactory forModel(String otherPath) {
        return new Sha256CheckedPredictorFactory(delegate.forModel(otherPath), otherPath, expected);
    }
}
