package dev.flinkgru.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HumanNumberFormatTest {

    @Test
    void axisTicksReadInThousandsAndMillions() {
        HumanNumberFormat format = new HumanNumberFormat();
        assertThat(format.format(0)).isEqualTo("0");
        assertThat(format.format(750)).isEqualTo("750");
        assertThat(format.format(2_500)).isEqualTo("2.5k");
        assertThat(format.format(200_000)).isEqualTo("200k");
        assertThat(format.format(1_500_000)).isEqualTo("1.5M");
        assertThat(format.format(3_000_000_000L)).isEqualTo("3G");
        assertThat(format.format(0.25)).isEqualTo("0.25");
        assertThat(format.format(-50_000)).isEqualTo("-50k");
        assertThat(format.format(-0.0001)).isEqualTo("0");
        assertThat(HumanNumberFormat.human(12_345)).isEqualTo("12.35k");
    }

    @Test
    void significantDigitsForDataLabels() {
        HumanNumberFormat three = new HumanNumberFormat(3);
        assertThat(three.format(339_124.47)).isEqualTo("339k");
        assertThat(three.format(92_595)).isEqualTo("92.6k");
        assertThat(three.format(6_713)).isEqualTo("6.71k");
        assertThat(three.format(757_614.54)).isEqualTo("758k");
        assertThat(three.format(12)).isEqualTo("12");
        assertThat(three.format(0.5)).isEqualTo("0.5");
    }

    @Test
    void parsingIsNotOffered() {
        assertThat(new HumanNumberFormat().parse("200k", new java.text.ParsePosition(0))).isNull();
    }
}
