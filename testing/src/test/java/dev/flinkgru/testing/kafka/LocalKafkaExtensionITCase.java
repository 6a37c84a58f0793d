package dev.flinkgru.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LocalKafkaExtension} on a static field: one broker for the class, topics created. */
class LocalKafkaExtensionITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension("in").withPartitions(2);

    @Test
    void createsTheTopicsItWasGivenAndMore() throws Exception {
        KAFKA.createTopics(3, "out");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .containsAll(Set.of("in", "out"));
            var topics = admin.describeTopics(Set.of("in", "out")).allTopicNames().get();
            assertThat(topics.get("in").partitions()).hasSize(2);
            assertThat(topics.get("out").partitions()).hasSize(3);
        }
    }

    @Test
    void theBrokerServesTheWholeClass() {
        assertThat(KAFKA.broker().pid()).isPositive();
        assertThat(LocalKafka.status(KAFKA.broker().workDir()).running()).isTrue();
    }
}
