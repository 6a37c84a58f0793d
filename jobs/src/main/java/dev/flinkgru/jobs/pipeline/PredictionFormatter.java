package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruPrediction;
import java.io.Serializable;

/** Writes one prediction as the output topic's JSON. */
@FunctionalInterface
public interface PredictionFormatter extends Serializable {

    String format(GruPrediction prediction);
}
