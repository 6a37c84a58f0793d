package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ConfigFlags;
import dev.flinkgru.tools.command.Converters.IntList;
import dev.flinkgru.tools.command.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru bench}: the same generated stream through three pipelines — no model (Flink's
 * keyed-state ceiling), the operator at batch size 1, and the operator batched — for each hidden
 * size and state backend; throughput at full speed, then latency at half that load.
 */
@Command(
        name = "bench",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru bench [--quick] [--events N] [--keys N] [--hidden 64,256]"
                    + " [--batches 64,256,1024]",
            "    [--backends heap,rocksdb] [--parallelism P] [--per-event-events N]"
                    + " [--latency-seconds S]",
            "    [--max-delay-ms N] [--buffer-timeout-ms N] [--device cpu|gpu|gpu:N|auto]"
                    + " [--models-dir D]",
            "    [--json FILE] [--chart FILE]",
            "flink-gru bench --chart-from FILE.json [--chart FILE]"
        },
        description = {
            "Throughput and latency: no model, per event, batched.",
            "Throughput and latency of one generated stream (F=8, a scattered key order) through"
                    + " the same pipeline three ways, for each hidden size and state backend:"
                    + " no-model (Flink's keyed-state ceiling), per-event (batch size 1) and"
                    + " batched. Peak events/s, then p50/p99 latency at half that load; a table,"
                    + " a chart, and with --json the results as JSON.",
            ""
        })
public final class BenchCommand implements Callable<Integer>, ConfigFlags {

    private static final int FEATURES = 8;

