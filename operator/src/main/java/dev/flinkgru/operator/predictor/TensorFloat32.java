package dev.flinkgru.operator.predictor;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * TensorFloat-32 (TF32) on CUDA, for the whole JVM: libtorch lets cuDNN use it for the GRU's matrix
 * products by default, which moves hidden states by up to ~2.3e-4 (measured on an H200, H=64),
 * outside the model contract's 1e-5. Off unless a predictor allows it: before the first GPU
 * predictor of the JVM opens, the process environment gets {@value #VARIABLE}{@code =0}, which
 * cuBLAS and cuDNN read when libtorch first creates their handles. The choice holds for the JVM:
 * once CUDA has read it, a predictor that asks for the other is refused at open.
 */
final class TensorFloat32 {

    /** The variable of NVIDIA's libraries that overrides TF32 ({@code 0}: never). */
    static final String VARIABLE = "NVIDIA_TF32_OVERRIDE";

    /** The JVM's choice once a GPU predictor opened: true if TF32 is allowed; null before. */
    private static Boolean allowed;

    private TensorFloat32() {}

    /** The C library's own environment, which native code reads (unlike System.getenv's copy). */
    private interface LibC extends Library {
        String getenv(String name);

        int setenv(String name, String value, int overwrite);
    }

    /**
     * Applies {@code allow} before a GPU predictor opens: without it, {@value #VARIABLE}{@code =0}.
     *
     * @throws IllegalStateException if an earlier GPU predictor of this JVM chose otherwise, or if
     *     the environment sets {@value #VARIABLE} to something other than 0 while TF32 is not
     *     allowed
     */
    static synchronized void configure(boolean allow) {
        if (allowed != null) {
            if (allowed != allow) {
                throw new IllegalStateException(
                        "TensorFloat-32 is "
                                + (allowed ? "allowed" : "off")
                                + " for this JVM's GPU predictors (the first one opened so), and"
                                + " CUDA keeps that choice for the process: set"
                                + " gru.predictor.allow-tf32="
                                + allowed
                                + " for every GPU predictor of a TaskManager");
            }
            return;
        }
        LibC libc = libc();
        String current = libc.getenv(VARIABLE);
        if (!allow) {
            if (current == null) {
                if (libc.setenv(VARIABLE, "0", 1) != 0) {
                    throw new IllegalStateException(
                            "could not set " + VARIABLE + "=0 to turn TensorFloat-32 off");
                }
            } else if (!current.trim().equals("0")) {
                throw new IllegalStateException(
                        "the environment sets "
                                + VARIABLE
                                + "="
                                + current
                                + ", but gru.predictor.allow-tf32 is false: unset it, or allow"
                                + " TensorFloat-32 (outputs then move by up to ~2.3e-4)");
            }
        }
        allowed = allow;
    }

    /** Whether the process environment has TF32 off now, as NVIDIA's libraries will read it. */
    static boolean offInEnvironment() {
        String value = libc().getenv(VARIABLE);
        return value != null && value.trim().equals("0");
    }

    private static LibC libc() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException(
                    "cannot reach the C library to turn TensorFloat-32 off; start the TaskManager"
                            + " with "
                            + VARIABLE
                            + "=0 in its environment, or set gru.predictor.allow-tf32=true",
                    e);
        }
    }
}
