package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prefill's B panels from 16-row panels ({@link QuantKernels#dequantizeFromPanels}, {@link Q4Panels#dequantizeB})
 * against {@link QuantKernels#dequantizePanel} on the original GGML rows (the scalar specification of ggml's
 * dequantize_row_*), bit for bit, for the scalar specification and the vector kernels at 128, 256 and 512 bits: rows
 * 16, 17, 33 and 53 (tail rows read from the GGML rows; a B panel that holds the last panel rows and the first tail
 * rows), row lengths of 1 to 64 blocks, B panels 4, 8, 16 and 32 wide at every column offset the GEMMs use, depth
 * slices of 256 (the last one shorter) and random ones, and random row ranges starting inside a panel. Scales are
 * random f16 bit patterns (signs, subnormals, large exponents), levels random bytes.
 */
class Q4PanelsPrefillTest {
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ScalarQuantKernels SPEC = ScalarQuantKernels.INSTANCE;

    static Stream<Arguments> cases() {
        return Stream.of(0, 128, 256, 512).flatMap(bits -> Stream.of(DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K)
                .map(t -> Arguments.of(bits, t)));
    }

    static QuantKernels kernels(int bits) {
        return bits == 0 ? SPEC : QuantKernelsAtWidth.vector(bits, true);
    }

    static int[] cols(DType t) {
        return t == DType.Q4_0 || t == DType.Q8_0 ? new int[] {32, 96, 544, 1024} : new int[] {256, 512, 2048};
    }

