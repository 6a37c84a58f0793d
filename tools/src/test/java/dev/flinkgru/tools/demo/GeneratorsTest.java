package dev.flinkgru.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Determinism, distinctness and ranges of the demo's synthetic data generators. */
class GeneratorsTest {

    @Test
    void sensorStreamsAreDeterministic() {
        SensorGenerator a = new SensorGenerator(7, 5);
        SensorGenerator b = new SensorGenerator(7, 5);
        for (int t = 0; t < 200; t++) {
            for (int s = 0; s < 5; s++) {
                assertThat(a.next(s)).as("sensor %s step %s", s, t).containsExactly(b.next(s));
            }
        }
        assertThat(a.steps(3)).isEqualTo(200);
    }

    @Test
    void sensorStreamDoesNotDependOnInterleavingOrSensorCount() {
        SensorGenerator interleaved = new SensorGenerator(7, 3);
        SensorGenerator alone = new SensorGenerator(7, 10);
        float[][] expected = new float[100][];
        for (int t = 0; t < 100; t++) {
            expected[t] = alone.next(2);
        }
        for (int t = 0; t < 100; t++) {
            interleaved.next(0);
            assertThat(interleaved.next(2)).as("step %s", t).containsExactly(expected[t]);
            if (t % 3 == 0) {
                interleaved.next(1);
            }
        }
    }

    @Test
    void sensorSeedsAndSensorsDiffer() {
        SensorGenerator generator = new SensorGenerator(7, 20);
        Set<String> first = new HashSet<>();
        for (int s = 0; s < 20; s++) {
            first.add(Arrays.toString(generator.next(s)));
        }
        assertThat(first).as("first readings of 20 sensors").hasSize(20);
        assertThat(new SensorGenerator(8, 1).next(0))
                .isNotEqualTo(new SensorGenerator(7, 1).next(0));

        // Distinct dynamics: the dominant period of channel 0 differs across sensors.
        Set<Integer> periods = new HashSet<>();
        for (int s = 0; s < 20; s++) {
            periods.add(dominantPeriod(generator, s, 512));
        }
        assertThat(periods).as("dominant periods of 20 sensors").hasSizeGreaterThan(8);
    }

    @Test
    void sensorReadingsAreFiniteAndOrderOne() {
        SensorGenerator generator = new SensorGenerator(42, 50);
        assertThat(generator.features()).isEqualTo(4);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        double absSum = 0;
        long n = 0;
        for (int s = 0; s < 50; s++) {
            for (int t = 0; t < 2_000; t++) {
                float[] reading = generator.next(s);
                assertThat(reading).hasSize(4);
                for (float v : reading) {
                    assertThat(Float.isFinite(v)).as("finite").isTrue();
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    absSum += Math.abs(v);
                    n++;
                }
            }
        }
        assertThat(min).isGreaterThan(-3f);
        assertThat(max).isLessThan(4f);
        assertThat(absSum / n).isBetween(0.1, 1.5);
    }

    @Test
    void sensorNextReadingIsPredictableFromThePast() {
        // The naive last-value forecast misses by far more than the measurement noise: there is
        // signal to learn, not only noise.
        SensorGenerator generator = new SensorGenerator(42, 10);
        double naive = 0;
        int n = 0;
        for (int s = 0; s < 10; s++) {
            float[] last = generator.next(s);
            for (int t = 0; t < 500; t++) {
                float[] reading = generator.next(s);
                for (int f = 0; f < 4; f++) {
                    naive += Math.abs(reading[f] - last[f]);
                    n++;
                }
                last = reading;
            }
        }
        assertThat(naive / n).isGreaterThan(3 * SensorGenerator.MEASUREMENT_NOISE);
    }

    @Test
    void sensorIdsAndArguments() {
        SensorGenerator generator = new SensorGenerator(1, 3);
        assertThat(generator.sensorId(0)).isEqualTo("s-0");
        assertThat(generator.sensorId(2)).isEqualTo("s-2");
        assertThat(generator.sensors()).isEqualTo(3);
        assertThatThrownBy(() -> generator.next(3))
                .hasMessageContaining("sensor must be in [0, 3)");
        assertThatThrownBy(() -> new SensorGenerator(1, 0))
                .hasMessageContaining("sensors must be greater than 0");
    }

    @Test
    void sessionStreamsAreDeterministicAndIndependentOfInterleaving() {
        SessionGenerator a = new SessionGenerator(7, 4);
        SessionGenerator b = new SessionGenerator(7, 40);
        int[] expected = new int[300];
        for (int t = 0; t < 300; t++) {
            expected[t] = b.nextItem(3);
        }
        for (int t = 0; t < 300; t++) {
            a.nextItem(t % 3);
            assertThat(a.nextItem(3)).as("step %s", t).isEqualTo(expected[t]);
        }
        assertThat(a.steps(3)).isEqualTo(300);
    }

