package dev.flinkgru.operator;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** An event the operator refused, with the reason; emitted to {@link #SIDE_OUTPUT}. */
@PublicEvolving
public class RejectedEvent {

    /**
     * The operator's side output of refused events: wrong feature count, NaN or infinite features,
     * non-finite model output, or a model that failed on the event. {@link GruInference#REJECTED}
     * is the same tag.
     */
    public static final OutputTag<RejectedEvent> SIDE_OUTPUT =
            new OutputTag<>("gru-rejected", TypeInformation.of(RejectedEvent.class));

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