    /** Random GGML rows of {@code t} with random finite f16 scales of either sign (Q8_0 and Q4_0 panels reject inf/NaN). */
    static MemorySegment rows(Arena arena, DType t, int rows, int cols, SplittableRandom r) {
        int nb = rows * cols / t.blockSize();
        MemorySegment w = arena.allocate((long) nb * t.bytesPerBlock(), 64);
        for (long i = 0; i < w.byteSize(); i++) {
            w.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
        for (int b = 0; b < nb; b++) {
            for (int off : VectorQuantKernelsPropertyTest.halfScaleOffsets(t)) {
                int h = r.nextInt(0x10000);
                if ((h & 0x7c00) == 0x7c00) {
                    h &= ~0x4000; // not inf or NaN
                }
                w.set(S16, (long) b * t.bytesPerBlock() + off, (short) h);
            }
        }
        return w;
    }

    /** The reference: the original rows through the scalar dequantizePanel. */
    static float[] reference(DType t, int cols, MemorySegment w, int j0, int n, int k0, int kc, int width) {
        float[] want = new float[kc * width];
        long rowBytes = t.byteSize(cols);
        SPEC.dequantizePanel(t, n, k0, kc, w, rowBytes * j0, rowBytes, want, 0, width);
        return want;
    }

    static void assertSame(float[] want, float[] got, int off, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[off + i])) {
                assertEquals(want[i], got[off + i], what + ": index " + i + " (bits " + Integer.toHexString(Float.floatToRawIntBits(want[i]))
                        + " vs " + Integer.toHexString(Float.floatToRawIntBits(got[off + i])) + ")");
                throw new AssertionError(what + ": index " + i + " differs in its bits");
            }
        }
    }

    /** Nothing written outside [off, off + len) of a NaN-filled array. */
    static void assertUntouched(float[] a, int off, int len, String what) {
        for (int i = 0; i < a.length; i++) {
            if ((i < off || i >= off + len) && !Float.isNaN(a[i])) {
                throw new AssertionError(what + ": wrote index " + i + " outside [" + off + ", " + (off + len) + ")");
            }
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void bPanelsFromPanelsEqualTheOriginalRows(int bits, DType t) {
        QuantKernels k = kernels(bits);
        for (int cols : cols(t)) {
            for (int rows : new int[] {16, 17, 33, 53}) {
                String name = "q4panels-prefill-" + t + "-" + bits + "-" + rows + "x" + cols;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment w = rows(arena, t, rows, cols, r);
                    MemorySegment p = Q4Panels.pack(t, rows, cols, w, 0, arena);
                    // as the GEMMs call it: B panels of width columns, 256-deep slices (the last one shorter)
                    for (int width : new int[] {4, 8, 16, 32}) {
                        for (int j0 = 0; j0 < rows; j0 += width) {
                            int n = Math.min(width, rows - j0);
                            for (int k0 = 0; k0 < cols; k0 += BPanelSource.DEPTH_ALIGN) {
                                int kc = Math.min(BPanelSource.DEPTH_ALIGN, cols - k0);
                                check(k, t, rows, cols, w, p, j0, n, k0, kc, width, r, name + " seed=" + seed);
                            }
                        }
                    }
                    // random row ranges (any start) and depth slices of whole blocks
                    int bs = t.blockSize();
                    for (int i = 0; i < 12; i++) {
                        int width = 1 + r.nextInt(40);
                        int j0 = r.nextInt(rows);
                        int n = Math.min(rows - j0, r.nextInt(width + 1));
                        int k0 = bs * r.nextInt(cols / bs);
                        int kc = bs * (1 + r.nextInt((cols - k0) / bs));
                        check(k, t, rows, cols, w, p, j0, n, k0, kc, width, r, name + " random " + i + " seed=" + seed);
                    }
                }
            }
        }
    }

    private static void check(QuantKernels k, DType t, int rows, int cols, MemorySegment w, MemorySegment p, int j0, int n,
                              int k0, int kc, int width, SplittableRandom r, String name) {
        String what = name + " " + k.name() + " rows " + j0 + "+" + n + " depth " + k0 + "+" + kc + " width " + width;
        float[] want = reference(t, cols, w, j0, n, k0, kc, width);
        int off = r.nextInt(7);
        float[] got = new float[off + kc * width + 5];
        Arrays.fill(got, Float.NaN);
        Q4Panels.dequantizeB(k, t, rows, cols, p, w, 0, j0, n, k0, kc, got, off, width);
        assertSame(want, got, off, what + " (dequantizeB)");
        assertUntouched(got, off, kc * width, what + " (dequantizeB)");
        int packed = rows / 16 * 16;
        if (j0 + n <= packed) { // the kernel itself, on panel rows only
            Arrays.fill(got, Float.NaN);
            k.dequantizeFromPanels(t, cols, k0, kc, p, 0, j0, n, got, off, width);
            assertSame(want, got, off, what + " (dequantizeFromPanels)");
            assertUntouched(got, off, kc * width, what + " (dequantizeFromPanels)");
        }
    }

    /** Panels at a byte offset inside a larger segment: the kernel honours pOff. */
    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void panelsAtAnOffset(int bits, DType t) {
        QuantKernels k = kernels(bits);
        int rows = 48;
        int cols = t == DType.Q4_0 || t == DType.Q8_0 ? 128 : 512;
        long seed = Gen.seed("q4panels-prefill-offset-" + t + "-" + bits);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = rows(arena, t, rows, cols, r);
            MemorySegment p = Q4Panels.pack(t, rows, cols, w, 0, arena);
            long pOff = 40;
            MemorySegment shifted = arena.allocate(p.byteSize() + pOff + 8, 64);
            MemorySegment.copy(p, 0, shifted, pOff, p.byteSize());
            float[] want = reference(t, cols, w, 9, 30, 0, cols, 32);
            float[] got = new float[cols * 32];
            k.dequantizeFromPanels(t, cols, 0, cols, shifted, pOff, 9, 30, got, 0, 32);
            assertSame(want, got, 0, k.name() + " " + t + " at byte offset " + pOff + " seed=" + seed);
        }
    }

    @Test
    void rejectsBadArguments() {
        try (Arena arena = Arena.ofConfined()) {
            int cols = 256;
            MemorySegment p = arena.allocate(2 * Q4Panels.panelBytes(DType.Q4_K, cols));
            float[] panel = new float[cols * 32];
            for (QuantKernels k : new QuantKernels[] {SPEC, QuantKernelsAtWidth.vector(256, true)}) {
                // a slice that splits a super-block, rows wider than the panel, rows past the last panel, depth past the row
                assertThrows(IllegalArgumentException.class, () -> k.dequantizeFromPanels(DType.Q4_K, cols, 0, 32, p, 0, 0, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.dequantizeFromPanels(DType.Q4_K, cols, 0, 256, p, 0, 0, 17, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.dequantizeFromPanels(DType.Q4_K, cols, 0, 256, p, 0, 20, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.dequantizeFromPanels(DType.Q4_K, cols, 256, 256, p, 0, 0, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.dequantizeFromPanels(DType.Q5_0, cols, 0, 256, p, 0, 0, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> Q4Panels.dequantizeB(k, DType.Q4_K, 32, cols, p, p, 0, 24, 16, 0, 256, panel, 0, 16));
            }
        }
    }
}
