/**
 * Quantized-kernel benchmark: {@link dev.minnow.bench.quant.QuantBench}, a plain main that prints one table of
 * quantized GEMV bandwidth (GB/s of weights, % of the measured read bandwidth) and batched GEMM throughput (GOPS,
 * % of the f32 FMA peak) per GGML format, vector against scalar.
 */
package dev.minnow.bench.quant;
