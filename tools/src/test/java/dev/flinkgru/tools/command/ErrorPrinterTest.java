package dev.flinkgru.tools.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one error printer, on a small command of its own. */
class ErrorPrinterTest {

    /** A command that fails as told, and maps two option keys onto its flags. */
    @Command(name = "probe")
    static final class Probe implements Callable<Integer>, ConfigFlags {
        @Option(names = "--count", required = true)
        int count;

        @Option(names = "--wait", defaultValue = "1s")
        Duration wait;

        @Option(names = "--name")
        String name;

        Exception failure;

        Probe failing(Exception e) {
            failure = e;
            return this;
        }

        @Override
        public Map<String, String> flagsByKey() {
            return Map.of("gru.model.hidden-size", "--count", "gru.model.path", "--name");
        }

        @Override
        public Integer call() throws Exception {
            if (failure != null) {
                throw failure;
            }
            return 0;
        }
    }

    @Test
    void goodArgumentsRunTheCommand() {
        Probe probe = new Probe();
        CommandRun run = CommandRun.of(probe, "--count", "3", "--name=x", "--count", "4");
        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(probe.count).as("the last of a repeated flag wins").isEqualTo(4);
        assertThat(probe.name).isEqualTo("x");
        assertThat(probe.wait).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anUnknownOptionIsNamed() {
        CommandRun run = CommandRun.of(new Probe(), "--cuont", "3");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error()).startsWith("flink-gru probe: unknown option --cuont");
        assertThat(run.err()).contains("See 'flink-gru probe --help'.");
    }

    @Test
    void anUnknownOptionGoesBeforeTheRequiredOnesItHides() {
        CommandRun run = CommandRun.of(new Probe(), "--bogus=1");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error()).isEqualTo("flink-gru probe: unknown option --bogus");
    }

    @Test
    void missingAndMalformedValuesNameTheFlag() {
        assertThat(CommandRun.of(new Probe()).error())
                .isEqualTo("flink-gru probe: --count is required");
        assertThat(CommandRun.of(new Probe(), "--count", "1", "--name").error())
                .isEqualTo("flink-gru probe: --name needs a value");
        assertThat(CommandRun.of(new Probe(), "--name", "--count", "1").error())
                .isEqualTo("flink-gru probe: --name needs a value");
        CommandRun bad = CommandRun.of(new Probe(), "--count", "x");
        assertThat(bad.exit()).isEqualTo(CliException.USAGE);
        assertThat(bad.error()).isEqualTo("flink-gru probe: --count must be an integer, was 'x'");
        assertThat(CommandRun.of(new Probe(), "--count", "1", "--wait", "soon").error())
                .isEqualTo(
                        "flink-gru probe: --wait must be a duration like 250ms, 60s or 5m, was"
                                + " 'soon'");
        assertThat(CommandRun.of(new Probe(), "--count", "1", "extra").error())
                .isEqualTo("flink-gru probe: unexpected argument 'extra'");
    }

    @Test
    void aFailureIsOneLineAndExitsOne() {
        CommandRun run =
                CommandRun.of(
                        new Probe().failing(CliException.failure("cannot read in.csv")),
                        "--count",
                        "1");
        assertThat(run.exit()).isEqualTo(CliException.FAILURE);
        assertThat(run.err()).isEqualTo("flink-gru probe: cannot read in.csv\n");
    }

    @Test
    void aUsageErrorOfTheCommandExitsTwoWithTheHint() {
        CommandRun run =
                CommandRun.of(
                        new Probe().failing(CliException.usage("--count must be at least 1")),
                        "--count",
                        "0");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.err().lines())
                .containsExactly(
                        "flink-gru probe: --count must be at least 1",
                        "See 'flink-gru probe --help'.");
    }

    @Test
    void libraryMessagesNameTheFlagsTheCommandMaps() {
        CommandRun run =
                CommandRun.of(
                        new Probe()
                                .failing(
                                        CliException.failure(
                                                "gru.model.hidden-size is 32 but model M returned h"
                                                        + " of shape [2, 1, 8], i.e. H=8")),
                        "--count",
                        "32");
        assertThat(run.error())
                .isEqualTo(
                        "flink-gru probe: --count is 32 but model M returned h of shape [2, 1, 8],"
                                + " i.e. H=8");
        CommandRun config =
                CommandRun.of(
                        new Probe()
                                .failing(
                                        new IllegalConfigurationException(
                                                "option 'gru.model.path' is required")),
                        "--count",
                        "1");
        assertThat(config.exit()).isEqualTo(CliException.USAGE);
        assertThat(config.error()).isEqualTo("flink-gru probe: option '--name' is required");
    }

    @Test
    void translateReplacesWholeKeysOnly() {
        Map<String, String> flags =
                Map.of(
                        "gru.model.layers", "--layers",
                        "gru.model.hidden-size", "--hidden-size",
                        "gru.batch.max-size", "--batch-size");
        assertThat(
                        ErrorPrinter.translate(
                                "gru.model.hidden-size 8 gru.model.layers 2 means 16.", flags))
                .isEqualTo("--hidden-size 8 --layers 2 means 16.");
        assertThat(ErrorPrinter.translate("x.gru.model.layers and gru.model.layers-x", flags))
                .isEqualTo("x.gru.model.layers and gru.model.layers-x");
        assertThat(ErrorPrinter.translate("'gru.batch.max-size' must be > 0", flags))
                .isEqualTo("'--batch-size' must be > 0");
        assertThat(ErrorPrinter.translate("gru.batch.max-delay is 0", flags))
                .isEqualTo("gru.batch.max-delay is 0");
        assertThat(ErrorPrinter.translate("a $1 \\ message", Map.of("a", "$0")))
                .isEqualTo("$0 $1 \\ message");
    }

    @Test
    void anUnexpectedExceptionIsOneLineWithItsRootCause() {
        CommandRun run =
                CommandRun.of(
                        new Probe()
                                .failing(
                                        new IllegalStateException(
                                                "boom\nsecond line", new IOException("disk full"))),
                        "--count",
                        "1");
        assertThat(run.exit()).isEqualTo(CliException.FAILURE);
        assertThat(run.err())
                .isEqualTo(
                        "flink-gru probe: java.lang.IllegalStateException: boom (cause:"
                                + " java.io.IOException: disk full)\n");
    }

    @Test
    void rootMessageTakesTheFirstArgumentOrIoProblem() {
        Exception e =
                new RuntimeException(
                        "wrapper",
                        new IllegalArgumentException("Model file not found: m.pt\nmore"));
        assertThat(ErrorPrinter.rootMessage(e)).isEqualTo("Model file not found: m.pt");
        assertThat(ErrorPrinter.rootMessage(new RuntimeException("plain"))).isEqualTo("plain");
        assertThat(ErrorPrinter.rootMessage(new RuntimeException()))
                .isEqualTo("java.lang.RuntimeException");
    }
}
