package dev.flinkgru.operator;

import org.apache.flink.annotation.PublicEvolving;

/** The order in which the operator steps each key's events ({@link GruOptions#ORDER}). */
@PublicEvolving
public enum EventOrder {
    /**
     * In the order they arrive at the operator's subtask: right when the key's input is ordered
     * (one Kafka partition per key, records keyed by the job's key), and with the lowest latency.
     */
    ARRIVAL,

    /**
     * In timestamp order (equal timestamps in arrival order): each event waits in keyed state until
     * the operator's watermark reaches its timestamp. Late events follow {@link
     * GruOptions#ORDER_LATE}.
     */
    EVENT_TIME
}
