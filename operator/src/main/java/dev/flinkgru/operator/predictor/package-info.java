/**
 * Batch predictors: one batched GRU step for B keys at once. The TorchScript predictor runs the
 * model through DJL's PyTorch engine; the reference GRU is a pure-Java oracle for the standard
 * {@code nn.GRU} + {@code Linear} architecture.
 */
package dev.flinkgru.operator.predictor;
