package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaJobBenchTest {

    @Test
    void readsTheFieldsOfAForecastAndItsRecordTime() {
        byte[] value =
                ("{\"sensor\":\"s-17\",\"ts\":1764230400000,\"forecast\":[0.5,-1.0],"
                                + "\"steps\":3,\"model\":\"ab12\"}")
                        .getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        "out",
                        0,
                        7,
                        1764230400123L,
                        TimestampType.CREATE_TIME,
                        0,
                        value.length,
                        null,
                        value,
                        new org.apache.kafka.common.header.internals.RecordHeaders(),
                        java.util.Optional.empty());

        KafkaJobBench.Forecast f = KafkaJobBench.parse(record, 1764230400999L);

        assertThat(f)
                .isEqualTo(
                        new KafkaJobBench.Forecast(
                                "s-17", 1764230400000L, 3, 1764230400123L, 1764230400999L));
    }

    @Test
    void steadyRateLeavesOutTheFirstAndLastTwentiethOfTheOutput() {
        List<KafkaJobBench.Forecast> out = new ArrayList<>();
        // 100 forecasts: the first 5 straggle in over 10 s (start-up), then one per ms, then the
        // last 5 over another 10 s (the final checkpoint).
        for (int i = 0; i < 5; i++) {
            out.add(forecast(i * 2_000L));
        }
        for (int i = 0; i < 90; i++) {
            out.add(forecast(10_000L + i));
        }
        for (int i = 0; i < 5; i++) {
            out.add(forecast(12_000L + i * 2_000L));
        }

        // from the 6th (10,000 ms) to the 95th (10,089 ms): 89 forecasts in 89 ms
        assertThat(KafkaJobBench.steadyEventsPerSecond(out)).isEqualTo(1_000.0);
    }

    private static KafkaJobBench.Forecast forecast(long producedMillis) {
        return new KafkaJobBench.Forecast("s", 0, 0, producedMillis, 0);
    }
}
