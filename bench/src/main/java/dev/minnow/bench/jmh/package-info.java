/**
 * JMH benchmarks of the f32 kernels in scalar/vector pairs (parameter {@code impl}), at the shapes of real models:
 * dot over 4096, GEMV (decode) at 2048×2048, 5632×2048, 2048×5632 and 32000×2048, GEMM at the pointwise-convolution
 * shapes 12544×16×32 and 3136×24×144 (pixels × out-channels × in-channels) and 2048³ (vector only: the scalar
 * specification takes seconds per call). Parameter {@code threads} caps the pool. Run with
 * {@code ./minnow jmh [JMH options]}, e.g. {@code ./minnow jmh GemvBench -p threads=2}.
 */
package dev.minnow.bench.jmh;
