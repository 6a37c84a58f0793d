package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * TensorFloat-32 is off unless allowed: the process environment NVIDIA's libraries read says so
 * once a GPU predictor opens, and the JVM keeps one choice. No GPU is needed: the setting is made
 * before the engine starts.
 */
class TensorFloat32Test {

    @Test
    void offByDefaultInTheProcessEnvironmentAndOneChoicePerJvm() {
        TensorFloat32.configure(false);

        assertThat(TensorFloat32.offInEnvironment()).isTrue();
        TensorFloat32.configure(false); // the same choice again is fine
        assertThatThrownBy(() -> TensorFloat32.configure(true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TensorFloat-32 is off for this JVM's GPU predictors")
                .hasMessageContaining("gru.predictor.allow-tf32=false");
    }

    @Test
    void theOptionReachesTheTorchScriptPredictor() {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, "model.pt");
        config.set(GruOptions.MODEL_HIDDEN_SIZE, 64);
        config.set(GruOptions.PREDICTOR_BACKEND, "torchscript");
        config.set(GruOptions.PREDICTOR_DEVICE, "gpu");
        assertThat(BatchPredictors.fromConfiguration(config).explain()).doesNotContain("TF32");

        config.set(GruOptions.PREDICTOR_ALLOW_TF32, true);
        BatchPredictorFactory allowed = BatchPredictors.fromConfiguration(config);
        assertThat(allowed.explain()).endsWith("on gpu, TF32 allowed");
        assertThat(allowed.forModel("other.pt").explain()).endsWith("on gpu, TF32 allowed");
    }
}
