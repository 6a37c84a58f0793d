package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;

/** kafka.producer.* and kafka.consumer.* reach the sinks' producers and the source's consumer. */
class KafkaClientPropertiesTest {

    private static Configuration config(String... args) {
        return JobSettings.parse(SensorForecastJob.DEFAULTS, args);
    }

    @Test
    void theProducersGetTheJobsBatchingDefaults() throws Exception {
        Properties producer = producerConfig(config());
        assertThat(producer.getProperty("linger.ms")).isEqualTo("100");
        assertThat(producer.getProperty("batch.size")).isEqualTo("524288");
        assertThat(producer.getProperty("transaction.timeout.ms"))
                .isEqualTo(Long.toString(Duration.ofMinutes(10).toMillis()));
    }

    @Test
    void aProducerPropertyOverridesTheDefaultAndAnyOtherIsAdded() throws Exception {
        Properties producer =
                producerConfig(
                        config(
                                "--kafka.producer.linger.ms", "7",
                                "--kafka.producer.compression.type", "lz4"));
        assertThat(producer.getProperty("linger.ms")).isEqualTo("7");
        assertThat(producer.getProperty("compression.type")).isEqualTo("lz4");
        assertThat(producer.getProperty("batch.size")).isEqualTo("524288");
    }

    @Test
    void aConsumerPropertyReachesTheSourceAndReadCommittedStays() throws Exception {
        Configuration config =
                config(
                        "--kafka.consumer.max.partition.fetch.bytes",
                        "4194304",
                        "--kafka.consumer.fetch.min.bytes",
                        "65536");
        KafkaSource<KafkaInput> source =
                GruKafkaPipeline.source(
                        config,
                        "127.0.0.1:1",
                        "in",
                        new SensorCodec(8),
                        EventChecks.fromConfiguration(config));
        Field props = KafkaSource.class.getDeclaredField("props");
        props.setAccessible(true);
        Properties consumer = (Properties) props.get(source);
        assertThat(consumer.getProperty("max.partition.fetch.bytes")).isEqualTo("4194304");
        assertThat(consumer.getProperty("fetch.min.bytes")).isEqualTo("65536");
        assertThat(consumer.getProperty("isolation.level")).isEqualTo("read_committed");
    }

    @Test
    void whatTheJobSetsItselfIsRefusedNamingItsOption() {
        assertThatThrownBy(
                        () ->
                                KafkaClientProperties.producer(
                                        config("--kafka.producer.transaction.timeout.ms", "1")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("kafka.transaction-timeout");
        assertThatThrownBy(
                        () ->
                                KafkaClientProperties.consumer(
                                        config("--kafka.consumer.isolation.level", "x")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("isolation.level");
    }

    @Test
    void anEmptyPropertyNameIsStillAnUnknownOption() {
        assertThatThrownBy(() -> config("--kafka.producer.", "1"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("unknown option 'kafka.producer.'");
    }

    private static Properties producerConfig(Configuration config) throws Exception {
        KafkaSink<KeyedJson> sink =
                GruKafkaPipeline.sink(
                        config,
                        "127.0.0.1:1",
                        "out",
                        KafkaJobOptions.OutputTimestamp.PROCESSING_TIME,
                        "out");
        Method getter = KafkaSink.class.getDeclaredMethod("getKafkaProducerConfig");
        getter.setAccessible(true);
        return (Properties) getter.invoke(sink);
    }
}
