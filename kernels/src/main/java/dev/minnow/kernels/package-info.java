/**
 * The kernel interface, its provider and the shared thread pool.
 *
 * <pre>{@code
 * Kernels k = KernelProvider.get();          // vector when available, else scalar; logged once
 * float d = k.dot(a, 0, b, 0, n);
 * k.gemm(m, n, kk, a, 0, kk, w, 0, kk, true, c, 0, n, false);   // C = A · Wᵀ
 * }</pre>
 *
 * <p>{@link dev.minnow.kernels.QuantKernels} (GGML block dots) and {@link dev.minnow.kernels.SparseKernels}
 * (row-sparse GEMV over selected rows and column-sparse axpys over transposed rows, for sparse-activation decoding)
 * come from the same provider ({@code KernelProvider.quant()}, {@code KernelProvider.sparse()}).
 * {@link dev.minnow.kernels.PointwiseConvKernels} ({@code PointwiseConvKernels.get()}) runs pixel-major 1×1 and
 * gathered-tap convolutions on heap arrays with the bias, activation and residual add fused into the output pass
 * (MobileR2L's float path).
 *
 * <p>All float data are little-endian f32 in {@link java.lang.foreign.MemorySegment}s; offsets are in elements.
 * System properties: {@code minnow.kernels=scalar|vector}, {@code minnow.vectorBits=128|256|512},
 * {@code minnow.threads=N}.
 */
package dev.minnow.kernels;