    @Test
    void sessionsDifferAcrossUsersAndSeeds() {
        SessionGenerator generator = new SessionGenerator(7, 20);
        Set<String> prefixes = new HashSet<>();
        for (int u = 0; u < 20; u++) {
            int[] prefix = new int[5];
            for (int t = 0; t < 5; t++) {
                prefix[t] = generator.nextItem(u);
            }
            prefixes.add(Arrays.toString(prefix));
        }
        assertThat(prefixes).hasSize(20);
        SessionGenerator other = new SessionGenerator(8, 1);
        SessionGenerator same = new SessionGenerator(7, 1);
        int differ = 0;
        for (int t = 0; t < 50; t++) {
            differ += other.nextItem(0) != same.nextItem(0) ? 1 : 0;
        }
        assertThat(differ).isGreaterThan(40);
    }

    @Test
    void sessionItemsAreInCatalogueAndFollowTheStructure() {
        SessionGenerator generator = new SessionGenerator(42, 200);
        assertThat(generator.items()).isEqualTo(1000);
        int[] counts = new int[generator.items()];
        int follows = 0;
        int steps = 0;
        for (int u = 0; u < 200; u++) {
            int previous = -1;
            int current = -1;
            for (int t = 0; t < 200; t++) {
                int item = generator.nextItem(u);
                assertThat(item).isBetween(0, generator.items() - 1);
                counts[item]++;
                if (previous >= 0) {
                    int[] all =
                            concat(
                                    generator.successors(current, 0),
                                    generator.successors(current, 1));
                    follows += Arrays.stream(all).anyMatch(i -> i == item) ? 1 : 0;
                    steps++;
                }
                previous = current;
                current = item;
            }
        }
        // Most steps follow the item-to-item structure ...
        assertThat((double) follows / steps).isBetween(0.7, 0.9);
        // ... and the 10 most popular items are a small part of all.
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        int top10 = 0;
        for (int i = 0; i < 10; i++) {
            top10 += sorted[sorted.length - 1 - i];
        }
        assertThat((double) top10 / (200 * 200)).isLessThan(0.2);
        assertThat(Arrays.stream(counts).filter(c -> c > 0).count()).isGreaterThan(900);
    }

    @Test
    void sessionIdsAndArguments() {
        SessionGenerator generator = new SessionGenerator(1, 2);
        assertThat(generator.userId(1)).isEqualTo("u-1");
        assertThatThrownBy(() -> generator.nextItem(-1)).hasMessageContaining("user must be in");
        assertThatThrownBy(() -> new SessionGenerator(1, 0))
                .hasMessageContaining("users must be greater than 0");
    }

    @Test
    void trainingDataHasTheDocumentedHeaders() throws IOException {
        StringWriter sensors = new StringWriter();
        TrainingData.writeSensors(sensors, 42, 2, 3);
        String[] lines = sensors.toString().split("\n");
        assertThat(lines).hasSize(1 + 6);
        assertThat(lines[0]).isEqualTo("key,t,x0,x1,x2,x3");
        assertThat(lines[4]).startsWith("s-1,0,");
        float[] reading = new SensorGenerator(42, 2).next(0);
        assertThat(lines[1]).isEqualTo("s-0,0," + join(reading));

        StringWriter sessions = new StringWriter();
        TrainingData.writeSessions(sessions, 42, 2, 3);
        lines = sessions.toString().split("\n");
        assertThat(lines[0]).isEqualTo("key,t,item");
        assertThat(lines[1]).isEqualTo("u-0,0," + new SessionGenerator(42, 1).nextItem(0));
        assertThat(lines).hasSize(1 + 6);
    }

    private static int dominantPeriod(SensorGenerator generator, int sensor, int steps) {
        double[] x = new double[steps];
        double mean = 0;
        for (int t = 0; t < steps; t++) {
            x[t] = generator.next(sensor)[0];
            mean += x[t] / steps;
        }
        int best = 0;
        double bestPower = -1;
        for (int period = 8; period <= 64; period++) {
            double re = 0;
            double im = 0;
            for (int t = 0; t < steps; t++) {
                double angle = 2 * Math.PI * t / period;
                re += (x[t] - mean) * Math.cos(angle);
                im += (x[t] - mean) * Math.sin(angle);
            }
            double power = re * re + im * im;
            if (power > bestPower) {
                bestPower = power;
                best = period;
            }
        }
        return best;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String join(float[] values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(values[i]);
        }
        return s.toString();
    }
}
