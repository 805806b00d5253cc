package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelProviderTest {
    @Test
    void forcedScalar() {
        assertSame(KernelProvider.scalar(), KernelProvider.choose("scalar", ""));
        assertTrue(KernelProvider.reason().length() > 0);
    }

    @Test
    void vectorWidthsOnRequest() {
        for (int bits : new int[] {128, 256, 512}) {
            Kernels k = KernelProvider.choose("vector", String.valueOf(bits));
            assertEquals(bits, k.vectorBits(), k.name());
        }
    }

    @Test
    void autoPicksThePreferredSpeciesWhenC2Runs() {
        Kernels k = KernelProvider.choose("", "");
        // the test JVM runs C2 with the incubator module: auto must choose the vector path at the preferred width
        assertEquals(KernelProvider.preferredVectorBits(), k.vectorBits(), k.name());
    }

    @Test
    void badPropertiesAreRejectedWithTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("gpu", ""));
        assertTrue(e.getMessage().contains("'gpu'"));
        e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("vector", "300"));
        assertTrue(e.getMessage().contains("300"));
        e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("", "wide"));
        assertTrue(e.getMessage().contains("wide"));
    }
}
