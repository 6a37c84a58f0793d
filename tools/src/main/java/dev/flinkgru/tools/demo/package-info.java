/**
 * Deterministic synthetic data for the demo jobs, and the training data of their models.
 *
 * <p>{@link dev.flinkgru.tools.demo.SensorGenerator} makes 4-channel sensor readings with
 * per-sensor dynamics (the sensor-forecasting job, {@code models/sensor}); {@link
 * dev.flinkgru.tools.demo.SessionGenerator} makes user sessions over a 1,000-item catalogue with a
 * learnable transition structure (the recommendation job, {@code models/recommendation}). Both are
 * pure Java (no Flink), so {@link dev.flinkgru.tools.demo.TrainingData} runs from the bare class
 * directory and the Python training scripts learn from exactly the streams the jobs see.
 */
package dev.flinkgru.tools.demo;
