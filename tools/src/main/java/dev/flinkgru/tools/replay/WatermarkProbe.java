package dev.flinkgru.tools.replay;

import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Forwards records and watermarks unchanged and keeps the last watermark in the accumulator {@value
 * #ACCUMULATOR}: once it reaches the source's last one, the GRU operator has emitted everything
 * that watermark released (it drains before forwarding a watermark), so the client may stop.
 *
 * @param <T> the records
 */
final class WatermarkProbe<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    /** Name of the accumulator with the last watermark seen. */
    static final String ACCUMULATOR = "flink-gru-replay-watermark";

    private transient LongMaximum watermark;

    @Override
    public void open() throws Exception {
        super.open();
        watermark = new LongMaximum(Long.MIN_VALUE);
        getRuntimeContext().addAccumulator(ACCUMULATOR, watermark);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        watermark.add(mark.getTimestamp());
    }
}
