package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.operator.GruEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The parse step in Flink's operator harness: what becomes an event, what a dead letter. */
class ParseEventsTest {

    private static final long NOW = System.currentTimeMillis();

    private OneInputStreamOperatorTestHarness<KafkaInput, GruEvent> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** The checks of the operator under test, which the source applies too. */
    private EventChecks checks = defaults();

    private void open(EventChecks checks) throws Exception {
        this.checks = checks;
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new ParseEvents(new SensorCodec(2), checks, 200)));
        harness.open();
    }

    private static EventChecks defaults() {
        return new EventChecks(1024, Duration.ofHours(1), null);
    }

    /** The record as the Kafka source hands it over: parsed and checked, or with its problem. */
    private KafkaInput record(byte[] value, long offset) {
        List<KafkaInput> out = new ArrayList<>();
        new KafkaInputDeserializer(new SensorCodec(2), checks)
                .deserialize(
                        new ConsumerRecord<>("in", 1, offset, null, value),
                        new Collector<>() {
                            @Override
                            public void collect(KafkaInput record) {
                                out.add(record);
                            }

                            @Override
                            public void close() {}
                        });
        return out.get(0);
    }

    private KafkaInput reading(String sensor, long ts, long offset) {
        return record(
                ("{\"sensor\":\"" + sensor + "\",\"ts\":" + ts + ",\"values\":[1.5,-2]}")
                        .getBytes(StandardCharsets.UTF_8),
                offset);
    }

    private void process(KafkaInput input) throws Exception {
        harness.processElement(new StreamRecord<>(input));
    }

    private List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        var side = harness.getSideOutput(ParseEvents.DEAD_LETTERS);
        if (side != null) {
            side.forEach(r -> letters.add(r.getValue()));
        }
        return letters;
    }

    @Test
    void aValidReadingBecomesAnEventCarryingItsRecord() throws Exception {
        open(defaults());
        KafkaInput input = reading("s-1", NOW - 5_000, 42);
        process(input);
        List<GruEvent> events = harness.extractOutputValues();
        assertThat(events).hasSize(1);
        GruEvent event = events.get(0);
        assertThat(event.key).isEqualTo("s-1");
        assertThat(event.timestamp).isEqualTo(NOW - 5_000);
        assertThat(event.features).containsExactly(1.5f, -2f);
        assertThat(event.origin).isEqualTo(input.raw);
        assertThat(KafkaInput.partitionOf(event.eventId)).isEqualTo(1);
        assertThat(KafkaInput.offsetOf(event.eventId)).isEqualTo(42);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void historyYearsOldIsWelcomeAndAFarFutureTsIsADeadLetter() throws Exception {
        open(defaults());
        process(reading("s-1", NOW - Duration.ofDays(6 * 365).toMillis(), 1));
        process(reading("s-1", 32_503_680_000_000L, 2)); // the year 3000
        process(reading("s-1", NOW + Duration.ofMinutes(30).toMillis(), 3));
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.error)
                                    .startsWith("ts 32503680000000 (3000-01-01T00:00:00Z) is ")
                                    .contains(" d ahead of the clock")
                                    .endsWith("more than job.event-time.max-ahead = 1 h");
                            assertThat(d.offset).isEqualTo(2);
                            assertThat(d.partition).isEqualTo(1);
                            assertThat(d.topic).isEqualTo("in");
                        });
    }

    @Test
    void anOptionalBoundOnHowOldAnEventMayBe() throws Exception {
        open(new EventChecks(1024, Duration.ofHours(1), Duration.ofDays(7)));
        process(reading("s-1", NOW - Duration.ofDays(8).toMillis(), 1));
        process(reading("s-1", NOW - Duration.ofDays(6).toMillis(), 2));
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d ->
                                assertThat(d.error)
                                        .contains("8 d behind the clock")
                                        .endsWith("job.event-time.max-behind = 7 d"));
    }

    @Test
    void keysThatAreEmptyTooLongOrNotUnicodeAreDeadLettersNeverCut() throws Exception {
        open(new EventChecks(16, Duration.ofHours(1), null));
        process(reading("s-\\ud800", NOW, 1)); // a lone surrogate, as a JSON escape
        process(reading("s-?", NOW, 2)); // what the lone surrogate becomes in UTF-8
        process(reading("0123456789abcdef", NOW, 3)); // 16 bytes: the limit
        process(reading("0123456789abcdefg", NOW, 4));
        process(reading("é".repeat(9), NOW, 5)); // 9 characters, 18 bytes
        process(reading("", NOW, 6));
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.key)
                .containsExactly("s-?", "0123456789abcdef");
        assertThat(deadLetters())
                .extracting(d -> d.offset, d -> d.error)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                1L,
                                "the key is not valid Unicode: a lone surrogate U+D800 at index"
                                        + " 2"),
                        org.assertj.core.groups.Tuple.tuple(
                                4L, "the key is 17 bytes long, more than job.key.max-bytes = 16"),
                        org.assertj.core.groups.Tuple.tuple(
                                5L, "the key is 18 bytes long, more than job.key.max-bytes = 16"),
                        org.assertj.core.groups.Tuple.tuple(6L, "'sensor' is empty"));
    }

    @Test
    void aRecordThatIsNotUtf8IsADeadLetterEvenIfItWouldParse() throws Exception {
        open(defaults());
        byte[] a =
                ("{\"sensor\":\"s-\u00ff\",\"ts\":" + NOW + ",\"values\":[1,2]}")
                        .getBytes(StandardCharsets.ISO_8859_1); // 0xff alone: not UTF-8
        process(record(a, 7));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.error)
                                    .isEqualTo(
                                            "the record is not valid UTF-8: byte 0xff at offset"
                                                    + " 13");
                            assertThat(d.rawBytes).isEqualTo(a.length);
                            assertThat(d.raw).contains("s-\ufffd");
                        });
    }

    @Test
    void aHugeRecordsDeadLetterIsCutButKeepsItsLengthAndCoordinates() throws Exception {
        open(defaults()); // raw cut at 200 bytes of escaped JSON
        String huge = "{\"sensor\":\"" + "\"".repeat(1_000_000);
        process(record(huge.getBytes(StandardCharsets.UTF_8), 9));
        DeadLetter letter = deadLetters().get(0);
        assertThat(letter.error).startsWith("malformed JSON");
        assertThat(letter.rawTruncated).isTrue();
        assertThat(letter.rawBytes).isEqualTo(huge.length());
        assertThat(huge).startsWith(letter.raw);
        assertThat(letter.toJson().getBytes(StandardCharsets.UTF_8).length)
                .as("the whole dead letter")
                .isLessThan(200 + 2 * DeadLetter.MAX_ERROR_CHARS + 200);
        assertThat(letter.offset).isEqualTo(9);
    }
}
