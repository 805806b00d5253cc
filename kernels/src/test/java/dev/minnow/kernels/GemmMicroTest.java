package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.vector.GemmMicro;
import dev.minnow.kernels.vector.VectorKernels;
import org.junit.jupiter.api.Test;

/** The GEMM micro-kernel choice: defaults per width, the system property, and names that tell the variants apart. */
class GemmMicroTest {

    @Test
    void defaultsPerWidth() {
        assertEquals(GemmMicro.PREBROADCAST6, GemmMicro.defaultFor(128));
        assertEquals(GemmMicro.PREBROADCAST6, GemmMicro.defaultFor(256));
        assertEquals(GemmMicro.BROADCAST12, GemmMicro.defaultFor(512));
        assertEquals(12, GemmMicro.BROADCAST12.rows());
    }

    @Test
    void propertyOverridesAndRejectsUnknownNames() {
        String old = System.getProperty("minnow.gemm.micro");
        try {
            System.setProperty("minnow.gemm.micro", "Broadcast6");
            assertEquals(GemmMicro.BROADCAST6, GemmMicro.forWidth(512));
            System.setProperty("minnow.gemm.micro", "auto");
            assertEquals(GemmMicro.defaultFor(256), GemmMicro.forWidth(256));
            System.setProperty("minnow.gemm.micro", "broadcast7");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmMicro.forWidth(256));
            assertTrue(e.getMessage().contains("broadcast7") && e.getMessage().contains("broadcast12"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("minnow.gemm.micro");
            } else {
                System.setProperty("minnow.gemm.micro", old);
            }
        }
    }

    @Test
    void nameShowsANonDefaultMicroKernel() {
        assertEquals("vector-256", new VectorKernels(256, true, GemmMicro.PREBROADCAST6).name());
        assertEquals("vector-256-broadcast12", new VectorKernels(256, true, GemmMicro.BROADCAST12).name());
        assertNotEquals(new VectorKernels(128, false, GemmMicro.BROADCAST6).name(), new VectorKernels(128, false).name());
    }
}
