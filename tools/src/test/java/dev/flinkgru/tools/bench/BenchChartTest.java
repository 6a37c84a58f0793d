package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.report.FixedTicksLogAxis;
import dev.flinkgru.tools.report.HumanNumberFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartTest {

    @TempDir Path tmp;

    private static CombinedDomainXYPlot plot() {
        JFreeChart chart = BenchChart.chart(BenchResultsTest.RESULTS, 2);
        assertThat(chart.getTitle().getText())
                .isEqualTo("flink-gru bench: throughput vs batch size");
        return (CombinedDomainXYPlot) chart.getPlot();
    }

    @Test
    void onePanelPerBackendOverALogBatchAxis() {
        CombinedDomainXYPlot plot = plot();
        assertThat(plot.getSubplots()).hasSize(2);
        assertThat(plot.getDomainAxis()).isInstanceOf(FixedTicksLogAxis.class);
        assertThat(plot.getDomainAxis().getLowerBound()).isLessThan(1);
        assertThat(plot.getDomainAxis().getUpperBound()).isGreaterThan(1024);
        assertThat(plot.getFixedLegendItems().getItemCount()).isEqualTo(3);
    }

    @Test
    void throughputStartsAtZeroInHumanUnits() {
        for (XYPlot panel : plot().getSubplots()) {
            NumberAxis axis = (NumberAxis) panel.getRangeAxis();
            assertThat(axis.getLowerBound()).isZero();
            assertThat(axis.getNumberFormatOverride()).isInstanceOf(HumanNumberFormat.class);
        }
    }

    @Test
    void eachSeriesHoldsItsMode() {
        XYPlot heap = plot().getSubplots().get(0);
        XYDataset data = heap.getDataset();
        assertThat(data.getSeriesCount()).isEqualTo(3);
        assertThat(data.getSeriesKey(0)).isEqualTo("H=64 batched");
        assertThat(data.getItemCount(0)).isEqualTo(3);
        assertThat(data.getXValue(0, 1)).isEqualTo(256);
        assertThat(data.getYValue(0, 1)).isEqualTo(339124.47);
        assertThat(data.getItemCount(1)).as("per event: one point at B=1").isEqualTo(1);
        assertThat(data.getXValue(1, 0)).isEqualTo(1);
        assertThat(data.getYValue(2, 0))
                .as("the ceiling: flat across")
                .isEqualTo(data.getYValue(2, 1))
                .isEqualTo(268118.27);
    }

    @Test
    void theSvgHasTicksAtEveryBatchSizeAndLabelsInHumanUnits() throws Exception {
        Path svg = tmp.resolve("throughput.svg");
        BenchChart.write(BenchResultsTest.RESULTS, 2, svg);
        String text = Files.readString(svg);
        assertThat(text).startsWith("<svg").contains("viewBox=");
        assertThat(text).contains(">1<", ">64<", ">256<", ">1024<");
        assertThat(text).contains(">339k<", ">0<", "no model: 268k", ">heap backend: events/s<");
        assertThat(text).doesNotContain("339124.47").doesNotContain(">-");
        Path again = tmp.resolve("again/throughput.svg");
        BenchChart.write(BenchResultsTest.RESULTS, 2, again);
        assertThat(Files.readString(again)).as("the same chart, the same file").isEqualTo(text);
    }

    @Test
    void aPngNameWritesAPng() throws Exception {
        Path png = tmp.resolve("throughput.png");
        BenchChart.write(BenchResultsTest.RESULTS, 2, png);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    }
}
