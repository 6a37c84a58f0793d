package dev.flinkgru.tools.report;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A logarithmic axis with ticks (and grid lines) exactly at given values, such as the batch sizes
 * of a benchmark: {@code 1, 64, 256, 1024}, labelled by a {@link NumberFormat}.
 */
public final class FixedTicksLogAxis extends LogAxis {

    private static final long serialVersionUID = 1L;

    private final double[] ticks;
    private final NumberFormat format;

    /**
     * @param label the axis label
     * @param ticks the tick values, all positive
     * @param format how a tick value is labelled
     */
    public FixedTicksLogAxis(String label, double[] ticks, NumberFormat format) {
        super(label);
        this.ticks = ticks.clone();
        this.format = format;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double t : ticks) {
            if (!(t > 0)) {
                throw new IllegalArgumentException("log axis ticks must be positive, was " + t);
            }
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        setBase(2);
        // Half an octave of room either side of the outer ticks.
        setRange(min / Math.sqrt(2), max * Math.sqrt(2));
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public List refreshTicks(
            Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        TextAnchor anchor;
        if (edge == RectangleEdge.TOP) {
            anchor = TextAnchor.BOTTOM_CENTER;
        } else if (edge == RectangleEdge.BOTTOM) {
            anchor = TextAnchor.TOP_CENTER;
        } else if (edge == RectangleEdge.LEFT) {
            anchor = TextAnchor.CENTER_RIGHT;
        } else {
            anchor = TextAnchor.CENTER_LEFT;
        }
        List result = new ArrayList();
        for (double value : ticks) {
            result.add(
                    new NumberTick(
                            TickType.MAJOR,
                            value,
                            format.format(value),
                            anchor,
                            TextAnchor.CENTER,
                            0.0));
        }
        return result;
    }
}
