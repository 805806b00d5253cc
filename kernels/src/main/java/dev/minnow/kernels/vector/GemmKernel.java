package dev.minnow.kernels.vector;

import dev.minnow.kernels.BPanelSource;
import java.lang.foreign.MemorySegment;

/** The f32 GEMM entry point of one width-specialised {@link GemmF32} copy; arguments as {@link dev.minnow.kernels.Kernels#gemm}. */
interface GemmKernel {
    void multiply(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                  boolean bT, MemorySegment c, long cOff, int ldc, boolean accumulate);

    /** As {@link dev.minnow.kernels.Kernels#gemmPackedB}. */
    void multiplyPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b,
                         MemorySegment c, long cOff, int ldc, boolean accumulate);
}
