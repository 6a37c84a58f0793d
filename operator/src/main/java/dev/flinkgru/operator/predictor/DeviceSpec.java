package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.apache.flink.annotation.Internal;

/**
 * Parses the device option: {@code cpu}, {@code gpu} (GPU 0), {@code gpu:N}, or {@code auto} (the
 * engine's default: a GPU where one is visible, else the CPU).
 */
@Internal
public final class DeviceSpec {

    private DeviceSpec() {}

    /** Checks the syntax without touching an engine. */
    public static void validate(String spec) {
        String s = spec.trim().toLowerCase();
        if (s.equals("cpu") || s.equals("gpu") || s.equals("auto")) {
            return;
        }
        if (s.startsWith("gpu:")) {
            try {
                if (Integer.parseInt(s.substring(4)) >= 0) {
                    return;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(
                "Unknown device '" + spec + "'; expected cpu, gpu, gpu:N or auto");
    }

    /** The DJL device for {@code spec}. */
    public static Device resolve(String spec, Engine engine) {
        validate(spec);
        String s = spec.trim().toLowerCase();
        switch (s) {
            case "cpu":
                return Device.cpu();
            case "gpu":
                return Device.gpu();
            case "auto":
                return engine.defaultDevice();
            default:
                return Device.gpu(Integer.parseInt(s.substring(4)));
        }
    }
}
