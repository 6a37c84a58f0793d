package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;
import java.io.Serializable;

/** Turns one input record into a {@link GruEvent}, or refuses it with a reason. */
@FunctionalInterface
public interface EventParser extends Serializable {

    GruEvent parse(KafkaInput input) throws BadInputException;
}
