package dev.flinkgru.tools.demo;

import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What one demo job brings: its data, its job, and how its predictions are judged. */
interface DemoScenario {

    /** Short name, e.g. "sensor". */
    String name();

    /** The job's option defaults (topics, model). */
    Map<String, String> jobDefaults();

    /** The job's codec for that configuration. */
    GruKafkaPipeline.Codec codec();

    /** Records (key, JSON) to produce next; about {@code count} of them. */
    List<String[]> nextRecords(int count, long now);

    /** Takes one prediction read from the output topic. */
    void onPrediction(com.fasterxml.jackson.databind.JsonNode prediction);

    /** A few lines showing predictions beside what actually happened next. */
    List<String> samples();

    /** The final quality lines: the model against its naive baseline. */
    List<String> summary();

    /** Writes the chart to {@code dir}; returns its path. */
    Path writeChart(Path dir) throws IOException;
}
