package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses records into events (the Kafka source already did, so that watermarks come from each
 * partition's {@code ts}; then this only routes); a record that is not valid UTF-8, that the parser
 * refuses, or whose event fails the {@link EventChecks} goes to {@link #DEAD_LETTERS} with its
 * reason, is counted in the {@code deadLetters} metric, and never reaches the operator or state. A
 * valid event carries its record as {@link GruEvent#origin}, so that an event the operator refuses
 * is dead-lettered as it came.
 */
public final class ParseEvents extends ProcessFunction<KafkaInput, GruEvent> {

    private static final long serialVersionUID = 1L;

    /** Side output of refused records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final EventParser parser;
    private final EventChecks checks;
    private final int maxRawBytes;
    private transient Counter deadLetters;

    /**
     * @param parser the job's codec
     * @param checks what every event must satisfy
     * @param maxRawBytes the most bytes of a record its dead letter carries
     */
    ParseEvents(EventParser parser, EventChecks checks, int maxRawBytes) {
        this.parser = parser;
        this.checks = checks;
        this.maxRawBytes = maxRawBytes;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    /**
     * Parses {@code input} once: sets its {@link KafkaInput#event} or its {@link
     * KafkaInput#problem}; does nothing if it was parsed before.
     */
    static void parse(KafkaInput input, EventParser parser, EventChecks checks) {
        if (input.event != null || input.problem != null) {
            return;
        }
        String problem = input.encodingProblem;
        if (problem == null) {
            try {
                GruEvent event = parser.parse(input);
                problem = checks.problem(event, System.currentTimeMillis());
                if (problem == null) {
                    input.event = event.withOrigin(input.raw);
                    return;
                }
            } catch (BadInputException e) {
                problem = e.getMessage();
            } catch (RuntimeException e) {
                problem = "unparseable: " + e;
            }
        }
        input.problem = problem;
    }

    @Override
    public void processElement(KafkaInput input, Context ctx, Collector<GruEvent> out) {
        parse(input, parser, checks);
        if (input.event == null) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, DeadLetter.of(input.problem, input, maxRawBytes));
            return;
        }
        out.collect(input.event);
    }
}
