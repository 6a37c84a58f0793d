package dev.flinkgru.tools.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small SVG line chart: panels stacked vertically, each with named series over x. */
public final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 220;
    private static final int MARGIN = 50;

    private final String title;
    private final String xLabel;
    private final List<Panel> panels = new ArrayList<>();

    public SvgChart(String title, String xLabel) {
        this.title = title;
        this.xLabel = xLabel;
    }

    /** A new panel titled {@code name}. */
    public Panel panel(String name) {
        Panel panel = new Panel(name);
        panels.add(panel);
        return panel;
    }

    /** One panel's series. */
    public static final class Panel {
        private final String name;
        private final List<String> seriesNames = new ArrayList<>();
        private final List<double[][]> series = new ArrayList<>();

        private Panel(String name) {
            this.name = name;
        }

        /** Adds a series of (x, y) points. */
        public Panel series(String seriesName, double[] xs, double[] ys) {
            seriesNames.add(seriesName);
            series.add(new double[][] {xs, ys});
            return this;
        }
    }

    public void write(Path file) throws IOException {
        int height = MARGIN + panels.size() * (PANEL_HEIGHT + MARGIN);
        StringBuilder svg = new StringBuilder();
        svg.append(
                        String.format(
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                                WIDTH, height))
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append(text(WIDTH / 2.0, 25, title, "middle", 16));
        for (int p = 0; p < panels.size(); p++) {
            drawPanel(svg, panels.get(p), MARGIN + p * (PANEL_HEIGHT + MARGIN));
        }
        svg.append("</svg>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    private void drawPanel(StringBuilder svg, Panel panel, int top) {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[][] s : panel.series) {
            for (int i = 0; i < s[0].length; i++) {
                minX = Math.min(minX, s[0][i]);
                maxX = Math.max(maxX, s[0][i]);
                minY = Math.min(minY, s[1][i]);
                maxY = Math.max(maxY, s[1][i]);
            }
        }
        if (!(maxX > minX)) {
            maxX = minX + 1;
        }
        if (!(maxY > minY)) {
            maxY = minY + 1;
        }
        double pad = (maxY - minY) * 0.05;
        minY -= pad;
        maxY += pad;
        int left = MARGIN + 20;
        int right = WIDTH - 20;
        int bottom = top + PANEL_HEIGHT;
        svg.append(
                String.format(
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                                + " stroke=\"#999\"/>%n",
                        left, top, right - left, PANEL_HEIGHT));
        svg.append(text(left, top - 6, panel.name, "start", 13));
        svg.append(text(left - 5, top + 10, fmt(maxY), "end", 10));
        svg.append(text(left - 5, bottom, fmt(minY), "end", 10));
        svg.append(text(left, bottom + 15, fmt(minX), "start", 10));
        svg.append(text(right, bottom + 15, fmt(maxX) + " " + xLabel, "end", 10));
        for (int s = 0; s < panel.series.size(); s++) {
            double[][] points = panel.series.get(s);
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < points[0].length; i++) {
                double x = left + (points[0][i] - minX) / (maxX - minX) * (right - left);
                double y = bottom - (points[1][i] - minY) / (maxY - minY) * PANEL_HEIGHT;
                path.append(i == 0 ? "M" : " L").append(fmt(x)).append(',').append(fmt(y));
            }
            String color = COLORS[s % COLORS.length];
            svg.append(
                    String.format(
                            "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                            path, color));
            int legendX = right - 150 * (panel.series.size() - s);
            svg.append(
                    String.format(
                            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n",
                            legendX, top - 10, color));
            svg.append(text(legendX + 16, top - 6, panel.seriesNames.get(s), "start", 11));
        }
    }

    private static String text(double x, double y, String content, String anchor, int size) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x,
                y,
                anchor,
                size,
                content.replace("&", "&amp;").replace("<", "&lt;"));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
