package dev.flinkgru.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sensor demo: readings of {@link SensorGenerator} in; each forecast (made after a sensor's
 * n-th reading) is compared with that sensor's actual reading n+1, and so is the naive forecast
 * "the next reading equals the last one".
 */
final class SensorScenario implements DemoScenario {

    /** Readings kept per sensor for comparisons (a ring). */
    private static final int HISTORY = 4096;

    /** Sensors shown in samples and the chart. */
    private static final int SHOWN = 3;

    /** Chart points kept per shown sensor. */
    private static final int CHART_POINTS = 120;

    private final SensorGenerator generator;
    private final int features;
    private final float[][][] history;
    private final Map<Long, float[]> pending = new HashMap<>();
    private final List<List<double[]>> chart = new ArrayList<>();
    private final String[] latestSample = new String[SHOWN];
    private int cursor;

    private double modelError;
    private double naiveError;
    private long compared;

    SensorScenario(long seed, int sensors) {
        generator = new SensorGenerator(seed, sensors);
        features = generator.features();
        history = new float[sensors][HISTORY][];
        for (int i = 0; i < SHOWN; i++) {
            chart.add(new ArrayList<>());
        }
    }

    @Override
    public String name() {
        return "sensor";
    }

    @Override
    public Map<String, String> jobDefaults() {
        return SensorForecastJob.DEFAULTS;
    }

    @Override
    public GruKafkaPipeline.Codec codec() {
        return new SensorCodec(features);
    }

    @Override
    public synchronized List<String[]> nextRecords(int count, long now) {
        List<String[]> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int sensor = cursor;
            cursor = (cursor + 1) % generator.sensors();
            long step = generator.steps(sensor);
            float[] reading = generator.next(sensor);
            history[sensor][(int) (step % HISTORY)] = reading;
            float[] forecast = pending.remove(key(sensor, step));
            if (forecast != null) {
                compare(sensor, step, forecast);
            }
            StringBuilder json = new StringBuilder("{\"sensor\":\"");
            json.append(generator.sensorId(sensor))
                    .append("\",\"ts\":")
                    .append(now)
                    .append(",\"values\":[");
            for (int f = 0; f < features; f++) {
                json.append(f == 0 ? "" : ",").append(reading[f]);
            }
            records.add(new String[] {generator.sensorId(sensor), json.append("]}").toString()});
        }
        return records;
    }

    @Override
    public synchronized void onPrediction(JsonNode forecast) {
        int sensor = Integer.parseInt(forecast.get("sensor").asText().substring(2));
        long step = forecast.get("steps").asLong(); // forecasts reading number `steps` (0-based)
        JsonNode values = forecast.get("forecast");
        float[] predicted = new float[values.size()];
        for (int f = 0; f < predicted.length; f++) {
            predicted[f] = (float) values.get(f).asDouble();
        }
        if (step < generator.steps(sensor)) {
            compare(sensor, step, predicted);
        } else {
            pending.put(key(sensor, step), predicted);
        }
    }

    private void compare(int sensor, long step, float[] predicted) {
        if (step < 1 || generator.steps(sensor) - step > HISTORY - 1) {
            return; // the readings compared with are no longer kept
        }
        float[] actual = history[sensor][(int) (step % HISTORY)];
        float[] last = history[sensor][(int) ((step - 1) % HISTORY)];
        for (int f = 0; f < features; f++) {
            modelError += Math.abs(predicted[f] - actual[f]);
            naiveError += Math.abs(last[f] - actual[f]);
        }
        compared++;
        if (sensor < SHOWN) {
            List<double[]> points = chart.get(sensor);
            points.add(new double[] {step, actual[0], predicted[0], last[0]});
            if (points.size() > CHART_POINTS) {
                points.remove(0);
            }
            latestSample[sensor] =
                    String.format(
                            Locale.ROOT,
                            "  %-6s reading %-6d forecast %s  actual %s",
                            generator.sensorId(sensor),
                            step,
                            vector(predicted),
                            vector(actual));
        }
    }

    private static String vector(float[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%6.3f", v[i]));
        }
        return s.append(']').toString();
    }

    private static long key(int sensor, long step) {
        return ((long) sensor << 40) | step;
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

    /** Mean absolute error per channel of the model's forecasts so far. */
    synchronized double modelMae() {
        return modelError / Math.max(1, compared * features);
    }

    /** Mean absolute error per channel of the last-value forecast, on the same readings. */
    synchronized double naiveMae() {
        return naiveError / Math.max(1, compared * features);
    }

    @Override
    public synchronized List<String> summary() {
        return List.of(
                String.format(
                        Locale.ROOT,
                        "forecasts compared with the actual next reading: %,d",
                        compared),
                String.format(
                        Locale.ROOT,
                        "mean absolute error: GRU %.4f   naive last-value %.4f   (GRU/naive = %.2f)",
                        modelMae(),
                        naiveMae(),
                        modelMae() / naiveMae()));
    }

    @Override
    public synchronized Path writeChart(Path dir) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < SHOWN; s++) {
            ids.add(generator.sensorId(s));
        }
        return DemoCharts.sensor(
                ids, chart, modelMae(), naiveMae(), dir.resolve("sensor-forecast-vs-actual.svg"));
    }
}
