package dev.flinkgru.state;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The last events of one key as plain data, for rebuilding its state under another model ({@link
 * FingerprintMismatchPolicy#REWARM}): a ring of at most {@code capacity} feature vectors of F
 * floats each, the oldest overwritten first.
 *
 * <p>Mutable on purpose, like {@link HiddenState}: the operator appends in place and writes it
 * back.
 */
@PublicEvolving
public final class FeatureHistory {

    /** F, the floats of one event. */
    private final int features;

    /** The most events kept. */
    private final int capacity;

    /** {@code capacity} slots of F floats; slot (start + i) % capacity holds the i-th oldest. */
    private final float[] ring;

    /** Index of the oldest slot. */
    private int start;

    /** Events kept, at most {@code capacity}. */
    private int size;

    public FeatureHistory(int features, int capacity, float[] ring, int start, int size) {
        if (features < 1 || capacity < 1 || ring.length != features * capacity) {
            throw new IllegalArgumentException(
                    "A history of "
                            + capacity
                            + " events of "
                            + features
                            + " features needs "
                            + features * capacity
                            + " floats, not "
                            + ring.length);
        }
        if (start < 0 || start >= capacity || size < 0 || size > capacity) {
            throw new IllegalArgumentException(
                    "start " + start + " and size " + size + " outside a ring of " + capacity);
        }
        this.features = features;
        this.capacity = capacity;
        this.ring = ring;
        this.start = start;
        this.size = size;
    }

    /** An empty history of up to {@code capacity} events of {@code features} floats. */
    public static FeatureHistory empty(int features, int capacity) {
        return new FeatureHistory(features, capacity, new float[features * capacity], 0, 0);
    }

    public int features() {
        return features;
    }

    public int capacity() {
        return capacity;
    }

    /** Events kept. */
    public int size() {
        return size;
    }

    /** Appends the F floats of {@code x} from {@code offset}; drops the oldest when full. */
    public void append(float[] x, int offset) {
        int slot;
        if (size < capacity) {
            slot = (start + size) % capacity;
            size++;
        } else {
            slot = start;
            start = (start + 1) % capacity;
        }
        System.arraycopy(x, offset, ring, slot * features, features);
    }

    /** The events kept, oldest first, packed: {@code size() * features()} floats. */
    public float[] events() {
        float[] packed = new float[size * features];
        for (int i = 0; i < size; i++) {
            System.arraycopy(
                    ring, ((start + i) % capacity) * features, packed, i * features, features);
        }
        return packed;
    }

    /**
     * This history with room for {@code newCapacity} events (the newest kept), or this one if it
     * has that capacity already.
     */
    public FeatureHistory withCapacity(int newCapacity) {
        if (newCapacity == capacity) {
            return this;
        }
        FeatureHistory resized = empty(features, newCapacity);
        float[] events = events();
        for (int i = Math.max(0, size - newCapacity); i < size; i++) {
            resized.append(events, i * features);
        }
        return resized;
    }

    // Serializer access.
    float[] ring() {
        return ring;
    }

    int start() {
        return start;
    }

    /** A deep copy. */
    public FeatureHistory copy() {
        return new FeatureHistory(features, capacity, ring.clone(), start, size);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureHistory)) {
            return false;
        }
        FeatureHistory that = (FeatureHistory) o;
        return features == that.features
                && capacity == that.capacity
                && size == that.size
                && Arrays.equals(events(), that.events());
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, capacity, size, Arrays.hashCode(events()));
    }

    @Override
    public String toString() {
        return "FeatureHistory{" + size + " of " + capacity + " events, F=" + features + '}';
    }
}
