package dev.minnow.kernels;

/**
 * Integer GEMM for int8 convolutions (pointwise and im2col): signed bytes in, int32 sums out. Both operands are
 * row-major with the reduction index contiguous, so every output is one dot product:
 * {@code c[cOff + i·ldc + j] = Σ_{p<k} a[aOff + i·lda + p] · b[bOff + j·ldb + p]} for {@code i < m, j < n}, in
 * two's-complement int32 arithmetic (so any summation order gives the same bits). The scalar implementation
 * ({@code scalar.ScalarInt8ConvKernels}) is the specification; the Vector API one must be bit-exact.
 */
public interface Int8ConvKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** {@code c = a · bᵀ} over int8, int32 results (see the interface comment). */
    void gemm(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static Int8ConvKernels get() {
        return Int8ConvKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static Int8ConvKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarInt8ConvKernels.INSTANCE;
    }
}
