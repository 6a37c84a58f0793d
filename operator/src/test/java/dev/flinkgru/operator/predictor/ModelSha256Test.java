package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.testing.TorchFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gru.model.sha256}: the predictor of every backend opens only the model file of that hash,
 * checked at open (where the file is read), before the engine loads it.
 */
class ModelSha256Test {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    /** {@code sha256sum models/fixtures/tiny/model.pt}: committed, never rewritten. */
    private static final String TINY_PT =
            "9df8390936a796c124321fef3a1fabc18b6f041d2b6f0215796eaa1113252eac";

    /** {@code sha256sum models/fixtures/tiny/model.onnx}. */
    private static final String TINY_ONNX =
            "625480158c84a4437195187d13e8f5d1d9e18dd040c4539a97e6080a5041e221";

    @TempDir Path tmp;

    private static Configuration config(Path model, String backend, String sha256) {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, model.toString());
        config.set(GruOptions.MODEL_HIDDEN_SIZE, 8);
        config.set(GruOptions.MODEL_LAYERS, 2);
        config.set(GruOptions.PREDICTOR_BACKEND, backend);
        if (sha256 != null) {
            config.set(GruOptions.MODEL_SHA256, sha256);
        }
        return config;
    }

    private static Path model(String ext) {
        return ext.equals("pt") ? TINY.model() : TINY.onnxModel();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"auto, pt", "auto, onnx", "torchscript, pt", "onnx, onnx", "reference, pt"})
    void theRightHashOpensOnEveryBackend(String backend, String ext) throws Exception {
        String sha256 = ext.equals("pt") ? TINY_PT : TINY_ONNX;
        BatchPredictorFactory factory =
                BatchPredictors.fromConfiguration(config(model(ext), backend, sha256));
        try (BatchPredictor predictor = factory.open(3, 8)) {
            assertThat(predictor.shape().outputSize()).isEqualTo(TINY.outputs);
        }
        // Upper case is the same hash.
        factory =
                BatchPredictors.fromConfiguration(
                        config(model(ext), backend, sha256.toUpperCase(Locale.ROOT)));
        try (BatchPredictor predictor = factory.open(3, 8)) {
            assertThat(predictor.shape().hiddenSize()).isEqualTo(8);
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"auto, pt", "auto, onnx", "torchscript, pt", "onnx, onnx", "reference, pt"})
    void anotherHashIsRefusedNamingTheFileAndBothHashes(String backend, String ext) {
        // The hash of the other format's file: a real model, just not this one.
        String expected = ext.equals("pt") ? TINY_ONNX : TINY_PT;
        String actual = ext.equals("pt") ? TINY_PT : TINY_ONNX;
        BatchPredictorFactory factory =
                BatchPredictors.fromConfiguration(config(model(ext), backend, expected));
        assertThatThrownBy(() -> factory.open(3, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "model file %s has SHA-256 %s but gru.model.sha256 is %s: refusing to"
                                + " load it",
                        model(ext), actual, expected);
    }

    @Test
    void theFileIsHashedBeforeAnythingReadsItAsAModel() throws Exception {
        // Not a model at all: without the option the backend says so; with it, the hash refuses
        // the file first, so no engine ever sees it.
        Path bogus = Files.writeString(tmp.resolve("model.pt"), "import os; os.system('...')");
        assertThatThrownBy(
                        () ->
                                BatchPredictors.fromConfiguration(config(bogus, "auto", null))
                                        .open(3, 8))
                .hasMessageContaining("is neither a TorchScript archive nor an ONNX model");
        assertThatThrownBy(
                        () ->
                                BatchPredictors.fromConfiguration(config(bogus, "auto", TINY_PT))
                                        .open(3, 8))
                .hasMessageStartingWith("model file " + bogus + " has SHA-256 ")
                .hasMessageEndingWith(
                        "but gru.model.sha256 is " + TINY_PT + ": refusing to load it");
    }

    @Test
    void theCheckRunsWhereThePredictorOpensNotWhereTheJobIsBuilt() throws Exception {
        // Built (and shipped) where the file does not exist yet: nothing is read then.
        Path later = tmp.resolve("later.pt");
        BatchPredictorFactory factory =
                BatchPredictors.fromConfiguration(config(later, "auto", TINY_PT));
        BatchPredictorFactory shipped =
                InstantiationUtil.clone(factory, ModelSha256Test.class.getClassLoader());
        assertThatThrownBy(() -> shipped.open(3, 8))
                .hasMessageContaining("Model file not found: " + later);

        Files.copy(TINY.model(), later);
        try (BatchPredictor predictor = shipped.open(3, 8)) {
            assertThat(predictor.shape().outputSize()).isEqualTo(TINY.outputs);
        }
        // A file replaced after the job was built is refused at the next open.
        Files.copy(TINY.onnxModel(), later, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> shipped.open(3, 8))
                .hasMessageContaining("has SHA-256 " + TINY_ONNX + " but gru.model.sha256 is");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "9df8390936a796c1",
                "9df8390936a796c124321fef3a1fabc18b6f041d2b6f0215796eaa1113252eac0",
                "9df8390936a796c124321fef3a1fabc18b6f041d2b6f0215796eaa1113252eaz",
                "sha256:9df8390936a796c124321fef3a1fabc18b6f041d2b6f0215796eaa1113252eac"
            })
    void aHashThatIsNotSixtyFourHexDigitsIsAConfigurationErrorAtBuild(String sha256) {
        assertThatThrownBy(
                        () ->
                                BatchPredictors.fromConfiguration(
                                        config(TINY.model(), "auto", sha256)))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith(
                        "gru.model.sha256 must be a SHA-256 as 64 hex digits, was '"
                                + sha256
                                + "'");
    }

    @Test
    void withoutTheOptionNothingIsWrappedAndWithItTheLogLineSaysSo() {
        assertThat(BatchPredictors.fromConfiguration(config(TINY.model(), "auto", null)))
                .isInstanceOf(AutoPredictorFactory.class);
        BatchPredictorFactory checked =
                BatchPredictors.fromConfiguration(config(TINY.model(), "onnx", TINY_PT));
        BatchPredictorFactory plain =
                BatchPredictors.fromConfiguration(config(TINY.model(), "onnx", null));
        assertThat(checked.explain()).isEqualTo(plain.explain() + ", SHA-256 " + TINY_PT);
        assertThat(checked.sharingKey()).isEqualTo(plain.sharingKey());
    }

    @Test
    void aDirectoryOfVersionsIsPinnedToItsCurrentFileWhoseHashMustMatch() throws Exception {
        Path versions = tmp.resolve("versions");
        Files.createDirectories(versions.resolve("1"));
        Files.copy(TINY.model(), versions.resolve("1").resolve("model.pt"));
        BatchPredictorFactory checked =
                ModelVersions.pinned(
                        BatchPredictors.fromConfiguration(config(versions, "auto", TINY_PT)));
        assertThat(checked.modelPath()).isEqualTo(versions.resolve("1/model.pt").toString());
        try (BatchPredictor predictor = checked.open(3, 8)) {
            assertThat(predictor).isNotNull();
        }

        Files.createDirectories(versions.resolve("2"));
        Files.copy(TINY.onnxModel(), versions.resolve("2").resolve("model.onnx"));
        BatchPredictorFactory next =
                ModelVersions.pinned(
                        BatchPredictors.fromConfiguration(config(versions, "auto", TINY_PT)));
        assertThatThrownBy(() -> next.open(3, 8))
                .hasMessageContaining("has SHA-256 " + TINY_ONNX)
                .hasMessageEndingWith("refusing to load it");
    }

    @Test
    void aPinnedFileAndAWatchedPathAreRefusedTogether() {
        Configuration config = config(TINY.model(), "auto", TINY_PT);
        config.set(GruOptions.MODEL_WATCH, true);
        assertThatThrownBy(() -> BatchPredictors.fromConfiguration(config))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "gru.model.sha256 pins one model file, and gru.model.watch serves each new"
                                + " one: set one of them, not both");
    }
}
