/**
 * Quantized storage formats: the GGML block layouts (Q4_0 … Q6_K, bit-exact with llama.cpp's reference
 * quantizers), ONNX-style per-channel int8 and Minnow's group-wise int4. Layouts and quantizers live here; the
 * integer dot products live in {@code dev.minnow.kernels}.
 */
package dev.minnow.quant;
