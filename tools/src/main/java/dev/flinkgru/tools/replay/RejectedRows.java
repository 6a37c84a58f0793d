package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.RejectedEvent;
import dev.flinkgru.tools.io.RejectedRow;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Formats an event the operator refused (late, non-finite output, a row the model failed on) as a
 * rejects row ({@code seq,reason,raw}, raw the event's input row) and counts them in the
 * accumulator {@value #COUNTER}.
 */
final class RejectedRows extends RichMapFunction<RejectedEvent, String> {

    private static final long serialVersionUID = 1L;

    /** Name of the accumulator that counts the events the operator refused. */
    static final String COUNTER = "flink-gru-replay-refused";

    private transient LongCounter rows;

    @Override
    public void open(OpenContext openContext) {
        rows = new LongCounter();
        getRuntimeContext().addAccumulator(COUNTER, rows);
    }

    @Override
    public String map(RejectedEvent r) {
        rows.add(1L);
        String raw = r.event.origin == null ? "" : r.event.origin;
        return new RejectedRow(r.event.eventId, 0, r.reason, raw).toCsv();
    }
}
