package dev.flinkgru.operator;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What {@link EventOrder#EVENT_TIME} does with a late event: one whose timestamp is behind the
 * watermark when it arrives, or behind its key's last stepped event ({@link
 * GruOptions#ORDER_LATE}).
 */
@PublicEvolving
public enum LateEventPolicy {
    /** Refuse it: the side output {@code REJECTED}, with a reason that says how late it is. */
    REJECT,

    /** Step it on arrival, after the key's events stepped so far. */
    STEP
}
