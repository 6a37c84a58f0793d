package dev.flinkgru.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.CliException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flink-gru kafka start|status|stop}: a detached broker that outlives the command. */
class KafkaCommandITCase {

    @Test
    void commandLineStartsADetachedBrokerAndStopsIt(@TempDir Path dir) throws Exception {
        String workDir = dir.resolve("kafka").toString();
        try {
            Result start =
                    command("start", "--work-dir", workDir, "--port", "0", "--topics", "a,b");
            assertThat(start.code).as("start: %s", start.err).isZero();
            String bootstrap = start.out.trim();
            assertThat(bootstrap).startsWith("127.0.0.1:");

            long pid =
                    Long.parseLong(Files.readString(Path.of(workDir, LocalKafka.PID_FILE)).trim());
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse(""))
                    .as("the pid file names the broker JVM itself")
                    .contains("kafka.Kafka");

            Result again = command("start", "--work-dir", workDir, "--topics", "c");
            assertThat(again.code).as("second start: %s", again.err).isZero();
            assertThat(again.out.trim()).isEqualTo(bootstrap);
            assertThat(again.err).contains("running already");

            Result status = command("status", "--work-dir", workDir);
            assertThat(status.code).isZero();
            assertThat(status.out).contains("running " + bootstrap);

            Result stop = command("stop", "--work-dir", workDir);
            assertThat(stop.code).isZero();
            assertThat(stop.err).contains("Kafka stopped (pid " + pid + ")");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("broker process after kafka stop")
                    .isFalse();

            Result stopped = command("status", "--work-dir", workDir);
            assertThat(stopped.code).isEqualTo(KafkaCommand.NOT_RUNNING);
            assertThat(stopped.out.trim()).isEqualTo("stopped");

            assertThat(command("stop", "--work-dir", workDir).code).isZero();
            assertThat(command("bogus").code).isEqualTo(CliException.USAGE);
            assertThat(command("start", "--port", "x").err).contains("--port must be an integer");
            assertThat(command("start", "--port", "-1").code).isEqualTo(CliException.USAGE);
        } finally {
            LocalKafka.stop(Path.of(workDir), Duration.ofSeconds(10));
        }
    }

    private static Result command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code;
        try {
            code =
                    KafkaCommand.run(
                            args, new PrintStream(out, true, StandardCharsets.UTF_8), errStream);
        } catch (CliException e) {
            errStream.println(e.getMessage()); // as FlinkGruCli prints it
            code = e.exitCode();
        }
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {}
}
