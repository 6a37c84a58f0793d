package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.EventOrder;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.RocksDBDefaults;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ConfigFlags;
import dev.flinkgru.tools.command.Converters;
import dev.flinkgru.tools.command.Converters.IntList;
import dev.flinkgru.tools.command.LocalCluster;
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
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru bench}: the same generated stream through the same pipeline with no model
 * (Flink's keyed-state ceiling), the operator at batch size 1, and the operator batched (each
 * engine and pipeline depth), for each hidden size and state backend; the predictor alone; and a
 * simulated device with and without the shared batcher. Throughput at full speed, then latency at
 * half that load.
 */
@Command(
        name = "bench",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru bench [--quick] [--events N] [--keys N]"
                    + " [--key-distribution uniform|zipf:S] [--hidden 64,256]",
            "    [--batches 64,256,1024] [--checkpoint-interval-ms N]",
            "    [--backends heap,rocksdb] [--parallelism P] [--per-event-events N]"
                    + " [--latency-seconds S]",
            "    [--max-delay-ms N] [--buffer-timeout-ms N] [--device cpu|gpu|gpu:N|auto]"
                    + " [--models-dir D]",
            "    [--engine torchscript,onnx] [--pipeline-depths 1,2] [--simulated-only]"
                    + " [--simulated-device h200|guess]",
            "    [--kafka] [--kafka-events N]",
            "    [--json FILE] [--chart FILE]",
            "flink-gru bench --chart-from FILE.json [--chart FILE]"
        },
        description = {
            "Throughput and latency: no model, per event, batched.",
            "Throughput and latency of one generated stream (F=8, keys uniform in a scattered"
                    + " order, or Zipf) through"
                    + " the same pipeline, for each hidden size and state backend:"
                    + " no-model (Flink's keyed-state ceiling), per-event (batch size 1) and"
                    + " batched (each engine and pipeline depth); the predictor alone (no Flink);"
                    + " and a simulated device (an H200's measured cost per call and per row, one"
                    + " call at a time per JVM) at pipeline depth 1 and 2, with and without the"
                    + " shared device batcher; with --kafka (--quick: one) the sensor job from"
                    + " Kafka to Kafka (kafka-job). Peak events/s, then p50/p99 latency at half"
                    + " that load; a table, a chart, and with --json the results as JSON.",
            ""
        })
public final class BenchCommand implements Callable<Integer>, ConfigFlags {

    private static final int FEATURES = 8;

