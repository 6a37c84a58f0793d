package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruPrediction;
import java.io.Serializable;

/** Writes one prediction as the output topic's JSON. */
@FunctionalInterface
public interface PredictionFormatter extends Serializable {

    /** The record value: the prediction's JSON as UTF-8, which the sink writes as it is. */
    byte[] format(GruPrediction prediction);
}
