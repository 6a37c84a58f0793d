package dev.flinkgru.tools.demo;

import dev.flinkgru.tools.report.Charts;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The demo's charts: the sensor forecasts against what happened, the recommendation hit-rate. */
final class DemoCharts {

    private static final int WIDTH = 960;
    private static final Color ACTUAL = new Color(0x222222);

    private DemoCharts() {}

    /**
     * One panel per sensor: channel 0 of the actual readings, of the GRU's forecasts for them and
     * of the last-value forecast, over the reading number.
     *
     * @param sensors the sensors' ids
     * @param points per sensor, points {@code {reading, actual, forecast, last value}}
     */
    static Path sensor(
            List<String> sensors,
            List<List<double[]>> points,
            double modelMae,
            double naiveMae,
            Path file)
            throws IOException {
        NumberAxis reading = Charts.style(new NumberAxis("reading (per sensor)"));
        reading.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        reading.setAutoRangeIncludesZero(false);
        reading.setNumberFormatOverride(new DecimalFormat("#,##0"));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(reading);
        plot.setGap(14);
        for (int s = 0; s < sensors.size(); s++) {
            XYSeries actual = new XYSeries("actual", false, true);
            XYSeries forecast = new XYSeries("GRU forecast", false, true);
            XYSeries last = new XYSeries("last value", false, true);
            for (double[] p : points.get(s)) {
                actual.add(p[0], p[1]);
                forecast.add(p[0], p[2]);
                last.add(p[0], p[3]);
            }
            // Drawn in this order: the actual readings, the naive forecast, the GRU's on top.
            XYSeriesCollection data = new XYSeriesCollection();
            data.addSeries(actual);
            data.addSeries(last);
            data.addSeries(forecast);
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
            renderer.setSeriesPaint(0, ACTUAL);
            renderer.setSeriesStroke(0, new BasicStroke(1.5f));
            renderer.setSeriesShapesVisible(0, true);
            renderer.setSeriesShape(0, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
            renderer.setSeriesPaint(1, Charts.GREY);
            renderer.setSeriesStroke(1, Charts.DASHED);
            renderer.setSeriesPaint(2, Charts.COLORS[0]);
            renderer.setSeriesStroke(2, Charts.SOLID);
            NumberAxis value = Charts.style(new NumberAxis(sensors.get(s) + ", channel 0"));
            value.setAutoRangeIncludesZero(false);
            XYPlot panel = Charts.style(new XYPlot(data, null, value, renderer));
            panel.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
            plot.add(panel, 1);
        }
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(Charts.legendItem("actual reading", ACTUAL, Charts.SOLID, null));
        legend.add(Charts.legendItem("GRU forecast", Charts.COLORS[0], Charts.SOLID, null));
        legend.add(Charts.legendItem("last value (naive)", Charts.GREY, Charts.DASHED, null));
        plot.setFixedLegendItems(legend);
        String subtitle =
                String.format(
                        Locale.ROOT,
                        "each forecast drawn at the reading it predicts; mean absolute error over"
                                + " all sensors: GRU %.4f, last value %.4f",
                        modelMae,
                        naiveMae);
        JFreeChart chart =
                Charts.chart("flink-gru demo: sensor forecast vs actual", subtitle, plot);
        return Charts.write(chart, file, WIDTH, 150 + 240 * Math.max(1, sensors.size()));
    }

    /**
     * The cumulative hit-rate@k of the GRU's lists and of the most-popular baseline, over the lists
     * judged so far.
     *
     * @param points {@code {lists judged, GRU hit-rate, most-popular hit-rate}}
     */
    static Path hitRate(int k, List<double[]> points, Path file) throws IOException {
        XYSeries model = new XYSeries("GRU", false, true);
        XYSeries popular = new XYSeries("most popular", false, true);
        for (double[] p : points) {
            model.add(p[0], p[1]);
            popular.add(p[0], p[2]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(model);
        data.addSeries(popular);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, Charts.COLORS[0]);
        renderer.setSeriesStroke(0, Charts.SOLID);
        renderer.setSeriesPaint(1, Charts.GREY);
        renderer.setSeriesStroke(1, Charts.DASHED);
        NumberAxis judged = Charts.humanAxis("recommendation lists judged by the next item");
        judged.setUpperMargin(0.02);
        NumberAxis rate = Charts.style(new NumberAxis("hit-rate@" + k + " (cumulative)"));
        rate.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        rate.setAutoRangeIncludesZero(true);
        XYPlot plot = Charts.style(new XYPlot(data, judged, rate, renderer));
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(Charts.legendItem("GRU top " + k, Charts.COLORS[0], Charts.SOLID, null));
        legend.add(Charts.legendItem("most popular " + k, Charts.GREY, Charts.DASHED, null));
        plot.setFixedLegendItems(legend);
        String subtitle =
                points.isEmpty()
                        ? "no list judged yet"
                        : String.format(
                                Locale.ROOT,
                                "after %,d lists: GRU %.1f%%, most popular %.1f%%",
                                (long) points.get(points.size() - 1)[0],
                                100 * points.get(points.size() - 1)[1],
                                100 * points.get(points.size() - 1)[2]);
        JFreeChart chart =
                Charts.chart("flink-gru demo: recommendation hit-rate@" + k, subtitle, plot);
        return Charts.write(chart, file, WIDTH, 480);
    }
}
