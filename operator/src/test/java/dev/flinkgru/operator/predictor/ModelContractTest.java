package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.testing.TorchFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is accepted at open (by running the model, whatever its parameters are called), what every
 * batch is checked for, and the messages of the models that break the contract
 * (models/fixtures/faulty), on both engines.
 */
class ModelContractTest {

    private static final Path FIXTURES = TorchFixture.root();

    /** A model of models/fixtures/faulty (x[B,3], h[1,B,8]) with extension pt or onnx. */
    private static String faulty(String name, String ext) {
        return FIXTURES.resolve("faulty/" + name + "." + ext).toString();
    }

    private static String tiny(String ext) {
        return FIXTURES.resolve("tiny/model." + ext).toString();
    }

    private static BatchPredictor open(String model, int hidden, int layers, int f, int maxBatch)
            throws Exception {
        return new AutoPredictorFactory(model, hidden, layers).open(f, maxBatch);
    }

    /** One step of {@code rows} zero rows. */
    private static void step(BatchPredictor p, int rows) throws Exception {
        ModelShape s = p.shape();
        p.step(
                rows,
                new float[rows * s.inputSize()],
                new float[rows * s.stateSize()],
                new float[rows * s.outputSize()],
                new float[rows * s.stateSize()]);
    }

    // -- Accepted by running it --------------------------------------------------------------

    /**
     * A Linear + tanh front end makes the GRU's input 12 wide for F=5 events: refused by name
     * before ("weight_ih_l0 of shape [72, 12], i.e. F=12"), accepted now because the probe passes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void aFrontEndBeforeTheGruIsAccepted(String ext) throws Exception {
        TorchFixture f = TorchFixture.load("projection");
        try (BatchPredictor p = open(f.dir.resolve("model." + ext).toString(), 24, 1, 5, 64)) {
            assertThat(p.shape().outputSize()).isEqualTo(2);
        }
    }

    /** An embedding called emb (not embed) in front of the GRU: F=1 item id, accepted. */
    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void anEmbeddingOfAnyNameIsAccepted(String ext) throws Exception {
        TorchFixture f = TorchFixture.load("recommender-emb");
        try (BatchPredictor p = open(f.dir.resolve("model." + ext).toString(), 32, 1, 1, 64)) {
            assertThat(p.shape().outputSize()).isEqualTo(10);
        }
    }

    /** An ONNX model whose inputs and outputs have other names: taken by position. */
    @Test
    void onnxInputsAndOutputsOfOtherNamesAreTakenByPosition() throws Exception {
        TorchFixture f = TorchFixture.load("small");
        TorchFixture.StepCase c = f.step();
        String model = f.dir.resolve("model-positional.onnx").toString();
        try (BatchPredictor p = open(model, f.hidden, f.layers, f.features, 16)) {
            float[] y = new float[c.y.length];
            float[] hNext = new float[c.hNext.length];
            p.step(c.batch, c.x, c.h, y, hNext);
            f.assertOutputs("y", y, c.y, c.batch);
            dev.flinkgru.operator.testing.Tolerance.assertClose(
                    "h'", hNext, c.hNext, c.hNext.length);
        }
    }

