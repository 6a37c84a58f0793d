package dev.flinkgru.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.testing.cluster.ClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar that {@code package} builds: what it must hold (the jobs, the operator and
 * state modules, the Kafka connector with kafka-clients, Jackson), what it must leave to the
 * cluster's {@code lib/} (Flink, DJL and the PyTorch natives, ONNX Runtime, logging), and what
 * never belongs in it (the command line, the demo, the bench, test harnesses). A dependency that
 * starts to leak into the jar fails here, by package.
 */
class JobJarITCase {

    /** Where every class of the job jar may come from. */
    private static final List<String> ALLOWED =
            List.of(
                    // The deployable modules: the jobs, the operator and its state types.
                    "dev/flinkgru/jobs/",
                    "dev/flinkgru/operator/",
                    "dev/flinkgru/state/",
                    // The Kafka connector with kafka-clients, and Jackson, shaded in.
                    "org/apache/flink/connector/kafka/",
                    "org/apache/flink/connector/base/",
                    "org/apache/flink/streaming/connectors/kafka/",
                    "org/apache/flink/streaming/util/serialization/",
                    "org/apache/kafka/",
                    "com/fasterxml/jackson/");

    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void open() throws IOException {
        jar = ClusterTest.jobJar(ClusterTest.findRoot());
        entries = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(JarEntry::getName).forEach(entries::add);
        }
    }

    @Test
    void runsTheSensorJobAndHoldsWhatTheClusterLacks() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
                    .isEqualTo("dev.flinkgru.jobs.sensor.SensorForecastJob");
        }
        assertThat(entries)
                .contains(
                        "dev/flinkgru/jobs/sensor/SensorForecastJob.class",
                        "dev/flinkgru/operator/GruOperator.class",
                        "dev/flinkgru/state/HiddenState.class",
                        "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                        "org/apache/flink/connector/base/DeliveryGuarantee.class",
                        "org/apache/kafka/clients/producer/KafkaProducer.class",
                        "com/fasterxml/jackson/databind/ObjectMapper.class");
    }

    @Test
    void holdsNoToolsNorTestSupport() {
        assertThat(entries)
                .as("command line, demo, bench and test harnesses in %s", jar)
                .noneMatch(e -> e.startsWith("dev/flinkgru/tools/"))
                .noneMatch(e -> e.startsWith("dev/flinkgru/testing/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/state/api/"))
                .noneMatch(e -> e.startsWith("org/junit/"));
    }

    @Test
    void leavesFlinkDjlNativesAndLoggingToTheClusterLib() {
        assertThat(entries)
                .as("Flink runtime, DJL, ONNX Runtime, logging in %s", jar)
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/shaded/"))
                .noneMatch(e -> e.startsWith("ai/djl/"))
                .noneMatch(e -> e.startsWith("ai/onnxruntime/"))
                .noneMatch(e -> e.startsWith("pytorch/") || e.startsWith("jnilib/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .noneMatch(e -> e.startsWith("org/apache/logging/"));
        assertThat(entries)
                .as("native libraries in %s", jar)
                .noneMatch(e -> e.endsWith(".so") || e.contains(".so."))
                .noneMatch(
                        e -> e.endsWith(".dll") || e.endsWith(".dylib") || e.endsWith(".jnilib"));
        assertThat(entries)
                .as("signature files in %s", jar)
                .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
    }

    @Test
    void everyClassComesFromAnAllowedDependency() throws IOException {
        List<String> strangers = new ArrayList<>();
        for (String entry : entries) {
            String name = entry.replaceFirst("^META-INF/versions/\\d+/", "");
            if (entry.endsWith(".class") && ALLOWED.stream().noneMatch(name::startsWith)) {
                strangers.add(entry);
            }
        }
        assertThat(strangers).as("classes from outside %s", ALLOWED).isEmpty();
        assertThat(Files.size(jar)).as("job jar size").isLessThan(30L * 1024 * 1024);
    }
}
