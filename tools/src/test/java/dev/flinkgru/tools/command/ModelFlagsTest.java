package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.AutoPredictorFactory;
import dev.flinkgru.operator.predictor.ReferenceGruPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.operator.testing.TorchFixture;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ModelFlagsTest {

    @Command(name = "model")
    static final class WithModel implements Callable<Integer> {
        @Mixin ModelFlags model;

        @Override
        public Integer call() {
            model.predictor();
            return 0;
        }
    }

    /** Opens the model the flags name, as replay and state bootstrap do before they start. */
    @Command(name = "open")
    static final class OpensModel implements Callable<Integer> {
        @Mixin ModelFlags model;

        @Override
        public Integer call() {
            ModelFlags.check(model.predictor(), 3, 8);
            return 0;
        }
    }

    /** {@code sha256sum models/fixtures/tiny/model.pt}. */
    private static final String TINY_PT_SHA256 =
            "9df8390936a796c124321fef3a1fabc18b6f041d2b6f0215796eaa1113252eac";

    private static ModelFlags parse(String... args) {
        return CommandRun.parse(new WithModel(), args).model;
    }

    @Test
    void theFlagsAreGruOptions() {
        Configuration config =
                parse("--model", "m.pt", "--hidden-size", "8", "--layers", "2").configuration();
        assertThat(config.get(GruOptions.MODEL_PATH)).isEqualTo("m.pt");
        assertThat(config.get(GruOptions.MODEL_HIDDEN_SIZE)).isEqualTo(8);
        assertThat(config.get(GruOptions.MODEL_LAYERS)).isEqualTo(2);
        assertThat(config.get(GruOptions.PREDICTOR_DEVICE))
                .isEqualTo(GruOptions.PREDICTOR_DEVICE.defaultValue());
        assertThat(config.get(GruOptions.PREDICTOR_BACKEND)).isEqualTo("auto");
        assertThat(config.getOptional(GruOptions.MODEL_SHA256)).isEmpty();
    }

    @Test
    void modelSha256IsTheOptionAndChecksTheFileBeforeItOpens() {
        String tiny = TorchFixture.load("tiny").model().toString();
        ModelFlags flags =
                parse(
                        "--model",
                        tiny,
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--model-sha256",
                        TINY_PT_SHA256);
        assertThat(flags.modelSha256()).isEqualTo(TINY_PT_SHA256);
        assertThat(flags.configuration().get(GruOptions.MODEL_SHA256)).isEqualTo(TINY_PT_SHA256);

        CommandRun right =
                CommandRun.of(
                        new OpensModel(),
                        "--model",
                        tiny,
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--model-sha256",
                        TINY_PT_SHA256.toUpperCase(java.util.Locale.ROOT));
        assertThat(right.exit()).as("%s", right).isZero();

        String other = "0".repeat(64);
        CommandRun wrong =
                CommandRun.of(
                        new OpensModel(),
                        "--model",
                        tiny,
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--model-sha256",
                        other);
        assertThat(wrong.exit()).isEqualTo(CliException.FAILURE);
        assertThat(wrong.err().strip().lines()).hasSize(1);
        assertThat(wrong.error())
                .isEqualTo(
                        "flink-gru open: model file "
                                + tiny
                                + " has SHA-256 "
                                + TINY_PT_SHA256
                                + " but --model-sha256 is "
                                + other
                                + ": refusing to load it");
    }

    @Test
    void aModelSha256ThatIsNoHashIsAUsageErrorNamingTheFlag() {
        CommandRun run =
                CommandRun.of(
                        new OpensModel(),
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "1",
                        "--model-sha256",
                        "9df8390936a796c1");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error())
                .isEqualTo(
                        "flink-gru open: --model-sha256 must be a SHA-256 as 64 hex digits, was"
                                + " '9df8390936a796c1' (16 characters)");
    }

    @Test
    void deviceAndBackendAreGiven() {
        ModelFlags flags =
                parse(
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "1",
                        "--device",
                        "gpu:1",
                        "--backend",
                        "reference");
        assertThat(flags.device()).isEqualTo("gpu:1");
        assertThat(flags.configuration().get(GruOptions.PREDICTOR_DEVICE)).isEqualTo("gpu:1");
        assertThat(flags.predictor()).isInstanceOf(ReferenceGruPredictorFactory.class);
    }

    @Test
    void thePredictorComesFromBatchPredictors() {
        assertThat(parse("--model", "m.pt", "--hidden-size", "8", "--layers", "1").predictor())
                .isInstanceOf(AutoPredictorFactory.class);
        assertThat(
                        parse(
                                        "--model",
                                        "m.pt",
                                        "--hidden-size",
                                        "8",
                                        "--layers",
                                        "1",
                                        "--backend",
                                        "torchscript")
                                .predictor())
                .isInstanceOf(TorchScriptPredictorFactory.class);
    }

    @Test
    void sizesBelowOneAreUsageErrorsNamingTheFlag() {
        assertThatThrownBy(
                        () ->
                                parse("--model", "m.pt", "--hidden-size", "0", "--layers", "1")
                                        .predictor())
                .isInstanceOf(CliException.class)
                .hasMessage("--hidden-size must be at least 1, was 0")
                .extracting(e -> ((CliException) e).exitCode())
                .isEqualTo(CliException.USAGE);
        assertThatThrownBy(
                        () ->
                                parse("--model", "m.pt", "--hidden-size", "4", "--layers", "-2")
                                        .check())
                .hasMessage("--layers must be at least 1, was -2");
    }

    @Test
    void anUnknownBackendIsAUsageErrorThatTheCommandLineNamesAsTheFlag() {
        CommandRun run =
                CommandRun.of(
                        new WithModel(),
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "4",
                        "--layers",
                        "1",
                        "--backend",
                        "tensorflow");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error())
                .isEqualTo(
                        "flink-gru model: --backend is 'tensorflow' but must be auto, torchscript,"
                                + " onnx or reference");
    }

    @Test
    void theModelFlagsAreRequired() {
        CommandRun run = CommandRun.of(new WithModel(), "--model", "m.pt");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error())
                .isEqualTo("flink-gru model: --hidden-size and --layers are required");
    }
}
