package dev.flinkgru.operator.predictor;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * The small fixed set of batch sizes a model ever sees: powers of two up to the largest batch, plus
 * the largest batch itself. TorchScript re-specializes its graph for every new input shape (a
 * multi-second stall on GPU), so a batch of B rows is padded up to the next bucket.
 */
@Internal
public final class ShapeBuckets {

    private final int[] sizes;

    public ShapeBuckets(int maxBatchSize) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException(
                    "maxBatchSize must be at least 1, was " + maxBatchSize);
        }
        List<Integer> list = new ArrayList<>();
        for (int size = 1; size < maxBatchSize; size *= 2) {
            list.add(size);
        }
        list.add(maxBatchSize);
        sizes = list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The smallest bucket that holds {@code batch} rows. */
    public int bucketFor(int batch) {
        for (int size : sizes) {
            if (size >= batch) {
                return size;
            }
        }
        throw new IllegalArgumentException(
                "Batch of " + batch + " exceeds the largest bucket " + largest());
    }

    public int largest() {
        return sizes[sizes.length - 1];
    }

    /** All bucket sizes, ascending. */
    public int[] sizes() {
        return sizes.clone();
    }
}
