package dev.flinkgru.tools.demo;

import java.util.SplittableRandom;

/**
 * Deterministic readings of many sensors ({@code s-0}, {@code s-1}, ...), {@value #FEATURES} float
 * channels each, with dynamics of their own per sensor and learnable from the sensor's past.
 *
 * <p>Every sensor draws its parameters from {@code (seed, sensor index)}: a fast oscillation
 * (period 12 to 48 steps, with a small random walk in its phase) and a slow one (period 50 to 200
 * steps). Channel 0 is their sum plus an offset; channel 1 is the fast oscillation shifted by a
 * per-sensor phase (60 to 120 degrees, so the pair 0/1 reveals the phase) plus a bit of the slow
 * one; channel 2 is a nonlinear coupling, {@code 0.8 tanh(kappa x0 x1) + 0.2 cos(2 slow)}; channel
 * 3 is a lagged, leaky response to the square of channel 0 ({@code z' = rho z + (1 - rho) g x0²}
 * plus innovation noise). Each channel gets small Gaussian measurement noise. Values stay within
 * about [-2, 3], so models need no input normalization.
 *
 * <p>{@link #next(int)} advances one sensor's own clock; sensors are independent, so the stream of
 * one sensor does not depend on how calls for different sensors interleave. Not thread-safe: use
 * one instance per thread.
 */
public final class SensorGenerator {

    /** Channels per reading. */
    public static final int FEATURES = 4;

    /** Standard deviation of the measurement noise on every channel. */
    static final double MEASUREMENT_NOISE = 0.02;

    private static final double TWO_PI = 2.0 * StrictMath.PI;

    private final Sensor[] sensors;

    /**
     * Creates the sensors {@code 0 .. sensors-1} of {@code seed}; the same seed and index always
     * give the same sensor, whatever {@code sensors} is.
     */
    public SensorGenerator(long seed, int sensors) {
        Mix.checkArgument(sensors > 0, "sensors must be greater than 0, was %s", sensors);
        this.sensors = new Sensor[sensors];
        for (int i = 0; i < sensors; i++) {
            this.sensors[i] = new Sensor(Mix.random(seed, 1, i));
        }
    }

    /** The next reading of {@code sensor} ({@value #FEATURES} values); advances its clock. */
    public float[] next(int sensor) {
        return sensor(sensor).next();
    }

    /** The number of readings {@code sensor} has produced so far. */
    public long steps(int sensor) {
        return sensor(sensor).steps;
    }

    /** The key of {@code sensor}: {@code s-<index>}. */
    public String sensorId(int sensor) {
        sensor(sensor);
        return "s-" + sensor;
    }

    /** The number of sensors. */
    public int sensors() {
        return sensors.length;
    }

    /** Channels per reading, {@value #FEATURES}. */
    public int features() {
        return FEATURES;
    }

    private Sensor sensor(int sensor) {
        Mix.checkArgument(
                sensor >= 0 && sensor < sensors.length,
                "sensor must be in [0, %s), was %s",
                sensors.length,
                sensor);
        return sensors[sensor];
    }

    /** One sensor: its parameters, its latent state and its own noise source. */
    private static final class Sensor {
        private final SplittableRandom random;
        private final double fastStep; // radians per step
        private final double slowStep;
        private final double offset;
        private final double fastAmplitude;
        private final double slowAmplitude;
        private final double quadratureAmplitude;
        private final double quadraturePhase;
        private final double coupling;
        private final double leak;
        private final double gain;
        private double fast;
        private double slow;
        private double lagged;
        private long steps;

        Sensor(SplittableRandom random) {
            this.random = random;
            fastStep = TWO_PI / Mix.uniform(random, 12, 48);
            slowStep = TWO_PI / Mix.uniform(random, 50, 200);
            offset = Mix.uniform(random, -0.3, 0.3);
            fastAmplitude = Mix.uniform(random, 0.5, 1.0);
            slowAmplitude = Mix.uniform(random, 0.15, 0.4);
            quadratureAmplitude = Mix.uniform(random, 0.4, 0.9);
            quadraturePhase = Mix.uniform(random, StrictMath.PI / 3, 2 * StrictMath.PI / 3);
            coupling = Mix.uniform(random, 1.0, 2.5);
            leak = Mix.uniform(random, 0.7, 0.95);
            gain = Mix.uniform(random, 0.8, 1.5);
            fast = Mix.uniform(random, 0, TWO_PI);
            slow = Mix.uniform(random, 0, TWO_PI);
            double meanSquare =
                    offset * offset
                            + 0.5 * fastAmplitude * fastAmplitude
                            + 0.5 * slowAmplitude * slowAmplitude;
            lagged = gain * meanSquare; // start at the mean: no transient
        }

        float[] next() {
            double s0 =
                    offset
                            + fastAmplitude * StrictMath.sin(fast)
                            + slowAmplitude * StrictMath.sin(slow);
            double s1 =
                    quadratureAmplitude * StrictMath.sin(fast + quadraturePhase)
                            + 0.3 * slowAmplitude * StrictMath.cos(slow);
            double s2 = 0.8 * StrictMath.tanh(coupling * s0 * s1) + 0.2 * StrictMath.cos(2 * slow);
            double s3 = lagged;
            float[] reading = {
                (float) (s0 + MEASUREMENT_NOISE * Mix.gaussian(random)),
                (float) (s1 + MEASUREMENT_NOISE * Mix.gaussian(random)),
                (float) (s2 + MEASUREMENT_NOISE * Mix.gaussian(random)),
                (float) (s3 + MEASUREMENT_NOISE * Mix.gaussian(random))
            };
            // Advance: phase random walk on the fast oscillation, leaky lagged response.
            fast = (fast + fastStep + 0.02 * Mix.gaussian(random)) % TWO_PI;
            slow = (slow + slowStep) % TWO_PI;
            lagged = leak * lagged + (1 - leak) * gain * s0 * s0 + 0.03 * Mix.gaussian(random);
            steps++;
            return reading;
        }
    }
}
