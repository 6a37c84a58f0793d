package dev.flinkgru.tools.demo;

import java.util.SplittableRandom;

/** Seeding and sampling helpers shared by the generators; all results are platform-exact. */
final class Mix {

    private Mix() {}

    /** A well-mixed 64-bit value of {@code seed} and {@code index} (SplitMix64 finalizer). */
    static long mix(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A random generator for stream {@code index} of {@code seed}, independent of the others. */
    static SplittableRandom random(long seed, long stream, long index) {
        return new SplittableRandom(mix(mix(seed, stream), index));
    }

    /** A standard normal draw (Box-Muller with {@link StrictMath}, so the same on every JVM). */
    static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble(); // (0, 1]
        double v = random.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u)) * StrictMath.cos(2.0 * StrictMath.PI * v);
    }

    /** A uniform draw in {@code [low, high)}. */
    static double uniform(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    static void checkArgument(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(message, args));
        }
    }
}
