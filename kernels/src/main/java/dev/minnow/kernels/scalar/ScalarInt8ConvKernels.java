package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Int8ConvKernels;

/** The specification of {@link Int8ConvKernels}: one int32 dot product per output. */
public final class ScalarInt8ConvKernels implements Int8ConvKernels {
    public static final ScalarInt8ConvKernels INSTANCE = new ScalarInt8ConvKernels();

    private ScalarInt8ConvKernels() {}

    @Override
    public String name() { return "scalar"; }

    @Override
    public void gemm(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int acc = 0;
                int ai = aOff + i * lda, bj = bOff + j * ldb;
                for (int p = 0; p < k; p++) {
                    acc += a[ai + p] * b[bj + p];
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }
}
