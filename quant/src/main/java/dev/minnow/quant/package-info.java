/**
 * Quantized storage formats. {@link dev.minnow.quant.GgmlQuant} converts rows between f32 and the GGML block
 * layouts (Q4_0 … Q6_K, Q8_K, F16, BF16), bit-exact with llama.cpp's reference quantizers; one codec class per
 * format ({@code Q4_KCodec} …) holds its layout and reference algorithm, and {@code KQuantSearch} the K-quant scale
 * searches. {@link dev.minnow.quant.QuantMix} chooses per-tensor types the way {@code llama-quantize}'s presets do.
 * The integer dot products over these layouts live in {@code dev.minnow.kernels} ({@code QuantKernels}).
 */
package dev.minnow.quant;
