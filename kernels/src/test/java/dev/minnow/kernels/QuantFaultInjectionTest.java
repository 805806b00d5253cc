package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Proves the quantized-dot checks can fail: kernels with classic bugs must be caught. */
class QuantFaultInjectionTest {

    /** Forgets the last block (the tail bug). */
    static final class DropsLastBlock extends ScalarQuantKernels {
        @Override
        public float dotQ4_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
            return super.dotQ4_0Q8_0(Math.max(0, n - 32), w, wOff, a, aOff);
        }

        @Override
        public float dotQ6_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
            return super.dotQ6_KQ8_K(Math.max(0, n - 256), w, wOff, a, aOff);
        }
    }

    /** Never advances the Q4_K weight pointer: every activation block meets weight block 0 (a stride bug). */
    static final class StuckWeightsQ4K extends ScalarQuantKernels {
        @Override
        public float dotQ4_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
            float sum = 0;
            for (int i = 0; i < n / 256; i++) {
                sum += super.dotQ4_KQ8_K(256, w, wOff, a, aOff + 292L * i);
            }
            return sum;
        }
    }

    @Test
    void brokenKernelsAreCaught() {
        QuantKernels drops = new DropsLastBlock();
        assertThrows(AssertionFailedError.class, () -> VectorQuantKernelsPropertyTest.checkExact(drops, DType.Q4_0, 3, "fault/q4_0"));
        assertThrows(AssertionFailedError.class, () -> VectorQuantKernelsPropertyTest.checkExact(drops, DType.Q6_K, 2, "fault/q6_k"));
        assertThrows(AssertionFailedError.class,
                () -> VectorQuantKernelsPropertyTest.checkExact(new StuckWeightsQ4K(), DType.Q4_K, 2, "fault/q4_k"));
    }

    @Test
    void correctKernelPassesTheSameChecks() {
        QuantKernels ok = QuantKernelsAtWidth.vector(256, true);
        VectorQuantKernelsPropertyTest.checkExact(ok, DType.Q4_0, 3, "fault/q4_0");
        VectorQuantKernelsPropertyTest.checkExact(ok, DType.Q6_K, 2, "fault/q6_k");
        VectorQuantKernelsPropertyTest.checkExact(ok, DType.Q4_K, 2, "fault/q4_k");
    }
}
