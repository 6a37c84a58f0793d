package dev.flinkgru.operator.testing;

import static org.assertj.core.api.Assertions.fail;

/** The project's float32 agreement rule with PyTorch: |Δ| ≤ 1e-5 + 1e-5·|expected|. */
public final class Tolerance {

    public static final double ABSOLUTE = 1e-5;
    public static final double RELATIVE = 1e-5;

    private Tolerance() {}

    public static boolean close(float actual, float expected) {
        return Math.abs(actual - expected) <= ABSOLUTE + RELATIVE * Math.abs(expected);
    }

    /**
     * Asserts element-wise agreement of the first {@code n} values, naming the first that differs.
     */
    public static void assertClose(String what, float[] actual, float[] expected, int n) {
        for (int i = 0; i < n; i++) {
            if (!close(actual[i], expected[i])) {
                fail(
                        "%s differs at [%d]: actual %s, expected %s (|Δ|=%s)",
                        what, i, actual[i], expected[i], Math.abs(actual[i] - expected[i]));
            }
        }
    }
}
