package dev.flinkgru.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.text.DecimalFormat;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.junit.jupiter.api.Test;

class FixedTicksLogAxisTest {

    @Test
    void ticksAreExactlyTheGivenValues() {
        FixedTicksLogAxis axis =
                new FixedTicksLogAxis(
                        "batch", new double[] {1, 64, 256, 1024}, new DecimalFormat("0"));
        Graphics2D g2 = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<?> ticks =
                axis.refreshTicks(
                        g2,
                        new AxisState(),
                        new Rectangle2D.Double(0, 0, 800, 300),
                        RectangleEdge.BOTTOM);
        assertThat(ticks)
                .extracting(t -> ((NumberTick) t).getText())
                .containsExactly("1", "64", "256", "1024");
        assertThat(ticks)
                .extracting(t -> ((NumberTick) t).getTextAnchor())
                .containsOnly(TextAnchor.TOP_CENTER);
        assertThat(axis.getBase()).isEqualTo(2);
        assertThat(axis.getLowerBound()).isBetween(0.5, 1.0);
        assertThat(axis.getUpperBound()).isBetween(1024.0, 2048.0);
    }

    @Test
    void aTickMustBePositive() {
        assertThatThrownBy(
                        () ->
                                new FixedTicksLogAxis(
                                        "batch", new double[] {0, 64}, new DecimalFormat("0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}
