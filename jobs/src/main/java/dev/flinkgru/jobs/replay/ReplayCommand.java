package dev.flinkgru.jobs.replay;

import dev.flinkgru.jobs.cli.CliException;
import dev.flinkgru.jobs.cli.Options;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ReferenceGruPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code flink-gru replay --model M.pt --hidden-size H --layers L --events IN.csv --out OUT.csv
 * [--batch-size N] [--max-delay-ms N] [--parallelism P] [--device D] [--backend B]}.
 *
 * <p>OUT.csv has the header {@code seq,key,y0..y{O-1}} and one row per input event, values printed
 * with {@link Float#toString} so they read back as the same float32.
 */
public final class ReplayCommand {

    static final String USAGE =
            "usage: flink-gru replay --model M.pt --hidden-size H --layers L --events IN.csv"
                    + " --out OUT.csv [--batch-size N] [--max-delay-ms N] [--parallelism P]"
                    + " [--device cpu|gpu|gpu:N|auto] [--backend torchscript|reference]";

    private static final Set<String> OPTIONS =
            Set.of(
                    "model",
                    "hidden-size",
                    "layers",
                    "events",
                    "out",
                    "batch-size",
                    "max-delay-ms",
                    "parallelism",
                    "device",
                    "backend");

    private ReplayCommand() {}

    public static int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        Options options = Options.parse(args, OPTIONS, Set.of());
        String model = options.required("model");
        int hidden = options.requiredInt("hidden-size");
        int layers = options.requiredInt("layers");
        Path events = Paths.get(options.required("events"));
        Path out = Paths.get(options.required("out"));
        int batchSize = options.getInt("batch-size", 256);
        long maxDelayMs = options.getLong("max-delay-ms", 10);
        int parallelism = options.getInt("parallelism", 1);
        checkAtLeastOne("hidden-size", hidden);
        checkAtLeastOne("layers", layers);
        checkAtLeastOne("batch-size", batchSize);
        checkAtLeastOne("max-delay-ms", maxDelayMs);
        checkAtLeastOne("parallelism", parallelism);

        long began = System.nanoTime();
        ReplayInput input = ReplayInput.read(events);
        BatchPredictorFactory predictor =
                predictor(options.get("backend", "torchscript"), model, hidden, layers, options);
        int outputs = checkModel(predictor, input.features(), batchSize);

        GruInference inference =
                GruInference.builder()
                        .setPredictor(predictor)
                        .setInputSize(input.features())
                        .optMaxBatchSize(batchSize)
                        .optMaxDelay(Duration.ofMillis(maxDelayMs))
                        .build();
        long written = runAndWrite(input.events(), inference, parallelism, out, outputs);
        System.err.printf(
                "replay: %d events -> %d predictions in %s (%.2f s, parallelism %d, batch size %d)%n",
                input.events().size(),
                written,
                out,
                (System.nanoTime() - began) / 1e9,
                parallelism,
                batchSize);
        if (written != input.events().size()) {
            throw CliException.failure(
                    "wrote " + written + " predictions for " + input.events().size() + " events");
        }
        return 0;
    }

    private static BatchPredictorFactory predictor(
            String backend, String model, int hidden, int layers, Options options) {
        switch (backend) {
            case "torchscript":
                try {
                    return new TorchScriptPredictorFactory(
                            model, hidden, layers, options.get("device", "cpu"), 1, 1, false);
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(e.getMessage());
                }
            case "reference":
                return new ReferenceGruPredictorFactory(model, hidden, layers);
            default:
                throw CliException.usage(
                        "--backend must be torchscript or reference, was '" + backend + "'");
        }
    }

    /** Opens the predictor once here, so a bad model fails before a cluster starts; returns O. */
    private static int checkModel(BatchPredictorFactory factory, int features, int batchSize) {
        try (BatchPredictor predictor = factory.open(features, batchSize)) {
            return predictor.shape().outputSize();
        } catch (Exception e) {
            throw new CliException(CliException.FAILURE, rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IOException) {
                message = t.getMessage();
                break;
            }
        }
        return message == null ? e.toString() : message.split("\n", 2)[0];
    }

    private static long runAndWrite(
            List<GruEvent> events, GruInference inference, int parallelism, Path out, int outputs) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism);
        var predictions =
                inference.apply(env.fromData(events).setParallelism(1).keyBy(GruEvent::getKey));
        long written = 0;
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
                CloseableIterator<GruPrediction> it =
                        predictions.executeAndCollect("flink-gru replay")) {
            writer.write(header(outputs));
            StringBuilder row = new StringBuilder();
            while (it.hasNext()) {
                GruPrediction p = it.next();
                row.setLength(0);
                row.append(p.eventId).append(',').append(CsvLine.quote(p.key));
                for (float v : p.output) {
                    row.append(',').append(Float.toString(v));
                }
                row.append('\n');
                writer.write(row.toString());
                written++;
            }
        } catch (IOException e) {
            throw CliException.failure("cannot write " + out + ": " + e.getMessage());
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE, "the replay job failed: " + rootMessage(e), e);
        }
        return written;
    }

    private static String header(int outputs) {
        StringBuilder header = new StringBuilder("seq,key");
        for (int i = 0; i < outputs; i++) {
            header.append(",y").append(i);
        }
        return header.append('\n').toString();
    }

    private static void checkAtLeastOne(String option, long value) {
        if (value < 1) {
            throw CliException.usage("--" + option + " must be at least 1, was " + value);
        }
    }
}
