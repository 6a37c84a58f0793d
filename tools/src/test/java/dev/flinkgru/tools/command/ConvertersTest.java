package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

    @Test
    void durationsTakeAUnitOrMeanMilliseconds() {
        assertThat(Converters.toDuration("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Converters.toDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Converters.toDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Converters.toDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Converters.toDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Converters.toDuration("100")).isEqualTo(Duration.ofMillis(100));
        assertThat(Converters.toDuration(" 10S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Converters.toDuration("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void aMalformedDurationSaysWhatItExpects() {
        assertThatThrownBy(() -> Converters.toDuration("5x"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("must be a duration like 250ms, 60s or 5m, was '5x'");
        assertThatThrownBy(() -> Converters.toDuration("1.5m"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'1.5m'");
        assertThatThrownBy(() -> Converters.toDuration(""))
                .isInstanceOf(TypeConversionException.class);
    }

    @Test
    void integersAllowBlanksAndNameTheBadValue() {
        assertThat(Converters.toInt(" 42 ")).isEqualTo(42);
        assertThat(Converters.toInt("-1")).isEqualTo(-1);
        assertThat(Converters.toLong("5000000000")).isEqualTo(5_000_000_000L);
        assertThatThrownBy(() -> Converters.toInt("4.5"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("must be an integer, was '4.5'");
        assertThatThrownBy(() -> Converters.toInt("5000000000"))
                .hasMessage("must be an integer, was '5000000000'");
        assertThatThrownBy(() -> Converters.toLong("x")).hasMessage("must be an integer, was 'x'");
    }

    @Test
    void intListsKeepTheirOrder() {
        Converters.IntList list = Converters.toIntList("1024, 64,256");
        assertThat(list.values()).containsExactly(1024, 64, 256);
        assertThat(list.toArray()).containsExactly(1024, 64, 256);
        assertThat(list).hasToString("1024,64,256");
        assertThat(Converters.toIntList("7").values()).isEqualTo(List.of(7));
        assertThatThrownBy(() -> Converters.toIntList("64,,256"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("must be a comma-separated list of integers, was '64,,256'");
        assertThatThrownBy(() -> Converters.toIntList("64,x")).hasMessageContaining("'64,x'");
    }
}
