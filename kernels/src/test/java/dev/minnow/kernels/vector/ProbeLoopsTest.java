package dev.minnow.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MachineProbe}'s read loops sum exactly what they were asked to read: small integers, so every order of
 * addition gives the same float, and a value outside the range that must not be read.
 */
class ProbeLoopsTest {
    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void streamSumsReadTheirRangeOnly(int bits) {
        VectorF32 loops = Specializer.instance(F32Kernels.class, VectorF32.class, bits, true, GemmMicro.forWidth(bits).ordinal());
        int vb = bits / 8;
        try (Arena arena = Arena.ofConfined()) {
            int floats = 16 * vb; // 64 vectors
            MemorySegment s = arena.allocate(4L * floats + 2 * vb, 64);
            s.fill((byte) 0);
            for (int i = 0; i < floats; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 1 + i, (i % 7) + 1);
            }
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, 1e6f); // before the range
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 1 + floats, 1e6f); // after it
            long off = 4, len = 4L * floats;
            double want = 0;
            for (int i = 0; i < floats; i++) {
                want += (i % 7) + 1;
            }
            assertEquals(want, loops.streamSum(s, off, len), 0, "one stream, " + bits + " bits");
            assertEquals(want, loops.streamSum4(s, off, len / 4), 0, "four streams, " + bits + " bits");
            double firstHalf = 0;
            for (int i = 0; i < floats / 2; i++) {
                firstHalf += (i % 7) + 1;
            }
            assertEquals(firstHalf, loops.streamSum4(s, off, len / 8), 0, "four streams over half, " + bits + " bits");
        }
    }
}
