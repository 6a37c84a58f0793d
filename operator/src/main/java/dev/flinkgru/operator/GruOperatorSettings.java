package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushPolicy;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.annotation.Internal;

/**
 * What a {@link GruOperator} is built with, as {@link GruInference} checked it; shipped with the
 * job graph.
 *
 * @param predictor opens the subtask's predictor
 * @param flushPolicy batch size and delay
 * @param inputSize F, the features of every event
 * @param mismatchPolicy what to do with states of another model
 * @param stateTtl idle time after which a key's state expires, or null for never
 * @param maxFailedRows rows the model may fail on in a row before the task fails
 * @param pipelineDepth batches in flight per subtask
 * @param deviceShared whether the subtasks of a TaskManager share one device batcher
 * @param deviceMaxBatch the most rows of one call of the shared device batcher
 * @param deviceMaxWait how long the shared device batcher waits for more rows to join a call
 * @param stateHistory events kept per key for REWARM, 0 for none
 * @param modelWatchInterval how often the model path is watched for a new version, or null for
 *     never
 * @param order the order in which each key's events are stepped
 * @param latePolicy what {@link EventOrder#EVENT_TIME} does with late events
 */
@Internal
record GruOperatorSettings(
        BatchPredictorFactory predictor,
        FlushPolicy flushPolicy,
        int inputSize,
        FingerprintMismatchPolicy mismatchPolicy,
        Duration stateTtl,
        int maxFailedRows,
        int pipelineDepth,
        boolean deviceShared,
        int deviceMaxBatch,
        Duration deviceMaxWait,
        int stateHistory,
        Duration modelWatchInterval,
        EventOrder order,
        LateEventPolicy latePolicy)
        implements Serializable {}
