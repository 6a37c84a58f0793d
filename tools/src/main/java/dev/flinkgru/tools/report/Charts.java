package dev.flinkgru.tools.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The look of the command line's charts (JFreeChart) and how they are written: SVG through
 * JFreeSVG, or PNG where the file name ends in {@code .png}.
 */
public final class Charts {

    /** Series colours, told apart with the common forms of colour blindness (Okabe-Ito). */
    public static final Color[] COLORS = {
        new Color(0x0072B2), // blue
        new Color(0xD55E00), // vermillion
        new Color(0x009E73), // bluish green
        new Color(0xCC79A7), // reddish purple
        new Color(0xE69F00), // orange
        new Color(0x56B4E9), // sky blue
    };

    /** Grey for baselines and reference lines. */
    public static final Color GREY = new Color(0x777777);

    /** A solid line. */
    public static final Stroke SOLID =
            new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    /** A dashed line: ceilings and baselines. */
    public static final Stroke DASHED =
            new BasicStroke(
                    1.8f,
                    BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_ROUND,
                    1f,
                    new float[] {7f, 5f},
                    0f);

    /** The marker of a data point. */
    public static final Shape POINT = new Ellipse2D.Double(-4, -4, 8, 8);

    /** The marker of a single-point series. */
    public static final Shape SQUARE = new Rectangle2D.Double(-4.5, -4.5, 9, 9);

    private static final String FONT = Font.SANS_SERIF;
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color TEXT = new Color(0x222222);

    static {
        // Rotated labels (the vertical axes') as text, not as glyph outlines: smaller SVG files
        // whose words can be searched and read by tools.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {}

    /** A chart of {@code plot} in the house style, with a title, a subtitle and a legend below. */
    public static JFreeChart chart(String title, String subtitle, Plot plot) {
        JFreeChart chart = new JFreeChart(title, new Font(FONT, Font.BOLD, 17), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 16));
        chart.getTitle().setPaint(TEXT);
        if (subtitle != null) {
            TextTitle sub = new TextTitle(subtitle, new Font(FONT, Font.PLAIN, 12));
            sub.setPaint(GREY);
            sub.setPadding(new RectangleInsets(2, 0, 6, 0));
            chart.addSubtitle(sub);
        }
        LegendTitle legend = chart.getLegend();
        legend.setFrame(BlockBorder.NONE);
        legend.setItemFont(new Font(FONT, Font.PLAIN, 12));
        legend.setItemPaint(TEXT);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** White background, light grid lines, readable axes. */
    public static XYPlot style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        for (int i = 0; i < plot.getDomainAxisCount(); i++) {
            style(plot.getDomainAxis(i));
        }
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            style(plot.getRangeAxis(i));
        }
        return plot;
    }

    /** Axis fonts and colours. */
    public static <A extends ValueAxis> A style(A axis) {
        if (axis != null) {
            axis.setLabelFont(new Font(FONT, Font.PLAIN, 13));
            axis.setLabelPaint(TEXT);
            axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 12));
            axis.setTickLabelPaint(TEXT);
            axis.setAxisLinePaint(GREY);
            axis.setTickMarkPaint(GREY);
        }
        return axis;
    }

    /** A linear axis from 0 with tick labels in human units: {@code 0, 100k, 200k}. */
    public static NumberAxis humanAxis(String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setNumberFormatOverride(new HumanNumberFormat());
        axis.setAutoRangeIncludesZero(true);
        axis.setLowerMargin(0);
        axis.setUpperMargin(0.08);
        return style(axis);
    }

    /** A legend entry: a line (dashed or not) and optionally a point marker. */
    public static LegendItem legendItem(String label, Paint paint, Stroke line, Shape point) {
        Shape segment = new Line2D.Double(-12, 0, 12, 0);
        LegendItem item =
                new LegendItem(
                        label,
                        null,
                        null,
                        null,
                        point != null,
                        point != null ? point : SQUARE,
                        point != null,
                        paint,
                        false,
                        paint,
                        SOLID,
                        line != null,
                        segment,
                        line != null ? line : SOLID,
                        paint);
        item.setLabelFont(new Font(FONT, Font.PLAIN, 12));
        item.setLabelPaint(TEXT);
        return item;
    }

    /**
     * Writes {@code chart} to {@code file} at {@code width} x {@code height}: PNG if the name ends
     * in {@code .png}, else SVG (scalable: it carries a view box). Creates the parent directories.
     */
    public static Path write(JFreeChart chart, Path file, int width, int height)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } else {
            SVGGraphics2D g2 = new SVGGraphics2D(width, height);
            // Ids from the file name, not the clock: the same chart gives the same file.
            String name = file.getFileName().toString();
            g2.setDefsKeyPrefix(name.replaceAll("[^A-Za-z0-9]", "-") + "-");
            chart.draw(g2, new Rectangle(0, 0, width, height));
            String svg = g2.getSVGElement(null, true, new ViewBox(0, 0, width, height), null, null);
            Files.writeString(file, svg + "\n");
        }
        return file;
    }
}
