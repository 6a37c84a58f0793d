package dev.flinkgru.operator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates {@link GruOperator}s with their task's mailbox executor, through which the results of
 * batches run off the task thread come back to it (as {@code AsyncWaitOperator}'s do).
 */
@Internal
public final class GruOperatorFactory extends AbstractStreamOperatorFactory<GruPrediction>
        implements OneInputStreamOperatorFactory<GruEvent, GruPrediction> {

    private static final long serialVersionUID = 1L;

    private final GruOperatorSettings settings;

    GruOperatorFactory(GruOperatorSettings settings) {
        this.settings = settings;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<GruPrediction>> T createStreamOperator(
            StreamOperatorParameters<GruPrediction> parameters) {
        return (T) new GruOperator(parameters, settings);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return GruOperator.class;
    }
}
