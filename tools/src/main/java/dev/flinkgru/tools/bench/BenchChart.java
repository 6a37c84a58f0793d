package dev.flinkgru.tools.bench;

import dev.flinkgru.tools.report.Charts;
import dev.flinkgru.tools.report.FixedTicksLogAxis;
import dev.flinkgru.tools.report.HumanNumberFormat;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The bench chart: peak events/s over the batch size (a log axis with a tick at each batch size
 * measured, and at 1 for per-event), one panel per state backend; per hidden size a line of the
 * batched runs, the per-event point, and the no-model ceiling as a dashed line.
 */
final class BenchChart {

    static final int WIDTH = 960;
    private static final int PANEL_HEIGHT = 330;
    private static final int FRAME_HEIGHT = 170;
    private static final HumanNumberFormat LABELS = new HumanNumberFormat(3);

    private BenchChart() {}

    /** Writes the chart of {@code results} (measured on {@code cores} cores, 0: unknown). */
    static void write(List<BenchResult> results, int cores, Path file) throws IOException {
        JFreeChart chart = chart(results, cores);
        int panels = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots().size();
        Charts.write(chart, file, WIDTH, FRAME_HEIGHT + panels * PANEL_HEIGHT);
    }

    /**
     * The chart of {@code results}: the Flink runs on real engines (the simulated device, the
     * predictor-alone and the kafka-job runs are in the table only). With several engines or
     * pipeline depths, each batched line is one of them.
     */
    static JFreeChart chart(List<BenchResult> all, int cores) {
        List<BenchResult> results =
                all.stream()
                        .filter(
                                r ->
                                        !r.predictor().equals("simulated")
                                                && !r.mode().equals("predictor")
                                                && !r.mode().equals("kafka-job"))
                        .toList();
        Set<String> backends = new LinkedHashSet<>();
        Set<Integer> hiddenSizes = new TreeSet<>();
        Set<Integer> batches = new TreeSet<>();
        for (BenchResult r : results) {
            backends.add(r.backend());
            hiddenSizes.add(r.hidden());
            if (!r.mode().equals("no-model")) {
                batches.add(r.batch());
            }
        }
        if (batches.isEmpty()) {
            batches.add(1);
        }
        double[] ticks = batches.stream().mapToDouble(Integer::doubleValue).toArray();
        FixedTicksLogAxis batchAxis =
                Charts.style(
                        new FixedTicksLogAxis(
                                "batch size (events per predictor call; 1 = per event)",
                                ticks,
                                new DecimalFormat("0")));
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(batchAxis);
        plot.setGap(18);
        List<Integer> hidden = new ArrayList<>(hiddenSizes);
        for (String backend : backends) {
            plot.add(panel(results, backend, hidden, ticks[0], ticks[ticks.length - 1]), 1);
        }
        LegendItemCollection legend = new LegendItemCollection();
        List<String> lines = batchedLines(results);
        for (int h = 0; h < hidden.size(); h++) {
            Color color = Charts.COLORS[h % Charts.COLORS.length];
            String name = "H=" + hidden.get(h);
            for (int l = 0; l < lines.size(); l++) {
                legend.add(
                        Charts.legendItem(
                                name + " batched" + lines.get(l),
                                color,
                                l == 0 ? Charts.SOLID : Charts.DASHED,
                                l == 0 ? Charts.POINT : Charts.SQUARE));
            }
            legend.add(Charts.legendItem(name + " per event", color, null, Charts.SQUARE));
            legend.add(Charts.legendItem(name + " no-model ceiling", color, Charts.DASHED, null));
        }
        plot.setFixedLegendItems(legend);
        String subtitle =
                "peak throughput of each configuration"
                        + (cores > 0 ? ", " + cores + " cores" : "")
                        + "; dashed: the same pipeline without a model (Flink's keyed-state"
                        + " ceiling)";
        return Charts.chart("flink-gru bench: throughput vs batch size", subtitle, plot);
    }

    /** The label of a batched line: its engine and depth where the run had several of them. */
    private static String line(BenchResult r, List<BenchResult> results) {
        boolean engines = results.stream().map(BenchResult::predictor).distinct().count() > 2;
        boolean depths =
                results.stream()
                                .filter(x -> x.mode().equals("batched"))
                                .map(BenchResult::pipelineDepth)
                                .distinct()
                                .count()
                        > 1;
        return (engines ? " " + r.predictor() : "") + (depths ? " depth " + r.pipelineDepth() : "");
    }

    /** The distinct batched lines of {@code results}, in run order. */
    private static List<String> batchedLines(List<BenchResult> results) {
        Set<String> lines = new LinkedHashSet<>();
        for (BenchResult r : results) {
            if (r.mode().equals("batched")) {
                lines.add(line(r, results));
            }
        }
        if (lines.isEmpty()) {
            lines.add("");
        }
        return new ArrayList<>(lines);
    }

