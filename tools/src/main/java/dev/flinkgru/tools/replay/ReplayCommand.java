package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code flink-gru replay --model M.pt --hidden-size H --layers L --events IN.csv --out OUT.csv
 * [--batch-size N] [--max-delay-ms N] [--parallelism P] [--device D] [--backend B] [--rejects FILE]
 * [--stop-after N --savepoint-dir D] [--resume D]}.
 *
 * <p>OUT.csv has the header {@code seq,key,y0..y{O-1}} and one row per valid input event of this
 * run, values printed with {@link Float#toString} so they read back as the same float32. Bad rows
 * are refused (listed in {@code --rejects}), advance no state, and do not stop the run.
 *
 * <p>{@code --stop-after N --savepoint-dir D} runs the next N data rows only, then stops the job
 * with a savepoint in D and writes {@link ReplaySavepoint#FILE_NAME} there. {@code --resume D}
 * restores the operator's states from it and skips the rows the savepoint's runs consumed.
 */
public final class ReplayCommand {

    static final String USAGE =
            "usage: flink-gru replay --model M.pt --hidden-size H --layers L --events IN.csv"
                    + " --out OUT.csv [--batch-size N] [--max-delay-ms N] [--parallelism P]"
                    + " [--device cpu|gpu|gpu:N|auto] [--backend torchscript|reference]"
                    + " [--rejects FILE] [--stop-after N --savepoint-dir D] [--resume D]";

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
                    "backend",
                    "rejects",
                    "stop-after",
                    "savepoint-dir",
                    "resume");

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
        Path rejects = options.has("rejects") ? Paths.get(options.required("rejects")) : null;
        if (options.has("stop-after") != options.has("savepoint-dir")) {
            throw CliException.usage("--stop-after N and --savepoint-dir D go together");
        }
        long stopAfter = options.getLong("stop-after", Long.MAX_VALUE);
        checkAtLeastOne("stop-after", stopAfter);
        Path savepointDir =
                options.has("savepoint-dir") ? Paths.get(options.required("savepoint-dir")) : null;
        Path resumeDir = options.has("resume") ? Paths.get(options.required("resume")) : null;
        ReplaySavepoint resume = null;
        if (resumeDir != null) {
            try {
                resume = ReplaySavepoint.load(resumeDir);
                resume.checkSizes(resumeDir, hidden, layers);
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "cannot resume: " + e.getMessage(), e);
            }
        }

        long began = System.nanoTime();
        long skip = resume == null ? 0 : resume.skipRows();
        ReplayInput input = ReplayInput.read(events, skip, stopAfter);
        BatchPredictorFactory predictor = ModelOptions.predictor(options, model, hidden, layers);
        ModelShape shape = ModelOptions.check(predictor, input.features(), batchSize);
        if (resume != null) {
            try {
                resume.checkModel(resumeDir, model, shape.fingerprint());
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "cannot resume: " + e.getMessage(), e);
            }
        }
        if (rejects != null) {
            RejectsFile.write(rejects, input.rejected());
        }
        writeHeader(out, shape.outputSize());
        if (savepointDir != null) {
            createDirectory(savepointDir);
        }

        GruInference.Builder inference =
                GruInference.builder()
                        .setPredictor(predictor)
                        .setInputSize(input.features())
                        .optMaxBatchSize(batchSize)
                        .optMaxDelay(Duration.ofMillis(maxDelayMs));
        if (resume != null) {
            // States of another model were refused above; never reset one silently.
            inference.optMismatchPolicy(FingerprintMismatchPolicy.FAIL);
        }
        ReplayJob.Result result =
                new ReplayJob(
                                input.events(),
                                input.features(),
                                inference.build(),
                                parallelism,
                                out,
                                resume == null ? null : resume.savepoint(),
                                savepointDir)
                        .run();
        System.err.println(
                summary(input, result.predictions(), out, rejects, began, parallelism, batchSize));
        if (result.predictions() != input.events().size()) {
            throw CliException.failure(
                    "wrote "
                            + result.predictions()
                            + " predictions for "
                            + input.events().size()
                            + " events");
        }
        if (savepointDir != null) {
            ReplaySavepoint taken =
                    new ReplaySavepoint(
                            result.savepoint(),
                            ReplaySavepoint.REPLAY,
                            skip + input.rows(),
                            (resume == null ? 0 : resume.events()) + input.events().size(),
                            shape.fingerprint(),
                            hidden,
                            layers,
                            parallelism,
                            ReplaySavepoint.MAX_PARALLELISM,
                            GruInference.DEFAULT_UID);
            taken.write(savepointDir);
            System.err.printf(
                    "replay: savepoint after %d rows of %s in %s; continue with --resume %s%n",
                    taken.skipRows(), events, result.savepoint(), savepointDir);
        }
        return 0;
    }

    /**
     * E.g. {@code replay: 746 events -> 746 predictions in out.csv (4.1 s, parallelism 2, batch
     * size 256); 3 rows rejected -> rejects.csv, the first: in.csv line 5: x1 'a' is not a number}.
     */
    private static String summary(
            ReplayInput input,
            long predictions,
            Path out,
            Path rejects,
            long began,
            int parallelism,
            int batchSize) {
        StringBuilder s =
                new StringBuilder(
                        String.format(
                                "replay: %d events -> %d predictions in %s (%.2f s, parallelism %d,"
                                        + " batch size %d); %d rows rejected",
                                input.events().size(),
                                predictions,
                                out,
                                (System.nanoTime() - began) / 1e9,
                                parallelism,
                                batchSize,
                                input.rejected().size()));
        if (rejects != null) {
            s.append(" -> ").append(rejects);
        }
        if (!input.rejected().isEmpty()) {
            s.append(", the first: ").append(input.firstRejection());
            if (rejects == null) {
                s.append(" (--rejects FILE lists them all)");
            }
        }
        if (input.skippedRows() > 0) {
            s.append("; skipped the first ").append(input.skippedRows()).append(" rows (--resume)");
        }
        return s.toString();
    }

    private static void writeHeader(Path out, int outputs) {
        try {
            Files.writeString(out, PredictionRows.header(outputs), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failure("cannot write " + out + ": " + e.getMessage());
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw CliException.failure("cannot create " + dir + ": " + e.getMessage());
        }
    }

    private static void checkAtLeastOne(String option, long value) {
        if (value < 1) {
            throw CliException.usage("--" + option + " must be at least 1, was " + value);
        }
    }
}
