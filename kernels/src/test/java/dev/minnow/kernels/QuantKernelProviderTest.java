package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class QuantKernelProviderTest {
    @Test
    void quantKernelsFollowTheF32Choice() {
        QuantKernels q = KernelProvider.quant();
        assertEquals(KernelProvider.get().vectorBits(), q.vectorBits(), q.name() + " vs " + KernelProvider.get().name());
        assertSame(q, KernelProvider.quant());
    }
}
