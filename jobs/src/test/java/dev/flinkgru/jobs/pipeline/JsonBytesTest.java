package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBytesTest {

    @Test
    void valuesOneAfterAnotherAreEachTheirOwnBytes() {
        for (int i = 0; i < 3; i++) {
            int n = i;
            byte[] bytes =
                    JsonBytes.write(
                            g -> {
                                g.writeStartObject();
                                g.writeNumberField("n", n);
                                g.writeEndObject();
                            });
            assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + n + "}");
        }
        assertThat(JsonBytes.write(g -> g.writeString("x".repeat(20_000))))
                .as("past the buffer's first block")
                .hasSize(20_002);
    }

    @Test
    void aValueThatFailsHalfWayLeavesNothingForTheNext() {
        assertThatThrownBy(
                        () ->
                                JsonBytes.write(
                                        g -> {
                                            g.writeStartObject();
                                            g.writeStringField("half", "way");
                                            throw new IllegalStateException("failed");
                                        }))
                .hasMessage("failed");

        byte[] next = JsonBytes.write(g -> g.writeNumber(1));

        assertThat(new String(next, StandardCharsets.UTF_8)).isEqualTo("1");
    }
}
