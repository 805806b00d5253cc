package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelProviderTest {
    /** The strip-mining warning: only Parallel and Serial without both flags (the last -XX:±UseCountedLoopSafepoints wins). */
    @Test
    void loopStripMiningWarningConditions() {
        var ps = java.util.List.of("PS Scavenge", "PS MarkSweep");
        var serial = java.util.List.of("Copy", "MarkSweepCompact");
        var g1 = java.util.List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation");
        var both = java.util.List.of("-XX:+UseParallelGC", "-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000");
        assertTrue(KernelProvider.withoutLoopStripMining(ps, java.util.List.of("-XX:+UseParallelGC")));
        assertTrue(KernelProvider.withoutLoopStripMining(serial, java.util.List.of()));
        assertTrue(KernelProvider.withoutLoopStripMining(ps, java.util.List.of("-XX:+UseCountedLoopSafepoints")));
        assertTrue(KernelProvider.withoutLoopStripMining(ps, java.util.List.of("-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=0")));
        assertTrue(KernelProvider.withoutLoopStripMining(ps, java.util.List.of("-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000",
                "-XX:-UseCountedLoopSafepoints")));
        assertEquals(false, KernelProvider.withoutLoopStripMining(ps, both));
        assertEquals(false, KernelProvider.withoutLoopStripMining(serial, both));
        assertEquals(false, KernelProvider.withoutLoopStripMining(g1, java.util.List.of()));
    }

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
