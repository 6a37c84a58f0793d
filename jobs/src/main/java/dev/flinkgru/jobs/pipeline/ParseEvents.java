package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses records into events; a record the parser refuses goes to {@link #DEAD_LETTERS} with its
 * reason, is counted in the {@code deadLetters} metric, and never reaches the operator or state.
 */
public final class ParseEvents extends ProcessFunction<KafkaInput, GruEvent> {

    private static final long serialVersionUID = 1L;

    /** Side output of refused records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final EventParser parser;
    private transient Counter deadLetters;

    public ParseEvents(EventParser parser) {
        this.parser = parser;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(KafkaInput input, Context ctx, Collector<GruEvent> out) {
        GruEvent event;
        try {
            event = parser.parse(input);
        } catch (BadInputException e) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(e.getMessage(), input));
            return;
        } catch (RuntimeException e) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter("unparseable: " + e, input));
            return;
        }
        out.collect(event);
    }
}
