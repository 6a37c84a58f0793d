/**
 * Batch predictors: one batched GRU step for B keys at once, for any model that keeps the contract
 * {@code forward(x[B,F], h[L,B,H]) -> (y[B,O], h[L,B,H])}. The ONNX predictor runs the model on
 * ONNX Runtime, the TorchScript predictor through DJL's PyTorch engine; {@link
 * dev.flinkgru.operator.predictor.ModelFormat} tells the two formats apart by their bytes, and
 * {@code ModelContract} checks a model by running it, at open and on every batch. The reference GRU
 * is a pure-Java oracle for the standard {@code nn.GRU} + {@code Linear} architecture.
 */
package dev.flinkgru.operator.predictor;
