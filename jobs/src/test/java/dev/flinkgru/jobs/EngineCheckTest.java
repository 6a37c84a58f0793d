package dev.flinkgru.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's engine check, as a call: what it found, or an exception; never an exit. */
class EngineCheckTest {

    @Test
    void bothEnginesStartAndSayWhatTheyFound() {
        List<String> found = EngineCheck.check(false);
        assertThat(found).hasSize(2);
        assertThat(found.get(0)).startsWith("PyTorch ").contains("GPUs: ");
        assertThat(found.get(1)).startsWith("ONNX Runtime ").endsWith("(CPU)");
    }

    @Test
    void requireGpuThrowsWhereNoGpuIsVisible() {
        String pytorch = EngineCheck.check(false).get(0);
        if (pytorch.endsWith("GPUs: 0")) {
            assertThatThrownBy(() -> EngineCheck.check(true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no GPU visible to PyTorch");
        } else {
            assertThat(EngineCheck.check(true)).hasSize(2);
        }
    }
}
