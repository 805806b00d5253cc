package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.vector.VectorKernels;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Proves the property checks can fail: kernels with classic bugs (dropped tail, wrong stride) must be caught. */
class FaultInjectionTest {

    /** A vector kernel whose dot and gemv forget the last element: the off-by-one tail bug. */
    static final class OffByOneTail extends Delegating {
        OffByOneTail() { super(new VectorKernels(256, true)); }

        @Override
        public float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
            return inner.dot(a, aOff, b, bOff, Math.max(0, n - 1));
        }

        @Override
        public void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
            inner.gemv(rows, Math.max(0, cols - 1), w, wOff, x, xOff, y, yOff);
        }
    }

    /** A GEMM that ignores the leading dimension of A (assumes lda == k). */
    static final class IgnoresLda extends Delegating {
        IgnoresLda() { super(new VectorKernels(256, true)); }

        @Override
        public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                         boolean bT, MemorySegment c, long cOff, int ldc, boolean acc) {
            inner.gemm(m, n, k, a, aOff, k, b, bOff, ldb, bT, c, cOff, ldc, acc);
        }
    }

    @Test
    void offByOneTailIsCaught() {
        Kernels broken = new OffByOneTail();
        assertThrows(AssertionFailedError.class, () -> KernelChecks.checkDot(broken, 17, "fault/dot"));
        assertThrows(AssertionFailedError.class, () -> KernelChecks.checkGemv(broken, 5, 33, "fault/gemv"));
    }

    @Test
    void ignoredLeadingDimensionIsCaught() {
        assertThrows(AssertionFailedError.class, () -> KernelChecks.checkGemm(new IgnoresLda(), 7, 9, 13, true, false, "fault/gemm"));
    }

    @Test
    void correctKernelPassesTheSameChecks() {
        Kernels ok = new VectorKernels(256, true);
        KernelChecks.checkDot(ok, 17, "fault/dot");
        KernelChecks.checkGemv(ok, 5, 33, "fault/gemv");
        KernelChecks.checkGemm(ok, 7, 9, 13, true, false, "fault/gemm");
    }
}
