package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.AutoPredictorFactory;
import dev.flinkgru.operator.predictor.ReferenceGruPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
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