    @Option(
            names = "--quick",
            showDefaultValue = Visibility.NEVER,
            description =
                    "Every mode for H=64 on the heap backend, with fewer events: about two and"
                            + " a half minutes on 2 cores.")
    boolean quick;

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "Events of a throughput run. Default: 5000000 (--quick: 600000).")
    Long events;

    @Option(
            names = "--keys",
            paramLabel = "N",
            defaultValue = "100000",
            description = "Keys of the stream.")
    int keys;

    @Option(
            names = "--hidden",
            paramLabel = "H,..",
            description = "Hidden sizes, each with its model. Default: 64,256 (--quick: 64).")
    IntList hidden;

    @Option(
            names = "--batches",
            paramLabel = "B,..",
            defaultValue = "64,256,1024",
            description = "Batch sizes of the batched runs.")
    IntList batches;

    @Option(
            names = "--backends",
            paramLabel = "heap,rocksdb",
            description = "State backends. Default: heap,rocksdb (--quick: heap).")
    String backendList;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "2",
            description = "Parallelism of every pipeline.")
    int parallelism;

    @Option(
            names = "--per-event-events",
            paramLabel = "N",
            description =
                    "Events of a per-event throughput run (at most --events). Default: 300000"
                            + " (--quick: 40000).")
    Long perEventEventsOption;

    @Option(
            names = "--latency-seconds",
            paramLabel = "S",
            description = "Length of a latency run at half load. Default: 20 (--quick: 6).")
    Long latencySeconds;

    @Option(
            names = "--max-delay-ms",
            paramLabel = "N",
            defaultValue = "10",
            description = "The operator's longest wait of an event in its buffer.")
    long maxDelayMs;

    @Option(
            names = "--buffer-timeout-ms",
            paramLabel = "N",
            defaultValue = "2",
            description = "Flink's network buffer timeout.")
    long bufferTimeoutMillis;

    @Option(
            names = "--device",
            paramLabel = "D",
            defaultValue = "cpu",
            description = "cpu, gpu, gpu:N or auto.")
    String device;

    @Option(
            names = "--models-dir",
            paramLabel = "D",
            description =
                    "Where the models gru-f8-h<H>.pt are. Default: models/bench of the project"
                            + " (models/bench/make_bench_models.py writes them).")
    Path modelsDirOption;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description =
                    "Also writes the results as JSON:"
                            + " {\"results\":[{\"mode\",\"hidden\",\"batch\",\"backend\","
                            + "\"events_per_s\",\"p50_ms\",\"p99_ms\"}]}.")
    Path json;

    @Option(
            names = "--chart",
            paramLabel = "FILE",
            defaultValue = ".flink-gru/bench/throughput.svg",
            description = "The throughput-vs-batch-size chart: SVG, or PNG for a .png name.")
    Path chart;

    @Option(
            names = "--chart-from",
            paramLabel = "FILE.json",
            description =
                    "Runs nothing: prints the table and draws the chart of an earlier run's"
                            + " --json FILE.")
    Path chartFrom;

    long eventCount;
    int[] hiddenSizes;
    int[] batchSizes;
    List<String> backends;
    long perEventEvents;
    Duration latencyRun;
    Duration maxDelay;
    Path modelsDir;
    private Progress progress;
    private int run;
    private int runs;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(GruOptions.PREDICTOR_DEVICE.key(), "--device");
    }

    @Override
    public Integer call() throws Exception {
        if (chartFrom != null) {
            BenchResults saved = BenchResults.read(chartFrom);
            printTable(saved.results());
            writeChart(saved.results(), saved.cores(), chart);
            return 0;
        }
        resolve();
        List<BenchResult> results = runAll();
        printTable(results);
        if (json != null) {
            BenchResults.write(
                    new BenchResults(Runtime.getRuntime().availableProcessors(), results), json);
            System.out.println("json: " + json.toAbsolutePath());
        }
        writeChart(results, Runtime.getRuntime().availableProcessors(), chart);
        return 0;
    }

    /** The settings, with the defaults of --quick or of a full run. */
    void resolve() {
        eventCount = events != null ? events : quick ? 600_000 : 5_000_000;
        hiddenSizes =
                hidden != null ? hidden.toArray() : quick ? new int[] {64} : new int[] {64, 256};
        batchSizes = batches.toArray();
        backends =
                List.of(
                        (backendList != null ? backendList : quick ? "heap" : "heap,rocksdb")
                                .split(","));
        perEventEvents =
                perEventEventsOption != null ? perEventEventsOption : quick ? 40_000 : 300_000;
        latencyRun = Duration.ofSeconds(latencySeconds != null ? latencySeconds : quick ? 6 : 20);
        maxDelay = Duration.ofMillis(maxDelayMs);
        modelsDir = modelsDirOption != null ? modelsDirOption : defaultModelsDir();
        for (String backend : backends) {
            if (!backend.equals("heap") && !backend.equals("rocksdb")) {
                throw CliException.usage(
                        "--backends takes heap and/or rocksdb, not '" + backend + "'");
            }
        }
    }

    static Path defaultModelsDir() {
        String home = System.getProperty("flinkgru.home", ".");
        return Paths.get(home, "models", "bench");
    }

    private List<BenchResult> runAll() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "bench: %,d events over %,d keys, F=%d, parallelism %d, %d cores, max delay %d ms,"
                        + " buffer timeout %d ms, device %s%n",
                eventCount,
                keys,
                FEATURES,
                parallelism,
                Runtime.getRuntime().availableProcessors(),
                maxDelay.toMillis(),
                bufferTimeoutMillis,
                device);
        runs = backends.size() * hiddenSizes.length * (2 + batchSizes.length);
        run = 0;
        progress = Progress.start("bench");
        // One unmeasured run first: otherwise the first configuration pays for JIT compilation
        // and class loading of the whole pipeline, and its ratios with it.
        Path warmUpModel = modelsDir.resolve("gru-f8-h" + hiddenSizes[0] + ".pt");
        long warmUpEvents = Math.min(eventCount, 500_000);
        progress.say(
                String.format(
                        Locale.ROOT,
                        "warm-up, not measured: H=%d batched B=%d, then no-model, %,d events each",
                        hiddenSizes[0],
                        batchSizes[0],
                        warmUpEvents));
        runJob("batched", hiddenSizes[0], batchSizes[0], "heap", warmUpModel, warmUpEvents, 0);
        runJob("no-model", hiddenSizes[0], 0, "heap", warmUpModel, warmUpEvents, 0);
        List<BenchResult> results = new ArrayList<>();
        for (String backend : backends) {
            for (int hidden : hiddenSizes) {
                Path model = modelsDir.resolve("gru-f8-h" + hidden + ".pt");
                if (!Files.isRegularFile(model)) {
                    throw CliException.failure(
                            "no benchmark model for H="
                                    + hidden
                                    + ": "
                                    + model
                                    + " (models/bench/make_bench_models.py writes them)");
                }
                results.add(measure("no-model", hidden, 0, backend, model, eventCount));
                results.add(
                        measure(
                                "per-event",
                                hidden,
                                1,
                                backend,
                                model,
                                Math.min(eventCount, perEventEvents)));
                for (int batch : batchSizes) {
                    results.add(measure("batched", hidden, batch, backend, model, eventCount));
                }
            }
        }
        progress.say(String.format(Locale.ROOT, "%d of %d configurations measured", runs, runs));
        return results;
    }

    /** Peak throughput over {@code count} events, then latency at half of it. */
    private BenchResult measure(
            String mode, int hidden, int batch, String backend, Path model, long count)
            throws Exception {
        run++;
        String name =
                String.format(
                        Locale.ROOT,
                        "[%d/%d] %s H=%d %s%s",
                        run,
                        runs,
                        backend,
                        hidden,
                        mode,
                        mode.equals("no-model") ? "" : " B=" + batch);
        progress.say(String.format(Locale.ROOT, "%s: throughput, %,d events", name, count));
        runJob(mode, hidden, batch, backend, model, count, 0);
        double peak = BenchSink.eventsPerSecond();
        double halfLoad = peak / 2;
        long latencyEvents = Math.max(40_000, (long) (halfLoad * latencyRun.toSeconds()));
        progress.say(
                String.format(
                        Locale.ROOT,
                        "%s: latency at %,.0f events/s, %,d events",
                        name,
                        halfLoad,
                        latencyEvents));
        runJob(mode, hidden, batch, backend, model, latencyEvents, halfLoad);
        BenchResult result =
                new BenchResult(
                        mode,
                        hidden,
                        batch,
                        backend,
                        peak,
                        BenchSink.latencyMillis(0.50),
                        BenchSink.latencyMillis(0.99));
        System.out.printf(
                Locale.ROOT,
                "  %-7s H=%-4d %-9s B=%-5d %,12.0f events/s   at %,.0f events/s: p50 %.1f ms, p99 %.1f ms%n",
                backend,
                hidden,
                mode,
                batch,
                peak,
                halfLoad,
                result.p50Millis(),
                result.p99Millis());
        return result;
    }

    private void runJob(
            String mode, int hidden, int batch, String backend, Path model, long count, double rate)
            throws Exception {
        Configuration config = new Configuration();
        config.set(
                StateBackendOptions.STATE_BACKEND, backend.equals("heap") ? "hashmap" : "rocksdb");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
        // Network buffers leave when full or after this long; Flink's default of 100 ms would
        // dominate the latency of a half-loaded pipeline.
        env.setBufferTimeout(bufferTimeoutMillis);
        RateLimiterStrategy limiter =
                rate > 0 ? RateLimiterStrategy.perSecond(rate) : RateLimiterStrategy.noOp();
        DataStream<GruEvent> source =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new BenchEvents(keys, FEATURES),
                                count,
                                limiter,
                                TypeInformation.of(GruEvent.class)),
                        WatermarkStrategy.noWatermarks(),
                        "events");
        KeyedStream<GruEvent, String> keyed = source.keyBy(GruEvent::getKey);
        DataStream<GruPrediction> out;
        if (mode.equals("no-model")) {
            out = keyed.process(new NoModelFunction(hidden)).name("no model");
        } else {
            out =
                    GruInference.builder()
                            .setPredictor(
                                    new TorchScriptPredictorFactory(
                                            model.toString(), hidden, 1, device, 1, 1, true))
                            .setInputSize(FEATURES)
                            .optMaxBatchSize(batch)
                            .optMaxDelay(maxDelay)
                            .build()
                            .apply(keyed);
        }
        out.sinkTo(new BenchSink()).name("count");
        BenchSink.reset();
        env.execute("flink-gru bench " + mode + " B=" + batch);
        if (BenchSink.COUNT.get() != count) {
            throw new IllegalStateException(
                    "bench job emitted "
                            + BenchSink.COUNT.get()
                            + " outputs for "
                            + count
                            + " events");
        }
    }

    private void printTable(List<BenchResult> results) {
        System.out.println();
        System.out.printf(
                "%-8s %-5s %-10s %6s %14s %9s %9s %11s %12s%n",
                "backend",
                "H",
                "mode",
                "batch",
                "events/s",
                "p50 ms",
                "p99 ms",
                "/no-model",
                "/per-event");
        for (BenchResult r : results) {
            BenchResult noModel = find(results, "no-model", r.hidden(), r.backend());
            BenchResult perEvent = find(results, "per-event", r.hidden(), r.backend());
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %-5d %-10s %6s %,14.0f %9.1f %9.1f %11s %12s%n",
                    r.backend(),
                    r.hidden(),
                    r.mode(),
                    r.mode().equals("no-model") ? "-" : Integer.toString(r.batch()),
                    r.eventsPerSecond(),
                    r.p50Millis(),
                    r.p99Millis(),
                    r.mode().equals("batched") ? ratio(r, noModel) : "",
                    r.mode().equals("batched") ? ratio(r, perEvent) : "");
        }
    }

    private static String ratio(BenchResult r, BenchResult base) {
        return base == null
                ? "-"
                : String.format(Locale.ROOT, "%.2f", r.eventsPerSecond() / base.eventsPerSecond());
    }

    private static BenchResult find(
            List<BenchResult> results, String mode, int hidden, String backend) {
        return results.stream()
                .filter(
                        r ->
                                r.mode().equals(mode)
                                        && r.hidden() == hidden
                                        && r.backend().equals(backend))
                .findFirst()
                .orElse(null);
    }

    private static void writeChart(List<BenchResult> results, int cores, Path file)
            throws IOException {
        BenchChart.write(results, cores, file);
        System.out.println("chart: " + file.toAbsolutePath());
    }
}
