package dev.flinkgru.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import dev.flinkgru.tools.report.SvgChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink-gru bench}: the same generated stream through three pipelines — no model (Flink's
 * keyed-state ceiling), the operator at batch size 1, and the operator batched — for each hidden
 * size and state backend; throughput at full speed, then latency at half that load.
 */
public final class BenchCommand {

    static final String USAGE =
            "usage: flink-gru bench [--quick] [--events N] [--keys N] [--hidden 64,256]"
                    + " [--batches 64,256,1024] [--backends heap,rocksdb] [--parallelism P]"
                    + " [--per-event-events N] [--latency-seconds S] [--max-delay-ms N] [--buffer-timeout-ms N]"
                    + " [--device cpu|gpu|gpu:N|auto] [--models-dir D] [--json FILE] [--chart FILE]";

    private static final Set<String> OPTIONS =
            Set.of(
                    "events",
                    "keys",
                    "hidden",
                    "batches",
                    "backends",
                    "parallelism",
                    "per-event-events",
                    "latency-seconds",
                    "max-delay-ms",
                    "buffer-timeout-ms",
                    "device",
                    "models-dir",
                    "json",
                    "chart");

    private static final int FEATURES = 8;

    private final long events;
    private final int keys;
    private final int[] hiddenSizes;
    private final int[] batches;
    private final List<String> backends;
    private final int parallelism;
    private final long perEventEvents;
    private final Duration latencyRun;
    private final Duration maxDelay;
    private final long bufferTimeoutMillis;
    private final String device;
    private final Path modelsDir;

    private BenchCommand(Options options) {
        boolean quick = options.has("quick");
        events = options.getLong("events", quick ? 600_000 : 5_000_000);
        keys = options.getInt("keys", 100_000);
        hiddenSizes = ints(options.get("hidden", quick ? "64" : "64,256"));
        batches = ints(options.get("batches", "64,256,1024"));
        backends = List.of(options.get("backends", quick ? "heap" : "heap,rocksdb").split(","));
        parallelism = options.getInt("parallelism", 2);
        perEventEvents = options.getLong("per-event-events", quick ? 40_000 : 300_000);
        latencyRun = Duration.ofSeconds(options.getLong("latency-seconds", quick ? 6 : 20));
        maxDelay = Duration.ofMillis(options.getLong("max-delay-ms", 10));
        bufferTimeoutMillis = options.getLong("buffer-timeout-ms", 2);
        device = options.get("device", "cpu");
        modelsDir = Paths.get(options.get("models-dir", defaultModelsDir()));
        for (String backend : backends) {
            if (!backend.equals("heap") && !backend.equals("rocksdb")) {
                throw CliException.usage(
                        "--backends takes heap and/or rocksdb, not '" + backend + "'");
            }
        }
    }

    private static String defaultModelsDir() {
        String home = System.getProperty("flinkgru.home", ".");
        return Paths.get(home, "models", "bench").toString();
    }

    private static int[] ints(String csv) {
        try {
            return Arrays.stream(csv.split(","))
                    .mapToInt(s -> Integer.parseInt(s.trim()))
                    .toArray();
        } catch (NumberFormatException e) {
            throw CliException.usage(
                    "expected a comma-separated list of integers, got '" + csv + "'");
        }
    }

    public static int run(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        Options options = Options.parse(args, OPTIONS, Set.of("quick"));
        BenchCommand bench = new BenchCommand(options);
        List<BenchResult> results = bench.runAll();
        bench.printTable(results);
        if (options.has("json")) {
            writeJson(results, Paths.get(options.get("json", "")));
        }
        Path chart =
                Paths.get(
                        options.get(
                                "chart",
                                Paths.get(".flink-gru", "bench", "throughput.svg").toString()));
        writeChart(results, chart);
        System.out.println("chart: " + chart.toAbsolutePath());
        return 0;
    }

    private List<BenchResult> runAll() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "bench: %,d events over %,d keys, F=%d, parallelism %d, %d cores, max delay %d ms,"
                        + " buffer timeout %d ms, device %s%n",
                events,
                keys,
                FEATURES,
                parallelism,
                Runtime.getRuntime().availableProcessors(),
                maxDelay.toMillis(),
                bufferTimeoutMillis,
                device);
        // One unmeasured run first: otherwise the first configuration pays for JIT compilation
        // and class loading of the whole pipeline, and its ratios with it.
        Path warmUpModel = modelsDir.resolve("gru-f8-h" + hiddenSizes[0] + ".pt");
        runJob(
                "batched",
                hiddenSizes[0],
                batches[0],
                "heap",
                warmUpModel,
                Math.min(events, 500_000),
                0);
        runJob("no-model", hiddenSizes[0], 0, "heap", warmUpModel, Math.min(events, 500_000), 0);
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
                results.add(measure("no-model", hidden, 0, backend, model, events));
                results.add(
                        measure(
                                "per-event",
                                hidden,
                                1,
                                backend,
                                model,
                                Math.min(events, perEventEvents)));
                for (int batch : batches) {
                    results.add(measure("batched", hidden, batch, backend, model, events));
                }
            }
        }
        return results;
    }

    /** Peak throughput over {@code count} events, then latency at half of it. */
    private BenchResult measure(
            String mode, int hidden, int batch, String backend, Path model, long count)
            throws Exception {
        runJob(mode, hidden, batch, backend, model, count, 0);
        double peak = BenchSink.eventsPerSecond();
        double halfLoad = peak / 2;
        long latencyEvents = Math.max(40_000, (long) (halfLoad * latencyRun.toSeconds()));
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

    private static void writeJson(List<BenchResult> results, Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode array = root.putArray("results");
        for (BenchResult r : results) {
            ObjectNode node = array.addObject();
            node.put("mode", r.mode());
            node.put("hidden", r.hidden());
            node.put("batch", r.batch());
            node.put("backend", r.backend());
            node.put("events_per_s", r.eventsPerSecond());
            node.put("p50_ms", r.p50Millis());
            node.put("p99_ms", r.p99Millis());
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        System.out.println("json: " + file.toAbsolutePath());
    }

    private static void writeChart(List<BenchResult> results, Path file) throws IOException {
        SvgChart chart = new SvgChart("flink-gru bench: throughput vs batch size", "log2(batch)");
        SvgChart.Panel panel = chart.panel("events/s (no-model ceiling: flat lines)");
        for (BenchResult base : results) {
            if (!base.mode().equals("no-model")) {
                continue;
            }
            List<BenchResult> line = new ArrayList<>();
            for (BenchResult r : results) {
                if (!r.mode().equals("no-model")
                        && r.hidden() == base.hidden()
                        && r.backend().equals(base.backend())) {
                    line.add(r);
                }
            }
            double[] x =
                    line.stream().mapToDouble(r -> Math.log(r.batch()) / Math.log(2)).toArray();
            double[] y = line.stream().mapToDouble(BenchResult::eventsPerSecond).toArray();
            double[] ceiling = new double[x.length];
            Arrays.fill(ceiling, base.eventsPerSecond());
            String name = base.backend() + " H=" + base.hidden();
            panel.series(name + " GRU", x, y).series(name + " no-model", x, ceiling);
        }
        chart.write(file);
    }
}
