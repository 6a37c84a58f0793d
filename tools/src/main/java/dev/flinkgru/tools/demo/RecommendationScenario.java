package dev.flinkgru.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.recommend.RecommendationCodec;
import dev.flinkgru.jobs.recommend.RecommendationJob;
import dev.flinkgru.jobs.recommend.RecommendationOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The recommendation demo: sessions of {@link SessionGenerator} in; each top-K list (made after a
 * user's n-th event) is a hit if the user's next item is in it. The baseline recommends the K most
 * popular items seen so far.
 */
final class RecommendationScenario implements DemoScenario {

    private static final int HISTORY = 4096;
    private static final int SHOWN = 3;

    /**
     * The catalogue the demo model was trained on: {@code models/recommendation/train.py} uses seed
     * 42 (the item graph comes from the seed).
     */
    static final long CATALOGUE_SEED = 42;

    /** The demo's users start here: training used users 0..3,999, so these are new to the model. */
    static final int FIRST_USER = 10_000;

    private final SessionGenerator generator;
    private final int k = RecommendationOptions.TOP_K.defaultValue();
    private final int[][] history;
    private final long[] lastTs;
    private final Map<Long, Long> stepOfEvent = new HashMap<>();
    private final Map<Long, int[]> pending = new HashMap<>();
    private final long[] popularity;
    private int[] popular = new int[0];
    private long popularAsOf = -1;
    private int cursor;
    private final String[] latestSample = new String[SHOWN];
    private final List<double[]> curve = new ArrayList<>();

    private long compared;
    private long modelHits;
    private long popularHits;

    RecommendationScenario(int users) {
        generator = new SessionGenerator(CATALOGUE_SEED, FIRST_USER + users);
        history = new int[users][HISTORY];
        lastTs = new long[users];
        popularity = new long[generator.items()];
    }

    @Override
    public String name() {
        return "recommendation";
    }

    @Override
    public Map<String, String> jobDefaults() {
        return RecommendationJob.DEFAULTS;
    }

    @Override
    public GruKafkaPipeline.Codec codec() {
        return new RecommendationCodec(generator.items(), k);
    }

    @Override
    public synchronized List<String[]> nextRecords(int count, long now) {
        List<String[]> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int user = cursor;
            cursor = (cursor + 1) % lastTs.length;
            long step = generator.steps(FIRST_USER + user);
            int item = generator.nextItem(FIRST_USER + user);
            history[user][(int) (step % HISTORY)] = item;
            popularity[item]++;
            int[] recommended = pending.remove(key(user, step));
            if (recommended != null) {
                judge(user, step, recommended);
            }
            long ts = Math.max(now, lastTs[user] + 1); // unique per user: identifies the event
            lastTs[user] = ts;
            stepOfEvent.put(key(user, ts), step);
            String id = generator.userId(FIRST_USER + user);
            records.add(
                    new String[] {
                        id, "{\"user\":\"" + id + "\",\"item\":" + item + ",\"ts\":" + ts + "}"
                    });
        }
        return records;
    }

    @Override
    public synchronized void onPrediction(JsonNode recommendation) {
        int user = Integer.parseInt(recommendation.get("user").asText().substring(2)) - FIRST_USER;
        Long step = stepOfEvent.remove(key(user, recommendation.get("ts").asLong()));
        if (step == null) {
            return;
        }
        JsonNode items = recommendation.get("items");
        int[] recommended = new int[items.size()];
        for (int i = 0; i < recommended.length; i++) {
            recommended[i] = items.get(i).asInt();
        }
        long next = step + 1; // the list follows event `step`; it is judged by event `step + 1`
        if (next < generator.steps(FIRST_USER + user)) {
            judge(user, next, recommended);
        } else {
            pending.put(key(user, next), recommended);
        }
    }

    private void judge(int user, long step, int[] recommended) {
        if (generator.steps(FIRST_USER + user) - step > HISTORY - 1) {
            return;
        }
        int actual = history[user][(int) (step % HISTORY)];
        boolean modelHit = Arrays.stream(recommended).anyMatch(i -> i == actual);
        boolean popularHit = Arrays.stream(popularItems()).anyMatch(i -> i == actual);
        compared++;
        modelHits += modelHit ? 1 : 0;
        popularHits += popularHit ? 1 : 0;
        if (compared % 200 == 0) {
            curve.add(new double[] {compared, modelHitRate(), popularHitRate()});
        }
        if (user < SHOWN) {
            latestSample[user] =
                    String.format(
                            Locale.ROOT,
                            "  %-6s event %-5d top-%d %s  next item %d %s",
                            generator.userId(FIRST_USER + user),
                            step - 1,
                            k,
                            Arrays.toString(recommended),
                            actual,
                            modelHit ? "(hit)" : "(miss)");
        }
    }

    /** The K most popular items so far, recomputed at most once per 1,000 events. */
    private int[] popularItems() {
        long total = Arrays.stream(popularity).sum();
        if (popularAsOf < 0 || total - popularAsOf >= 1000) {
            Integer[] ids = new Integer[popularity.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            Arrays.sort(ids, (a, b) -> Long.compare(popularity[b], popularity[a]));
            popular = new int[k];
            for (int i = 0; i < k; i++) {
                popular[i] = ids[i];
            }
            popularAsOf = total;
        }
        return popular;
    }

    private static long key(int user, long value) {
        return ((long) user << 40) | value;
    }

    synchronized double modelHitRate() {
        return (double) modelHits / Math.max(1, compared);
    }

    synchronized double popularHitRate() {
        return (double) popularHits / Math.max(1, compared);
    }

    @Override
    public synchronized List<String> samples() {
        List<String> lines = new ArrayList<>();
        for (String sample : latestSample) {
            if (sample != null) {
                lines.add(sample);
            }
        }
        return lines;
    }

    @Override
    public synchronized List<String> summary() {
        return List.of(
                String.format(
                        Locale.ROOT, "recommendation lists judged by the next item: %,d", compared),
                String.format(
                        Locale.ROOT,
                        "hit-rate@%d: GRU %.3f   most-popular %.3f   (GRU/most-popular = %.2f)",
                        k,
                        modelHitRate(),
                        popularHitRate(),
                        modelHitRate() / Math.max(1e-9, popularHitRate())));
    }

    @Override
    public synchronized Path writeChart(Path dir) throws IOException {
        return DemoCharts.hitRate(k, curve, dir.resolve("recommendation-hit-rate.svg"));
    }
}
