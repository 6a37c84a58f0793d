package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** One settings value for the three model-file factories: one check, one set of defaults. */
class PredictorSettingsTest {

    private static final List<Function<PredictorSettings, BatchPredictorFactory>> FACTORIES =
            List.of(
                    TorchScriptPredictorFactory::new,
                    OnnxPredictorFactory::new,
                    AutoPredictorFactory::new);

    private static PredictorSettings settingsOf(BatchPredictorFactory factory) {
        if (factory instanceof TorchScriptPredictorFactory) {
            return ((TorchScriptPredictorFactory) factory).settings();
        }
        if (factory instanceof OnnxPredictorFactory) {
            return ((OnnxPredictorFactory) factory).settings();
        }
        return ((AutoPredictorFactory) factory).settings();
    }

    @Test
    void theShortConstructorsShareTheDefaultsOfTheOptions() {
        PredictorSettings expected =
                new PredictorSettings(
                        "m",
                        8,
                        2,
                        GruOptions.PREDICTOR_DEVICE.defaultValue(),
                        GruOptions.PREDICTOR_INTRA_OP_THREADS.defaultValue(),
                        GruOptions.PREDICTOR_INTER_OP_THREADS.defaultValue(),
                        GruOptions.PREDICTOR_WARM_UP.defaultValue());
        assertThat(new PredictorSettings("m", 8, 2)).isEqualTo(expected);
        assertThat(settingsOf(new TorchScriptPredictorFactory("m", 8, 2))).isEqualTo(expected);
        assertThat(settingsOf(new OnnxPredictorFactory("m", 8, 2))).isEqualTo(expected);
        assertThat(settingsOf(new AutoPredictorFactory("m", 8, 2))).isEqualTo(expected);

        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, "m");
        config.set(GruOptions.MODEL_HIDDEN_SIZE, 8);
        config.set(GruOptions.MODEL_LAYERS, 2);
        assertThat(settingsOf(BatchPredictors.fromConfiguration(config))).isEqualTo(expected);
    }

    @Test
    void everyFactoryRefusesTheSameBadSettingsWithTheSameMessage() {
        assertThatThrownBy(() -> new TorchScriptPredictorFactory("m", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hidden size must be at least 1, was 0");
        assertThatThrownBy(() -> new OnnxPredictorFactory("m", 0, 1))
                .hasMessage("hidden size must be at least 1, was 0");
        assertThatThrownBy(() -> new AutoPredictorFactory("m", 0, 1))
                .hasMessage("hidden size must be at least 1, was 0");
        assertThatThrownBy(() -> new OnnxPredictorFactory("m", 8, 0, "cpu", 1, 1, false))
                .hasMessage("layers must be at least 1, was 0");
        assertThatThrownBy(() -> new TorchScriptPredictorFactory("m", 8, 1, "tpu", 1, 1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tpu");
        assertThatThrownBy(() -> new AutoPredictorFactory("m", 8, 1, "cpu", -1, 1, false))
                .hasMessage("intra-op threads must not be negative, was -1");
    }

    @Test
    void anotherFileOfTheModelKeepsEveryOtherSetting() {
        PredictorSettings settings = new PredictorSettings("a.pt", 16, 2, "auto", 4, 2, true);
        for (var factory : FACTORIES) {
            BatchPredictorFactory next = factory.apply(settings).forModel("b.pt");
            assertThat(settingsOf(next)).isEqualTo(settings.withModelPath("b.pt"));
            assertThat(next.modelPath()).isEqualTo("b.pt");
            assertThat(next.explain()).contains("b.pt (H=16, L=2)");
        }
    }
}
