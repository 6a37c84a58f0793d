package dev.flinkgru.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link LocalKafka} checks before it starts anything. */
class LocalKafkaTest {

    @Test
    void builderRejectsBadOptionsAtOnce(@TempDir Path dir) {
        assertThatThrownBy(() -> LocalKafka.builder(dir).optPort(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port must be in [0, 65535], was 70000");
        assertThatThrownBy(() -> LocalKafka.builder(dir).optPartitions(0))
                .hasMessageContaining("partitions must be greater than 0");
        assertThatThrownBy(() -> LocalKafka.builder(dir).optStartTimeout(Duration.ZERO))
                .hasMessageContaining("startTimeout must be positive");
    }

    @Test
    void aMissingClasspathFileSaysHowToBuildIt(@TempDir Path dir) {
        String old = System.getProperty(LocalKafka.CLASSPATH_PROPERTY);
        System.setProperty(LocalKafka.CLASSPATH_PROPERTY, dir.resolve("nope").toString());
        try {
            assertThatThrownBy(LocalKafka::findClasspathFile)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("mvn -q install -DskipTests");
        } finally {
            if (old == null) {
                System.clearProperty(LocalKafka.CLASSPATH_PROPERTY);
            } else {
                System.setProperty(LocalKafka.CLASSPATH_PROPERTY, old);
            }
        }
    }

    @Test
    void aClasspathWithAMissingJarIsRefusedBeforeAnyProcessStarts(@TempDir Path dir)
            throws Exception {
        Path classpath = Files.writeString(dir.resolve("broker.classpath"), "/no/such/kafka.jar");
        assertThatThrownBy(
                        () ->
                                LocalKafka.builder(dir.resolve("work"))
                                        .optClasspathFile(classpath)
                                        .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/no/such/kafka.jar, which does not exist");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aTakenFixedPortIsRefusedBeforeAnyProcessStarts(@TempDir Path dir) throws Exception {
        Path classpath = Files.writeString(dir.resolve("broker.classpath"), dir.toString());
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(
                            () ->
                                    LocalKafka.builder(dir.resolve("work"))
                                            .optClasspathFile(classpath)
                                            .optPort(taken.getLocalPort())
                                            .start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Port " + taken.getLocalPort())
                    .hasMessageContaining("is in use");
        }
        assertThat(dir.resolve("work").resolve(LocalKafka.PID_FILE)).doesNotExist();
    }

    @Test
    void anEmptyWorkDirectoryHasNoBroker(@TempDir Path dir) {
        LocalKafka.Status status = LocalKafka.status(dir);
        assertThat(status.running()).isFalse();
        assertThat(status.alive()).isFalse();
        assertThat(status.pid()).isEqualTo(-1);
        assertThat(LocalKafka.stop(dir, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aStalePidFileIsNotABroker(@TempDir Path dir) throws Exception {
        // This test JVM is alive but is no broker of dir: it must be neither reported nor killed.
        long self = ProcessHandle.current().pid();
        Files.writeString(dir.resolve(LocalKafka.PID_FILE), Long.toString(self));
        assertThat(LocalKafka.status(dir).alive()).isFalse();
        assertThat(LocalKafka.stop(dir, Duration.ofSeconds(1))).isEmpty();
        assertThat(dir.resolve(LocalKafka.PID_FILE)).doesNotExist();
    }
}
