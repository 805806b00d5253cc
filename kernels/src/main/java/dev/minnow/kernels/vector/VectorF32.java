package dev.minnow.kernels.vector;

import dev.minnow.kernels.Kernels;
import java.lang.foreign.MemorySegment;

/** What one width-specialised {@link F32Kernels} copy offers: the kernels and {@link MachineProbe}'s loops. */
interface VectorF32 extends Kernels {
    /** {@code iters} steps of 12 independent FMA chains; returns a value that depends on all of them. */
    float fmaChains(long iters);

    /** Σ of the floats in bytes [off, off + len) of {@code s}, 4 vector accumulators; len a multiple of 4 vectors. */
    float streamSum(MemorySegment s, long off, long len);

    /**
     * Σ of the floats in bytes [off, off + 4·part) of {@code s}, read as four concurrent streams (one vector from each
     * quarter per step, as a GEMV reads several weight rows at once); part a multiple of one vector.
     */
    float streamSum4(MemorySegment s, long off, long part);
}
