package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.vector.MachineProbe;
import dev.minnow.kernels.vector.VectorKernels;
import org.junit.jupiter.api.Test;

/** The probes run and report sane, finite figures (no timing thresholds: any positive rate passes). */
class MachineProbeTest {

    @Test
    void fmaPeakAtOneAndTwoThreads() {
        for (int t : new int[] {1, 2}) {
            MachineProbe.Rate r = MachineProbe.fmaPeak(256, t, 5, 1);
            assertTrue(r.value() > 0 && Double.isFinite(r.value()), "FMA peak " + r);
            assertEquals(Math.min(t, Parallel.poolSize()), r.threads());
            assertEquals(256, r.bits());
        }
        assertEquals(Parallel.poolSize(), Parallel.threads(), "probe restores the thread cap");
    }

    @Test
    void readBandwidthOnASmallBuffer() {
        MachineProbe.Rate r = MachineProbe.readBandwidth(256, 2, 8L << 20, 1);
        assertTrue(r.value() > 0 && Double.isFinite(r.value()), "bandwidth " + r);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MachineProbe.fmaPeak(100, 1, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new VectorKernels(100, true));
        String old = System.getProperty("minnow.probe.bytes");
        try {
            System.setProperty("minnow.probe.bytes", "12x");
            assertThrows(IllegalArgumentException.class, MachineProbe::defaultBandwidthBytes);
            System.setProperty("minnow.probe.bytes", String.valueOf(64L << 20));
            assertEquals(64L << 20, MachineProbe.defaultBandwidthBytes());
        } finally {
            if (old == null) {
                System.clearProperty("minnow.probe.bytes");
            } else {
                System.setProperty("minnow.probe.bytes", old);
            }
        }
    }

    @Test
    void widthsCoexistInOneJvm() {
        for (int bits : new int[] {128, 256, 512}) {
            for (boolean fma : new boolean[] {true, false}) {
                Kernels k = new VectorKernels(bits, fma);
                assertEquals(bits, k.vectorBits());
                assertEquals("vector-" + bits + (fma ? "" : "-nofma"), k.name());
            }
        }
    }
}