    @Option(
            names = "--quick",
            showDefaultValue = Visibility.NEVER,
            description =
                    "Every mode for H=64 on the heap backend, one kafka-job run among them, with"
                            + " fewer events: a few minutes on 2 cores.")
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
            description = "Keys of the stream (up to 10^7 and more on RocksDB).")
    int keys;

    @Option(
            names = "--key-distribution",
            paramLabel = "D",
            defaultValue = "uniform",
            description =
                    "How events spread over the keys: uniform (every key equally often) or zipf:S"
                            + " (key rank r with probability ~ 1/r^S, as per-user traffic is;"
                            + " e.g. zipf:1.1).")
    String keyDistributionText;

    @Option(
            names = "--checkpoint-interval-ms",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Checkpoint every N ms (0: never), to a temporary directory; on RocksDB"
                            + " incremental. Each row then gives its throughput run's checkpoints:"
                            + " count, median and longest duration, median checkpointed size and"
                            + " the last one's full size.")
    long checkpointIntervalMs;

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
            names = "--engine",
            paramLabel = "E,..",
            defaultValue = "torchscript",
            description =
                    "Engines of the predictor runs: torchscript, onnx, or both"
                            + " (torchscript,onnx); each on models/bench/gru-f8-h<H>.pt or .onnx.")
    String engineList;

    @Option(
            names = "--pipeline-depths",
            paramLabel = "D,..",
            description =
                    "gru.pipeline.depth of the batched runs. Default: 2 (--quick: 1,2, to"
                            + " compare); the simulated device's runs: 1,2 and 4 shared.")
    IntList pipelineDepthsOption;

    @Option(
            names = "--orders",
            paramLabel = "O,..",
            split = ",",
            defaultValue = "arrival,event-time",
            description =
                    "gru.order of the batched runs: arrival, and event-time beside it (at the"
                            + " largest batch size: every event waits in keyed state for the"
                            + " watermark, and its latency includes the wait); \"order\" in"
                            + " --json.")
    List<EventOrder> orders;

    @Option(
            names = "--simulated-only",
            showDefaultValue = Visibility.NEVER,
            description =
                    "Only the simulated device's runs (no model needed): pipeline depth 1 and 2,"
                            + " with and without the shared device batcher, and depth 4 shared.")
    boolean simulatedOnly;

    @Option(
            names = "--simulated-device",
            paramLabel = "CURVE",
            defaultValue = "h200",
            description =
                    "What a simulated device call costs: h200 (an H200 as measured, TorchScript as"
                            + " loaded: H=64 0.53 ms + 76 ns per row, H=256 0.925 ms + 83 ns per"
                            + " row) or guess (the earlier 2 ms + 1 us per row).")
    String simulatedDevice;

    @Option(
            names = "--kafka",
            showDefaultValue = Visibility.NEVER,
            description =
                    "Also the sensor job as users run it (kafka-job): a local broker, readings"
                            + " preloaded (2 partitions), the job bounded, exactly once; steady"
                            + " events/s, then p50/p99 from produce to visible read_committed at"
                            + " half that load. One run per H, backend and engine, at the batch"
                            + " size and depth of its best batched run. --quick includes one.")
    boolean kafka;

    @Option(
            names = "--kafka-events",
            paramLabel = "N",
            description =
                    "Readings of a kafka-job throughput run. Default: 1000000 (--quick: 300000).")
    Long kafkaEventsOption;

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
                            + "\"events_per_s\",\"p50_ms\",\"p99_ms\",\"engine\",\"predictor\","
                            + "\"pipeline_depth\",\"shared\",\"device_batch_mean\",\"keys\","
                            + "\"key_distribution\",\"checkpoints\",\"checkpoint_ms\","
                            + "\"checkpoint_max_ms\",\"checkpoint_bytes\","
                            + "\"checkpoint_full_bytes\"}]}.")
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
    KeyDistribution keyDistribution;
    List<String> engines;
    int[] pipelineDepths;
    int[] hiddenSizes;
    int[] batchSizes;
    List<String> backends;
    long perEventEvents;
    Duration latencyRun;
    Duration maxDelay;
    Path modelsDir;
    long kafkaEvents;
    SimulatedDevice.Curve curve;
    private Progress progress;
    private int run;
    private int runs;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(GruOptions.PREDICTOR_DEVICE.key(), "--device");
    }

    @Override
    public Integer call() throws Exception {
        curve = resolveCurve();
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
        keyDistribution = KeyDistribution.parse(keyDistributionText, keys);
        if (checkpointIntervalMs < 0) {
            throw CliException.usage(
                    "--checkpoint-interval-ms must be 0 (never) or more, not "
                            + checkpointIntervalMs);
        }
        engines = List.of(engineList.split(","));
        for (String engine : engines) {
            if (!engine.equals("torchscript") && !engine.equals("onnx")) {
                throw CliException.usage(
                        "--engine takes torchscript and/or onnx, not '" + engine + "'");
            }
        }
        pipelineDepths =
                pipelineDepthsOption != null
                        ? pipelineDepthsOption.toArray()
                        : quick ? new int[] {1, 2} : new int[] {2};
        for (int depth : pipelineDepths) {
            CliException.checkAtLeastOne("--pipeline-depths", depth);
        }
        modelsDir = modelsDirOption != null ? modelsDirOption : defaultModelsDir();
        kafkaEvents = kafkaEventsOption != null ? kafkaEventsOption : quick ? 300_000 : 1_000_000;
        CliException.checkAtLeastOne("--kafka-events", kafkaEvents);
        if (kafka && simulatedOnly) {
            throw CliException.usage("--kafka needs the batched runs; not with --simulated-only");
        }
        for (String backend : backends) {
            if (!backend.equals("heap") && !backend.equals("rocksdb")) {
                throw CliException.usage(
                        "--backends takes heap and/or rocksdb, not '" + backend + "'");
            }
        }
    }

    private SimulatedDevice.Curve resolveCurve() {
        try {
            return SimulatedDevice.Curve.of(simulatedDevice);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(
                    "--simulated-device takes h200 or guess, not '" + simulatedDevice + "'");
        }
    }

    static Path defaultModelsDir() {
        String home = System.getProperty("flinkgru.home", ".");
        return Paths.get(home, "models", "bench");
    }

    /**
     * One configuration of a Flink run.
     *
     * @param mode no-model, per-event or batched
     * @param hidden H
     * @param batch the operator's batch size (0 for no-model)
     * @param backend heap or rocksdb
     * @param predictor torchscript, onnx or simulated
     * @param depth gru.pipeline.depth
     * @param shared gru.device.shared
     * @param order gru.order; under EVENT_TIME the generated events carry watermarks
     */
    record Config(
            String mode,
            int hidden,
            int batch,
            String backend,
            String predictor,
            int depth,
            boolean shared,
            EventOrder order) {

        /** A configuration in arrival order. */
        Config(
                String mode,
                int hidden,
                int batch,
                String backend,
                String predictor,
                int depth,
                boolean shared) {
            this(mode, hidden, batch, backend, predictor, depth, shared, EventOrder.ARRIVAL);
        }
    }

    /** The simulated device's runs: H=64, heap, B=256 per subtask, calls of up to 1024 rows. */
    static final int SIMULATED_BATCH = 256;

    static final int SIMULATED_DEVICE_MAX_BATCH = 1024;

    /** 2 x gru.device.max-batch / (subtasks x batch size) at parallelism 2. */
    static final int SIMULATED_RECOMMENDED_DEPTH = 4;

    private List<BenchResult> runAll() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "bench: %,d events over %,d keys (%s), F=%d, parallelism %d, %d cores, max delay %d"
                        + " ms, buffer timeout %d ms, device %s, engines %s, pipeline depths %s%s%n",
                eventCount,
                keys,
                keyDistribution,
                FEATURES,
                parallelism,
                Runtime.getRuntime().availableProcessors(),
                maxDelay.toMillis(),
                bufferTimeoutMillis,
                device,
                String.join(",", engines),
                java.util.Arrays.toString(pipelineDepths),
                checkpointIntervalMs > 0
                        ? String.format(
                                Locale.ROOT,
                                ", checkpoints every %d ms (incremental on RocksDB)",
                                checkpointIntervalMs)
                        : "");
        List<Config> configs = new ArrayList<>();
        for (String backend : simulatedOnly ? List.<String>of() : backends) {
            for (int hidden : hiddenSizes) {
                configs.add(new Config("no-model", hidden, 0, backend, "-", 0, false));
                for (String engine : engines) {
                    configs.add(new Config("per-event", hidden, 1, backend, engine, 1, false));
                    for (int depth : pipelineDepths) {
                        for (int batch : batchSizes) {
                            configs.add(
                                    new Config(
                                            "batched", hidden, batch, backend, engine, depth,
                                            false));
                        }
                        if (orders.contains(EventOrder.EVENT_TIME)) {
                            // Beside arrival order: the same run at the largest batch, each
                            // event waiting in keyed state for the watermark.
                            configs.add(
                                    new Config(
                                            "batched",
                                            hidden,
                                            batchSizes[batchSizes.length - 1],
                                            backend,
                                            engine,
                                            depth,
                                            false,
                                            EventOrder.EVENT_TIME));
                        }
                    }
                }
            }
        }
        for (int depth : pipelineDepthsOption != null ? pipelineDepths : new int[] {1, 2}) {
            for (boolean shared : new boolean[] {false, true}) {
                configs.add(
                        new Config(
                                "batched",
                                64,
                                SIMULATED_BATCH,
                                "heap",
                                "simulated",
                                depth,
                                shared));
            }
        }
        if (pipelineDepthsOption == null) {
            // The depth docs/operator.md recommends for these sizes: two device calls' worth of
            // batches in flight, 2 x 1024 / (2 subtasks x 256).
            configs.add(
                    new Config(
                            "batched",
                            64,
                            SIMULATED_BATCH,
                            "heap",
                            "simulated",
                            SIMULATED_RECOMMENDED_DEPTH,
                            true));
        }
        int predictorRuns =
                simulatedOnly ? 0 : engines.size() * hiddenSizes.length * batchSizes.length;
        List<Config> kafkaRuns = kafkaRuns();
        runs = configs.size() + predictorRuns + kafkaRuns.size();
        run = 0;
        progress = Progress.start("bench");
        // One unmeasured run first: otherwise the first configuration pays for JIT compilation
        // and class loading of the whole pipeline, and its ratios with it.
        long warmUpEvents = Math.min(eventCount, 500_000);
        progress.say(
                String.format(
                        Locale.ROOT,
                        "warm-up, not measured: H=%d batched B=%d, then no-model, %,d events each",
                        hiddenSizes[0],
                        batchSizes[0],
                        warmUpEvents));
        Config warmUp =
                new Config(
                        "batched",
                        simulatedOnly ? 64 : hiddenSizes[0],
                        simulatedOnly ? SIMULATED_BATCH : batchSizes[0],
                        "heap",
                        simulatedOnly ? "simulated" : engines.get(0),
                        pipelineDepths[0],
                        false);
        runJob(warmUp, warmUpEvents, 0);
        runJob(new Config("no-model", hiddenSizes[0], 0, "heap", "-", 0, false), warmUpEvents, 0);
        List<BenchResult> results = new ArrayList<>();
        for (String engine : simulatedOnly ? List.<String>of() : engines) {
            for (int hidden : hiddenSizes) {
                for (int batch : batchSizes) {
                    results.add(measurePredictor(engine, hidden, batch));
                }
            }
        }
        for (Config config : configs) {
            long count =
                    config.mode().equals("per-event")
                            ? Math.min(eventCount, perEventEvents)
                            : eventCount;
            results.add(measure(config, count));
        }
        if (!kafkaRuns.isEmpty()) {
            try (KafkaJobBench bench = KafkaJobBench.start(keys, FEATURES, parallelism, progress)) {
                for (Config config : kafkaRuns) {
                    results.add(measureKafkaJob(bench, config, results));
                }
            }
        }
        progress.say(String.format(Locale.ROOT, "%d of %d configurations measured", runs, runs));
        return results;
    }

    /**
     * The kafka-job runs: with --kafka one per H, backend and engine; --quick alone: one, of the
     * first engine, H and backend. Each takes the batch size and depth of the best batched run of
     * its H, backend and engine, known once those have run.
     */
    private List<Config> kafkaRuns() {
        List<Config> runs = new ArrayList<>();
        if (simulatedOnly || !(kafka || quick)) {
            return runs;
        }
        for (String backend : kafka ? backends : backends.subList(0, 1)) {
            for (int hidden : kafka ? hiddenSizes : new int[] {hiddenSizes[0]}) {
                for (String engine : kafka ? engines : engines.subList(0, 1)) {
                    runs.add(new Config("kafka-job", hidden, 0, backend, engine, 0, false));
                }
            }
        }
        return runs;
    }

    /** The sensor job at the batch size and depth of the best batched run of its kind. */
    private BenchResult measureKafkaJob(
            KafkaJobBench bench, Config config, List<BenchResult> results) throws Exception {
        run++;
        BenchResult best =
                bestBatched(results, config.hidden(), config.backend(), config.predictor());
        progress.say(
                String.format(
                        Locale.ROOT,
                        "[%d/%d] %s H=%d kafka-job %s B=%d depth %d (the best batched run's)",
                        run,
                        runs,
                        config.backend(),
                        config.hidden(),
                        config.predictor(),
                        best.batch(),
                        best.pipelineDepth()));
        return bench.measure(
                new KafkaJobBench.Run(
                        config.hidden(),
                        model(config.predictor(), config.hidden()),
                        config.predictor(),
                        device,
                        config.backend(),
                        best.batch(),
                        best.pipelineDepth(),
                        maxDelay),
                kafkaEvents,
                latencyRun);
    }

    /** The fastest batched run of a real engine of this H, backend and engine. */
    private static BenchResult bestBatched(
            List<BenchResult> results, int hidden, String backend, String engine) {
        return results.stream()
                .filter(
                        r ->
                                r.mode().equals("batched")
                                        && r.order().equals("arrival")
                                        && r.hidden() == hidden
                                        && r.backend().equals(backend)
                                        && r.predictor().equals(engine)
                                        && Double.isFinite(r.eventsPerSecond()))
                .max(java.util.Comparator.comparingDouble(BenchResult::eventsPerSecond))
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "no batched run of H="
                                                + hidden
                                                + " "
                                                + backend
                                                + " "
                                                + engine));
    }

    /** The bench model of {@code engine} and {@code hidden}, which must exist. */
    private Path model(String engine, int hidden) {
        Path model =
                modelsDir.resolve("gru-f8-h" + hidden + (engine.equals("onnx") ? ".onnx" : ".pt"));
        if (!Files.isRegularFile(model)) {
            throw CliException.failure(
                    "no benchmark model for H="
                            + hidden
                            + ": "
                            + model
                            + " (models/bench/make_bench_models.py writes them)");
        }
        return model;
    }

    /** The predictor of a configuration: a real engine on its bench model, or the simulated one. */
    private BatchPredictorFactory predictor(Config config) {
        if (config.predictor().equals("simulated")) {
            return new MeteredPredictorFactory(new SimulatedDevice(config.hidden(), curve));
        }
        Configuration options = new Configuration();
        options.set(GruOptions.MODEL_PATH, model(config.predictor(), config.hidden()).toString());
        options.set(GruOptions.MODEL_HIDDEN_SIZE, config.hidden());
        options.set(GruOptions.MODEL_LAYERS, 1);
        options.set(GruOptions.PREDICTOR_BACKEND, config.predictor());
        options.set(GruOptions.PREDICTOR_DEVICE, device);
        options.set(GruOptions.PREDICTOR_WARM_UP, true);
        return new MeteredPredictorFactory(BatchPredictors.fromConfiguration(options));
    }

    /** The predictor alone, no Flink: steps of {@code batch} rows for about a second. */
    private BenchResult measurePredictor(String engine, int hidden, int batch) throws Exception {
        run++;
        progress.say(
                String.format(
                        Locale.ROOT,
                        "[%d/%d] %s H=%d predictor alone B=%d",
                        run,
                        runs,
                        engine,
                        hidden,
                        batch));
        Config config = new Config("predictor", hidden, batch, "none", engine, 0, false);
        try (BatchPredictor predictor = predictor(config).open(FEATURES, batch)) {
            int s = predictor.shape().stateSize();
            float[] x = new float[batch * FEATURES];
            float[] h = new float[batch * s];
            float[] y = new float[batch * predictor.shape().outputSize()];
            float[] hNext = new float[batch * s];
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < 50; i++) {
                predictor.step(batch, x, h, y, hNext);
            }
            List<Long> nanos = new ArrayList<>();
            long began = System.nanoTime();
            while (nanos.size() < 20
                    || (System.nanoTime() - began < 1_000_000_000L && nanos.size() < 20_000)) {
                long t0 = System.nanoTime();
                predictor.step(batch, x, h, y, hNext);
                nanos.add(System.nanoTime() - t0);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            java.util.Collections.sort(nanos);
            BenchResult result =
                    new BenchResult(
                            "predictor",
                            hidden,
                            batch,
                            "none",
                            nanos.size() * (double) batch / seconds,
                            nanos.get(nanos.size() / 2) / 1e6,
                            nanos.get((int) (nanos.size() * 0.99)) / 1e6,
                            engine,
                            0,
                            false,
                            batch,
                            keys,
                            keyDistribution.toString(),
                            CheckpointStats.NONE,
                            "arrival");
            System.out.printf(
                    Locale.ROOT,
                    "  %-11s H=%-4d predictor alone B=%-5d %,12.0f events/s   step p50 %.3f ms,"
                            + " p99 %.3f ms%n",
                    engine,
                    hidden,
                    batch,
                    result.eventsPerSecond(),
                    result.p50Millis(),
                    result.p99Millis());
            return result;
        }
    }

    /** Peak throughput over {@code count} events, then latency at half of it. */
    private BenchResult measure(Config config, long count) throws Exception {
        run++;
        String name =
                String.format(
                        Locale.ROOT,
                        "[%d/%d] %s H=%d %s%s",
                        run,
                        runs,
                        config.backend(),
                        config.hidden(),
                        config.mode(),
                        config.mode().equals("no-model")
                                ? ""
                                : " "
                                        + config.predictor()
                                        + " B="
                                        + config.batch()
                                        + " depth "
                                        + config.depth()
                                        + (config.shared() ? " shared device" : ""));
        progress.say(String.format(Locale.ROOT, "%s: throughput, %,d events", name, count));
        runJob(config, count, 0);
        double peak = BenchSink.eventsPerSecond();
        CheckpointStats checkpoints = CheckpointStatsReporter.stats();
        double deviceBatch =
                config.mode().equals("no-model") ? 0 : MeteredPredictorFactory.meanRowsPerCall();
        // The simulated device's busy share of the measured window (count / peak seconds).
        double busy = SimulatedDevice.busyNanos() / 1e9 / (count / peak);
        double halfLoad = peak / 2;
        long latencyEvents = Math.max(40_000, (long) (halfLoad * latencyRun.toSeconds()));
        progress.say(
                String.format(
                        Locale.ROOT,
                        "%s: latency at %,.0f events/s, %,d events",
                        name,
                        halfLoad,
                        latencyEvents));
        runJob(config, latencyEvents, halfLoad);
        BenchResult result =
                new BenchResult(
                        config.mode(),
                        config.hidden(),
                        config.batch(),
                        config.backend(),
                        peak,
                        BenchSink.latencyMillis(0.50),
                        BenchSink.latencyMillis(0.99),
                        config.predictor(),
                        config.depth(),
                        config.shared(),
                        deviceBatch,
                        keys,
                        keyDistribution.toString(),
                        checkpoints,
                        Converters.flagValue(config.order()));
        System.out.printf(
                Locale.ROOT,
                "  %-7s H=%-4d %-9s %-11s depth %d%s B=%-5d %,12.0f events/s   at %,.0f events/s:"
                        + " p50 %.1f ms, p99 %.1f ms%s%n",
                config.backend(),
                config.hidden(),
                modeColumn(result),
                config.predictor(),
                config.depth(),
                config.shared() ? " shared" : "",
                config.batch(),
                peak,
                halfLoad,
                result.p50Millis(),
                result.p99Millis(),
                !config.predictor().equals("simulated")
                        ? deviceBatch > 0
                                ? String.format(
                                        Locale.ROOT, ", %.0f rows per predictor call", deviceBatch)
                                : ""
                        : String.format(
                                Locale.ROOT,
                                ", %.0f rows per device call, device busy %.0f%%",
                                deviceBatch,
                                100 * busy));
        if (checkpoints.count() > 0) {
            System.out.println("    " + describe(checkpoints));
        }
        return result;
    }

    private void runJob(Config config, long count, double rate) throws Exception {
        Configuration flink = new Configuration();
        flink.set(
                StateBackendOptions.STATE_BACKEND,
                config.backend().equals("heap") ? "hashmap" : "rocksdb");
        Path checkpointDir = null;
        if (checkpointIntervalMs > 0) {
            checkpointDir = Files.createTempDirectory("flink-gru-bench-checkpoints");
            CheckpointStatsReporter.checkpointInto(
                    flink, checkpointDir, Duration.ofMillis(checkpointIntervalMs));
        }
        // The operator's RocksDB defaults for every run, the no-model ceiling's included.
        flink.addAll(RocksDBDefaults.missingFrom(flink));
        StreamExecutionEnvironment env =
                LocalCluster.environment("flink-gru bench", LocalCluster.network(flink));
        env.setParallelism(parallelism);
        // Network buffers leave when full or after this long; Flink's default of 100 ms would
        // dominate the latency of a half-loaded pipeline.
        env.setBufferTimeout(bufferTimeoutMillis);
        RateLimiterStrategy limiter =
                rate > 0 ? RateLimiterStrategy.perSecond(rate) : RateLimiterStrategy.noOp();
        DataStream<GruEvent> source =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new BenchEvents(keyDistribution, FEATURES),
                                count,
                                limiter,
                                TypeInformation.of(GruEvent.class)),
                        config.order() == EventOrder.EVENT_TIME
                                // Generation times, rising per source subtask.
                                ? WatermarkStrategy.<GruEvent>forMonotonousTimestamps()
                                        .withTimestampAssigner((e, t) -> e.timestamp)
                                : WatermarkStrategy.noWatermarks(),
                        "events");
        KeyedStream<GruEvent, String> keyed = source.keyBy(GruEvent::getKey);
        DataStream<GruPrediction> out;
        if (config.mode().equals("no-model")) {
            out = keyed.process(new NoModelFunction(config.hidden())).name("no model");
        } else {
            out =
                    GruInference.builder()
                            .setPredictor(predictor(config))
                            .setInputSize(FEATURES)
                            .optMaxBatchSize(config.batch())
                            .optMaxDelay(maxDelay)
                            .optPipelineDepth(config.depth())
                            .optDeviceShared(config.shared())
                            .optDeviceMaxBatch(Math.max(SIMULATED_DEVICE_MAX_BATCH, config.batch()))
                            .optOrder(config.order())
                            .build()
                            .apply(keyed);
        }
        out.sinkTo(new BenchSink()).name("count");
        BenchSink.reset();
        MeteredPredictorFactory.reset();
        SimulatedDevice.resetBusy();
        CheckpointStatsReporter.reset();
        try {
            env.execute("flink-gru bench " + config.mode() + " B=" + config.batch());
        } finally {
            if (checkpointDir != null) {
                // Flink's own delete: the job's checkpoint cleaner may still be removing a
                // subsumed chk-N directory, which a plain Files.walk fails on.
                FileUtils.deleteDirectory(checkpointDir.toFile());
            }
        }
        if (BenchSink.COUNT.get() != count) {
            throw new IllegalStateException(
                    "bench job emitted "
                            + BenchSink.COUNT.get()
                            + " outputs for "
                            + count
                            + " events");
        }
    }

    /** One line of a run's checkpoint figures. */
    static String describe(CheckpointStats checkpoints) {
        return String.format(
                Locale.ROOT,
                "checkpoints: %d, duration median %.0f ms, max %.0f ms; checkpointed size median"
                        + " %s, last full size %s",
                checkpoints.count(),
                checkpoints.medianMillis(),
                checkpoints.maxMillis(),
                mebibytes(checkpoints.medianBytes()),
                mebibytes(checkpoints.fullBytes()));
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private void printTable(List<BenchResult> results) {
        System.out.println();
        results.stream()
                .filter(r -> r.keys() > 0)
                .findFirst()
                .ifPresent(
                        r ->
                                System.out.printf(
                                        Locale.ROOT,
                                        "keys: %,d, %s%n",
                                        r.keys(),
                                        r.keyDistribution()));
        System.out.printf(
                "%-8s %-5s %-10s %-11s %5s %6s %6s %14s %9s %9s %9s %11s %12s%n",
                "backend",
                "H",
                "mode",
                "predictor",
                "depth",
                "shared",
                "batch",
                "events/s",
                "p50 ms",
                "p99 ms",
                "dev batch",
                "/no-model",
                "/per-event");
        for (BenchResult r : results) {
            BenchResult noModel = find(results, "no-model", r.hidden(), r.backend(), "-");
            BenchResult perEvent =
                    find(results, "per-event", r.hidden(), r.backend(), r.predictor());
            boolean batched = r.mode().equals("batched") && !r.predictor().equals("simulated");
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %-5d %-10s %-11s %5s %6s %6s %,14.0f %9.1f %9.1f %9s %11s %12s%n",
                    r.backend(),
                    r.hidden(),
                    modeColumn(r),
                    r.predictor(),
                    r.pipelineDepth() == 0 ? "-" : Integer.toString(r.pipelineDepth()),
                    r.mode().equals("batched") ? (r.shared() ? "yes" : "no") : "-",
                    r.mode().equals("no-model") ? "-" : Integer.toString(r.batch()),
                    r.eventsPerSecond(),
                    r.p50Millis(),
                    r.p99Millis(),
                    r.deviceBatchMean() > 0
                            ? String.format(Locale.ROOT, "%.0f", r.deviceBatchMean())
                            : "-",
                    batched ? ratio(r, noModel) : "",
                    batched ? ratio(r, perEvent) : "");
        }
        printSimulatedSummary(results);
        printCheckpoints(results);
        printKafkaJobSummary(results);
    }

    /** Each run's checkpoint figures, where it took any. */
    private static void printCheckpoints(List<BenchResult> results) {
        List<BenchResult> checkpointed =
                results.stream().filter(r -> r.checkpoints().count() > 0).toList();
        if (checkpointed.isEmpty()) {
            return;
        }
        System.out.println();
        for (BenchResult r : checkpointed) {
            System.out.printf(
                    Locale.ROOT,
                    "%-8s H=%-4d %-10s %-11s B=%-5d %-6s %s%n",
                    r.backend(),
                    r.hidden(),
                    modeColumn(r),
                    r.predictor(),
                    r.batch(),
                    r.shared() ? "shared" : "",
                    describe(r.checkpoints()));
        }
    }

    /** The mode as the tables show it: an event-time batched run is {@code batched-et}. */
    private static String modeColumn(BenchResult r) {
        return r.order().equals("event-time") ? "batched-et" : r.mode();
    }

    /** Each kafka-job run against the best batched run of the operator it was configured from. */
    private static void printKafkaJobSummary(List<BenchResult> results) {
        for (BenchResult job : results) {
            if (!job.mode().equals("kafka-job")) {
                continue;
            }
            BenchResult best = bestBatched(results, job.hidden(), job.backend(), job.predictor());
            System.out.printf(
                    Locale.ROOT,
                    "%nkafka-job %s H=%d %s B=%d depth %d: %,.0f events/s = %.2f of the operator's"
                            + " best batched run (%,.0f events/s); p99 %.1f ms (produced ->"
                            + " visible read_committed) against the operator's %.1f ms (event ->"
                            + " output), each at half its load%n",
                    job.backend(),
                    job.hidden(),
                    job.predictor(),
                    job.batch(),
                    job.pipelineDepth(),
                    job.eventsPerSecond(),
                    job.eventsPerSecond() / best.eventsPerSecond(),
                    best.eventsPerSecond(),
                    job.p99Millis(),
                    best.p99Millis());
        }
    }

    /** The simulated device's figures against its own bound and each other. */
    private void printSimulatedSummary(List<BenchResult> results) {
        List<BenchResult> simulated =
                results.stream().filter(r -> r.predictor().equals("simulated")).toList();
        if (simulated.isEmpty()) {
            return;
        }
        double bound = curve.bound(64, SIMULATED_DEVICE_MAX_BATCH);
        BenchResult best =
                simulated.stream()
                        .max(java.util.Comparator.comparingDouble(BenchResult::eventsPerSecond))
                        .orElseThrow();
        System.out.printf(
                Locale.ROOT,
                "%nsimulated device (%s): its bound at %d rows per call is %,.0f events/s; best"
                        + " here %,.0f (depth %d%s) = %.2f of the bound%n",
                curve.explain(64),
                SIMULATED_DEVICE_MAX_BATCH,
                bound,
                best.eventsPerSecond(),
                best.pipelineDepth(),
                best.shared() ? ", shared" : "",
                best.eventsPerSecond() / bound);
        for (BenchResult unshared : simulated) {
            if (unshared.shared()) {
                continue;
            }
            simulated.stream()
                    .filter(r -> r.shared() && r.pipelineDepth() == unshared.pipelineDepth())
                    .findFirst()
                    .ifPresent(
                            shared ->
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  depth %d: mean device batch %.0f shared vs %.0f"
                                                    + " unshared (%.2fx), %,.0f vs %,.0f"
                                                    + " events/s%n",
                                            unshared.pipelineDepth(),
                                            shared.deviceBatchMean(),
                                            unshared.deviceBatchMean(),
                                            shared.deviceBatchMean()
                                                    / Math.max(1e-9, unshared.deviceBatchMean()),
                                            shared.eventsPerSecond(),
                                            unshared.eventsPerSecond()));
        }
    }

    private static String ratio(BenchResult r, BenchResult base) {
        return base == null
                ? "-"
                : String.format(Locale.ROOT, "%.2f", r.eventsPerSecond() / base.eventsPerSecond());
    }

    private static BenchResult find(
            List<BenchResult> results, String mode, int hidden, String backend, String predictor) {
        return results.stream()
                .filter(
                        r ->
                                r.mode().equals(mode)
                                        && r.hidden() == hidden
                                        && r.backend().equals(backend)
                                        && (predictor.equals("-")
                                                || r.predictor().equals(predictor)))
                .findFirst()
                .orElse(null);
    }

    private static void writeChart(List<BenchResult> results, int cores, Path file)
            throws IOException {
        BenchChart.write(results, cores, file);
        System.out.println("chart: " + file.toAbsolutePath());
    }
}