    // -- Sizes that disagree: the option, then the figures ----------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void wrongHiddenSizeIsNamed(String ext) {
        assertThatThrownBy(() -> open(tiny(ext), 16, 2, 3, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gru.model.hidden-size is 16 but model ")
                .hasMessageContaining("tiny/model." + ext)
                .hasMessageContaining("h[2, 1, 16]")
                .hasMessageContaining("H=8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void wrongLayerCountIsNamed(String ext) {
        assertThatThrownBy(() -> open(tiny(ext), 8, 1, 3, 8))
                .hasMessageStartingWith("gru.model.layers is 1 but model ")
                .hasMessageContaining("L=2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void wrongFeatureCountIsNamed(String ext) {
        assertThatThrownBy(() -> open(tiny(ext), 8, 2, 5, 8))
                .hasMessageStartingWith("the events have 5 features but model ")
                .hasMessageContaining("x[1, 5]")
                .hasMessageContaining("F=3");
    }

    /** Behind a front end the GRU's input width says nothing of F: no hint, the engine's reason. */
    @Test
    void aFeatureMismatchBehindAFrontEndGivesTheEnginesReason() {
        String model = FIXTURES.resolve("projection/model.pt").toString();
        assertThatThrownBy(() -> open(model, 24, 1, 3, 8))
                .hasMessageStartingWith("Model ")
                .hasMessageContaining("failed a step with x[1, 3] and h[1, 1, 24]")
                .hasMessageContaining("1x3 and 5x12")
                .hasMessageNotContaining("F=12");
    }

    /** A failed ONNX probe names what it was given and the model's declared inputs and outputs. */
    @Test
    void aFailedOnnxProbeNamesTheDeclaredInputsAndOutputs() {
        String model = FIXTURES.resolve("projection/model.onnx").toString();
        assertThatThrownBy(() -> open(model, 24, 1, 3, 8))
                .hasMessageStartingWith("the events have 3 features but model ")
                .hasMessageContaining("x[1, 3] and h[1, 1, 24]")
                .hasMessageContaining("its declared input x is [batch, 5], i.e. F=5")
                .hasMessageContaining(
                        "the model declares inputs x [batch, 5] float32, h [1, batch, 24] float32"
                                + " and outputs y [batch, 2] float32, h_next [1, batch, 24]"
                                + " float32");
    }

    @Test
    void anOnnxModelWithAFixedBatchIsToldToExportADynamicOne() {
        assertThatThrownBy(() -> open(faulty("static-batch", "onnx"), 8, 1, 3, 16))
                .hasMessageContaining("failed a step with x[8, 3]")
                .hasMessageContaining("has a fixed batch of 1")
                .hasMessageContaining("dynamic_axes");
    }

    // -- Models that break the contract: refused at open ------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void aModelWithoutTheNewStateIsNamed(String ext) {
        assertThatThrownBy(() -> open(faulty("one-output", ext), 8, 1, 3, 8))
                .hasMessageContaining("must return (y[B,O], h[L,B,H])")
                .hasMessageContaining("returned 1 outputs (y [1, 8] float32)")
                .hasMessageContaining("it was given x[1, 3] and h[1, 1, 8]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void aModelReturningAStateOfAnotherSizeIsNamed(String ext) {
        assertThatThrownBy(() -> open(faulty("wrong-state", ext), 8, 1, 3, 8))
                .hasMessageStartingWith("gru.model.hidden-size is 8 but model ")
                .hasMessageContaining("of shape [1, 1, 4] for B=1 (expected [1, 1, 8]), i.e. H=4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void aFloat64OutputIsRefusedAtOpen(String ext) {
        assertThatThrownBy(() -> open(faulty("float64-y", ext), 8, 1, 3, 8))
                .hasMessageContaining("returned y as float64 for B=1")
                .hasMessageContaining("the contract is float32");
    }

    @Test
    void theOnnxDeclarationIsPartOfTheMessage() {
        assertThatThrownBy(() -> open(faulty("float64-y", "onnx"), 8, 1, 3, 8))
                .hasMessageContaining("outputs y [batch, 2] float64, h_next [1, batch, 8] float32");
    }

    /** A model that is right for B=1 only is caught by the probe's larger bucket. */
    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void theLargerProbeCatchesAModelRightForOneRowOnly(String ext) {
        assertThatThrownBy(() -> open(faulty("y-one-row", ext), 8, 1, 3, 256))
                .hasMessageContaining("must return y of shape [B,O] but returned y [1, 2] for B=8")
                .hasMessageContaining("(expected [8, O])");
    }

    // -- Every batch is checked before a float is read ---------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void yWithTooFewRowsFailsTheBatch(String ext) throws Exception {
        try (BatchPredictor p = open(faulty("y-rows-capped", ext), 8, 1, 3, 16)) {
            step(p, 8);
            assertThatThrownBy(() -> step(p, 9))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("y-rows-capped." + ext)
                    .hasMessageContaining("broke the contract on a batch of 9 rows (padded to 16)")
                    .hasMessageContaining("returned y [8, 2] float32")
                    .hasMessageContaining("expected y [16, 2] float32");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void aStateWithTooFewRowsFailsTheBatch(String ext) throws Exception {
        String h = ext.equals("pt") ? "h" : "h_next";
        try (BatchPredictor p = open(faulty("h-rows-capped", ext), 8, 1, 3, 16)) {
            assertThatThrownBy(() -> step(p, 12))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("padded to 16")
                    .hasMessageContaining(h + " [1, 8, 8] float32")
                    .hasMessageContaining("expected y [16, 2] float32 and " + h + " [1, 16, 8]");
        }
    }

    /** Float64 only for large batches (TorchScript can branch on B; ONNX types are static). */
    @Test
    void aFloat64OutputFailsTheBatch() throws Exception {
        try (BatchPredictor p = open(faulty("late-float64", "pt"), 8, 1, 3, 16)) {
            float[] y = new float[16 * 2];
            Arrays.fill(y, 42f);
            assertThatThrownBy(
                            () ->
                                    p.step(
                                            9,
                                            new float[9 * 3],
                                            new float[9 * 8],
                                            y,
                                            new float[9 * 8]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("returned y [16, 2] float64");
            // Nothing was read from the wrong bytes.
            assertThat(y).containsOnly(42f);
        }
    }

    // -- Files ----------------------------------------------------------------------------------

    @Test
    void theFormatIsRecognisedFromTheBytes(@TempDir Path tmp) throws Exception {
        assertThat(ModelFormat.of(Path.of(tiny("pt")))).isEqualTo(ModelFormat.TORCHSCRIPT);
        assertThat(ModelFormat.of(Path.of(tiny("onnx")))).isEqualTo(ModelFormat.ONNX);
        // Names say nothing: an ONNX model called .pt is ONNX.
        Path renamed = Files.copy(Path.of(tiny("onnx")), tmp.resolve("model.pt"));
        assertThat(ModelFormat.of(renamed)).isEqualTo(ModelFormat.ONNX);
        // A cut-off ONNX file does not parse.
        byte[] onnx = Files.readAllBytes(Path.of(tiny("onnx")));
        Path cut = Files.write(tmp.resolve("cut.onnx"), Arrays.copyOf(onnx, onnx.length / 2));
        assertThatThrownBy(() -> ModelFormat.of(cut))
                .hasMessageContaining("is neither a TorchScript archive nor an ONNX model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a model", ""})
    void aFileOfNeitherFormatIsNamed(String content, @TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("model.bin"), content);
        assertThatThrownBy(() -> open(file.toString(), 8, 1, 3, 8))
                .hasMessageContaining(
                        "model.bin is neither a TorchScript archive nor an ONNX model");
    }

    @Test
    void missingAndCorruptModelsAreNamed(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("nope.pt");
        for (BatchPredictorFactory factory :
                new BatchPredictorFactory[] {
                    new AutoPredictorFactory(missing.toString(), 8, 1),
                    new TorchScriptPredictorFactory(missing.toString(), 8, 1),
                    new OnnxPredictorFactory(missing.toString(), 8, 1)
                }) {
            assertThatThrownBy(() -> factory.open(3, 8))
                    .hasMessageContaining("Model file not found")
                    .hasMessageContaining("nope.pt");
        }
        Path corrupt = Files.writeString(tmp.resolve("corrupt.pt"), "not a model");
        assertThatThrownBy(
                        () -> new TorchScriptPredictorFactory(corrupt.toString(), 8, 1).open(3, 8))
                .hasMessageContaining("Cannot load TorchScript model")
                .hasMessageContaining("corrupt.pt")
                .hasMessageContaining("neither a TorchScript archive nor an ONNX model");
        assertThatThrownBy(() -> new OnnxPredictorFactory(corrupt.toString(), 8, 1).open(3, 8))
                .hasMessageContaining("Cannot load ONNX model")
                .hasMessageContaining("corrupt.pt");
    }

    /** An explicit backend forces its engine, and says so when the file is of the other format. */
    @Test
    void aForcedBackendNamesTheOtherFormat() {
        assertThatThrownBy(() -> new TorchScriptPredictorFactory(tiny("onnx"), 8, 2).open(3, 8))
                .hasMessageContaining("Cannot load TorchScript model")
                .hasMessageContaining(
                        "it is an ONNX model: use gru.predictor.backend onnx or auto");
        assertThatThrownBy(() -> new OnnxPredictorFactory(tiny("pt"), 8, 2).open(3, 8))
                .hasMessageContaining("Cannot load ONNX model")
                .hasMessageContaining(
                        "it is a TorchScript archive: use gru.predictor.backend torchscript or"
                                + " auto");
    }

    @Test
    void theOnnxBackendRunsOnTheCpu() {
        assertThatThrownBy(
                        () ->
                                new OnnxPredictorFactory(tiny("onnx"), 8, 2, "gpu", 1, 1, false)
                                        .open(3, 8))
                .hasMessageContaining("gru.predictor.device is gpu")
                .hasMessageContaining("CPU only");
    }

    @Test
    void theReferenceBackendKeepsRequiringItsArchitecture() {
        String projection = FIXTURES.resolve("projection/model.pt").toString();
        assertThatThrownBy(() -> new ReferenceGruPredictorFactory(projection, 24, 1).open(5, 8))
                .hasMessageContaining("is not of the reference architecture")
                .hasMessageContaining("proj.weight")
                .hasMessageContaining("use auto, torchscript or onnx");
        assertThatThrownBy(() -> new ReferenceGruPredictorFactory(tiny("onnx"), 8, 2).open(3, 8))
                .hasMessageContaining("is an ONNX model");
        assertThatThrownBy(() -> new ReferenceGruPredictorFactory(tiny("pt"), 16, 2).open(3, 8))
                .hasMessageContaining("gru.model.hidden-size is 16")
                .hasMessageContaining("H=8");
    }

    // -- Configuration ----------------------------------------------------------------------------

    private static Configuration config(String model, String backend) {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, model);
        config.set(GruOptions.MODEL_HIDDEN_SIZE, 8);
        config.set(GruOptions.MODEL_LAYERS, 2);
        if (backend != null) {
            config.set(GruOptions.PREDICTOR_BACKEND, backend);
        }
        return config;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pt", "onnx"})
    void theDefaultBackendTakesEitherFormat(String ext) throws Exception {
        BatchPredictorFactory factory = BatchPredictors.fromConfiguration(config(tiny(ext), null));
        assertThat(factory).isInstanceOf(AutoPredictorFactory.class);
        assertThat(((AutoPredictorFactory) factory).resolve())
                .isInstanceOf(
                        ext.equals("pt")
                                ? TorchScriptPredictorFactory.class
                                : OnnxPredictorFactory.class);
        try (BatchPredictor p = factory.open(3, 8)) {
            assertThat(p)
                    .isInstanceOf(
                            ext.equals("pt") ? TorchScriptPredictor.class : OnnxPredictor.class);
        }
    }

    @Test
    void explicitBackendsAreHonouredAndUnknownOnesNamed() {
        assertThat(BatchPredictors.fromConfiguration(config(tiny("onnx"), "onnx")))
                .isInstanceOf(OnnxPredictorFactory.class);
        assertThat(BatchPredictors.fromConfiguration(config(tiny("pt"), "torchscript")))
                .isInstanceOf(TorchScriptPredictorFactory.class);
        assertThatThrownBy(() -> BatchPredictors.fromConfiguration(config(tiny("pt"), "tflite")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("gru.predictor.backend is 'tflite'")
                .hasMessageContaining("auto, torchscript, onnx or reference");
    }
}
