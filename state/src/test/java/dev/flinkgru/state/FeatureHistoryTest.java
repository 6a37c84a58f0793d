package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FeatureHistoryTest {

    @Test
    void keepsTheLastEventsOldestFirst() {
        FeatureHistory history = FeatureHistory.empty(2, 3);
        for (int i = 1; i <= 5; i++) {
            history.append(new float[] {i, -i}, 0);
        }
        assertThat(history.size()).isEqualTo(3);
        assertThat(history.events()).containsExactly(3, -3, 4, -4, 5, -5);
    }

    @Test
    void aSmallerCapacityKeepsTheNewest() {
        FeatureHistory history = FeatureHistory.empty(1, 4);
        for (int i = 1; i <= 3; i++) {
            history.append(new float[] {i}, 0);
        }
        assertThat(history.withCapacity(2).events()).containsExactly(2, 3);
        assertThat(history.withCapacity(8).events()).containsExactly(1, 2, 3);
        assertThat(history.withCapacity(4)).isSameAs(history);
    }

    @Test
    void theRingMustFitItsSizes() {
        assertThatThrownBy(() -> new FeatureHistory(2, 3, new float[5], 0, 0))
                .hasMessageContaining("needs 6 floats, not 5");
    }
}
