/**
 * ONNX models: {@link dev.minnow.models.onnx.OnnxModel} decodes the protobuf file (a hand-written, bounds-checked
 * wire-format reader over the memory mapping; raw weights stay views) and {@link dev.minnow.models.onnx.OnnxGraph}
 * executes the graph on {@code dev.minnow.nn} operators (ai.onnx opset ≤ 13: Conv, ConvTranspose,
 * BatchNormalization folded into Conv, Relu, Clip, Add/Mul/Div/Sub with broadcasting, Concat, pools, ReduceMean,
 * Flatten, Gemm, Reshape and the shape operators). Unsupported nodes fail at construction, before any computation.
 */
package dev.minnow.models.onnx;
