package dev.flinkgru.operator;

import org.apache.flink.annotation.PublicEvolving;

/** An event the operator refused, with the reason; emitted to {@link GruInference#REJECTED}. */
@PublicEvolving
public class RejectedEvent {

    /** The refused event, unchanged. */
    public GruEvent event;

    /** Why it was refused, e.g. "expected 8 features, got 7". */
    public String reason;

    /** For Flink's POJO serializer. */
    public RejectedEvent() {}

    public RejectedEvent(GruEvent event, String reason) {
        this.event = event;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + event + ", reason=" + reason + '}';
    }
}