    private static XYPlot panel(
            List<BenchResult> results,
            String backend,
            List<Integer> hidden,
            double minBatch,
            double maxBatch) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        List<String> perEventText = new ArrayList<>();
        double perEventMax = 0;
        double panelMax = 0;
        List<double[]> ceilings = new ArrayList<>();
        List<String> lines = batchedLines(results);
        for (int h = 0; h < hidden.size(); h++) {
            Color color = Charts.COLORS[h % Charts.COLORS.length];
            List<XYSeries> batchedSeries = new ArrayList<>();
            for (String l : lines) {
                batchedSeries.add(new XYSeries("H=" + hidden.get(h) + " batched" + l, true, true));
            }
            XYSeries perEvent = new XYSeries("H=" + hidden.get(h) + " per event", true, true);
            XYSeries ceiling = new XYSeries("H=" + hidden.get(h) + " no-model", true, true);
            for (BenchResult r : results) {
                if (!r.backend().equals(backend) || r.hidden() != hidden.get(h)) {
                    continue;
                }
                if (!Double.isFinite(r.eventsPerSecond())) {
                    continue;
                }
                switch (r.mode()) {
                    case "no-model":
                        ceiling.add(minBatch, r.eventsPerSecond());
                        ceiling.add(maxBatch, r.eventsPerSecond());
                        break;
                    case "per-event":
                        perEvent.add(r.batch(), r.eventsPerSecond());
                        break;
                    default:
                        batchedSeries
                                .get(lines.indexOf(line(r, results)))
                                .add(r.batch(), r.eventsPerSecond());
                }
            }
            int series = data.getSeriesCount();
            for (int l = 0; l < batchedSeries.size(); l++) {
                data.addSeries(batchedSeries.get(l));
                renderer.setSeriesPaint(series + l, color);
                renderer.setSeriesStroke(series + l, l == 0 ? Charts.SOLID : Charts.DASHED);
                renderer.setSeriesShape(series + l, l == 0 ? Charts.POINT : Charts.SQUARE);
                renderer.setSeriesItemLabelsVisible(series + l, l == 0);
                if (batchedSeries.get(l).getItemCount() > 0) {
                    panelMax = Math.max(panelMax, batchedSeries.get(l).getMaxY());
                }
            }
            series += batchedSeries.size() - 1;

            data.addSeries(perEvent);
            renderer.setSeriesPaint(series + 1, color);
            renderer.setSeriesLinesVisible(series + 1, false);
            renderer.setSeriesShape(series + 1, Charts.SQUARE);
            renderer.setSeriesItemLabelsVisible(series + 1, false);
            for (int i = 0; i < perEvent.getItemCount(); i++) {
                perEventText.add(
                        LABELS.format(perEvent.getY(i).doubleValue())
                                + " (H="
                                + hidden.get(h)
                                + ")");
                perEventMax = Math.max(perEventMax, perEvent.getY(i).doubleValue());
            }
            if (ceiling.getItemCount() > 0) {
                panelMax = Math.max(panelMax, ceiling.getMaxY());
                ceilings.add(new double[] {ceiling.getMaxY(), h});
            }

            data.addSeries(ceiling);
            renderer.setSeriesPaint(series + 2, color);
            renderer.setSeriesStroke(series + 2, Charts.DASHED);
            renderer.setSeriesShapesVisible(series + 2, false);
            renderer.setSeriesItemLabelsVisible(series + 2, false);
        }
        renderer.setDefaultItemLabelGenerator(
                new StandardXYItemLabelGenerator("{2}", new DecimalFormat("0"), LABELS));
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        NumberAxis throughput = Charts.humanAxis(backend + " backend: events/s");
        XYPlot panel = new XYPlot(data, null, throughput, renderer);
        if (!perEventText.isEmpty()) {
            // The per-event points lie close together near 0: one label for all of them.
            XYTextAnnotation label =
                    new XYTextAnnotation(
                            "per event: " + String.join(", ", perEventText),
                            minBatch,
                            perEventMax + 0.05 * Math.max(panelMax, perEventMax));
            label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            panel.addAnnotation(label);
        }
        for (double[] ceiling : ceilings) {
            XYTextAnnotation label =
                    new XYTextAnnotation(
                            "no model: " + LABELS.format(ceiling[0]), minBatch * 1.1, ceiling[0]);
            // Left, where the batched lines are not.
            label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            label.setPaint(Charts.COLORS[(int) ceiling[1] % Charts.COLORS.length]);
            panel.addAnnotation(label);
        }
        return Charts.style(panel);
    }
}
