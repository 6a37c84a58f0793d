package dev.flinkgru.tools.bench;

import dev.flinkgru.tools.command.CliException;
import java.io.Serializable;
import java.util.Locale;

/**
 * Which key the bench's event {@code i} belongs to: {@code uniform} (every key equally often, in a
 * scattered order) or {@code zipf:S} (key rank r drawn with probability proportional to 1/r^S, as
 * per-user traffic is: a few users send most events). Both are a pure function of the event's
 * index, so the parallel source's splits generate the same stream every run. Ranks are scattered
 * over the key space, so the hot keys fall into different key groups and subtasks.
 */
final class KeyDistribution implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A prime larger than any key count: multiplying by it modulo the keys is a bijection. */
    private static final long SCATTER = 2654435761L;

    private final int keys;
    private final double exponent;

    // Rejection-inversion sampling of the Zipf distribution (Hörmann and Derflinger, "Rejection-
    // inversion to generate variates from monotone discrete distributions", 1996), as Apache
    // Commons RNG's ZipfSampler does: O(1) per sample for any number of keys, no table.
    private final double hIntegralX1;
    private final double hIntegralKeys;
    private final double s;

    private KeyDistribution(int keys, double exponent) {
        this.keys = keys;
        this.exponent = exponent;
        if (exponent > 0) {
            hIntegralX1 = hIntegral(1.5) - 1;
            hIntegralKeys = hIntegral(keys + 0.5);
            s = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
        } else {
            hIntegralX1 = 0;
            hIntegralKeys = 0;
            s = 0;
        }
    }

    /**
     * Parses {@code uniform} or {@code zipf:S} (S &gt; 0) for {@code keys} keys; a usage error
     * naming the flag if it is neither.
     */
    static KeyDistribution parse(String text, int keys) {
        CliException.checkAtLeastOne("--keys", keys);
        if (text.equals("uniform")) {
            return new KeyDistribution(keys, 0);
        }
        if (text.startsWith("zipf:")) {
            double exponent;
            try {
                exponent = Double.parseDouble(text.substring("zipf:".length()));
            } catch (NumberFormatException e) {
                exponent = Double.NaN;
            }
            if (exponent > 0 && Double.isFinite(exponent)) {
                return new KeyDistribution(keys, exponent);
            }
        }
        throw CliException.usage(
                "--key-distribution takes uniform or zipf:S with S > 0 (e.g. zipf:1.1), not '"
                        + text
                        + "'");
    }

    /** The key of event {@code index}, in [0, keys). */
    int key(long index) {
        if (exponent <= 0) {
            return (int) Math.floorMod(index * SCATTER, (long) keys);
        }
        long rank = rank(index); // 1 = the most frequent key
        return (int) Math.floorMod((rank - 1) * SCATTER, (long) keys);
    }

    /** The Zipf rank of event {@code index}, in [1, keys]. */
    long rank(long index) {
        long state = index * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        while (true) {
            state += 0x9E3779B97F4A7C15L;
            double uniform = (mix(state) >>> 11) * 0x1.0p-53;
            double u = hIntegralKeys + uniform * (hIntegralX1 - hIntegralKeys);
            double x = hIntegralInverse(u);
            long k = (long) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > keys) {
                k = keys;
            }
            if (k - x <= s || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** How it is written on the command line and in {@code --json}: uniform or zipf:S. */
    @Override
    public String toString() {
        if (exponent <= 0) {
            return "uniform";
        }
        String text = String.format(Locale.ROOT, "%s", exponent);
        return "zipf:" + (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    private double hIntegral(double x) {
        double logX = Math.log(x);
        return helper2((1 - exponent) * logX) * logX;
    }

    private double hIntegralInverse(double x) {
        double t = x * (1 - exponent);
        if (t < -1) {
            t = -1;
        }
        return Math.exp(helper1(t) * x);
    }

    /** log(1 + x) / x, accurate near 0. */
    private static double helper1(double x) {
        return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
    }

    /** (exp(x) - 1) / x, accurate near 0. */
    private static double helper2(double x) {
        return Math.abs(x) > 1e-8
                ? Math.expm1(x) / x
                : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
    }
}
