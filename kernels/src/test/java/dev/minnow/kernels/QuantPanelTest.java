package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link QuantKernels#dequantizePanel} in every implementation and width: every value bit-identical to ggml's
 * dequantize_row_* (the scalar {@code dequantizeBlock}) at its transposed place, zero columns past the rows, and
 * nothing written outside the panel; slices that start inside the row (k0 &gt; 0), partial panels, whole ones.
 */
class QuantPanelTest {

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("dev.minnow.kernels.VectorQuantKernelsPropertyTest#cases")
    void panelsAreTransposedDequantizedRows(int bits, DType t) {
        for (QuantKernels k : new QuantKernels[] {ScalarQuantKernels.INSTANCE, QuantKernelsAtWidth.vector(bits, true)}) {
            int bs = t.blockSize();
            int[][] shapes = {{1, 0, bs, 4}, {7, bs, 2 * bs, 16}, {16, 256, 256, 16}, {13, 0, 512, 32}, {32, 256, 768, 32}};
            for (int[] s : shapes) {
                int rows = s[0], k0 = s[1], kc = s[2], width = s[3];
                int cols = 1024;
                String name = "qpanel-" + t + "-" + bits + "-" + Arrays.toString(s);
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena arena = Arena.ofConfined()) {
                    long rowBytes = t.byteSize(cols);
                    int nb = (int) (rowBytes * rows / t.bytesPerBlock());
                    MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, t, nb, r, false, 3);
                    int off = 5;
                    float[] panel = new float[off + kc * width + 3];
                    Arrays.fill(panel, Float.NaN);
                    k.dequantizePanel(t, rows, k0, kc, w, 0, rowBytes, panel, off, width);
                    float[] block = new float[bs];
                    for (int row = 0; row < rows; row++) {
                        for (int b = 0; b < kc / bs; b++) {
                            ScalarQuantKernels.dequantizeBlock(t, w, rowBytes * row + (long) (k0 / bs + b) * t.bytesPerBlock(), block);
                            for (int j = 0; j < bs; j++) {
                                int p = b * bs + j;
                                assertEquals(Float.floatToRawIntBits(block[j]), Float.floatToRawIntBits(panel[off + p * width + row]),
                                        k.name() + " " + t + " row " + row + " depth " + (k0 + p) + " seed=" + seed);
                            }
                        }
                    }
                    for (int p = 0; p < kc; p++) {
                        for (int j = rows; j < width; j++) {
                            assertEquals(0f, panel[off + p * width + j], k.name() + " " + t + " padding column " + j + " seed=" + seed);
                        }
                    }
                    for (int i = 0; i < off; i++) {
                        assertEquals(Float.NaN, panel[i], k.name() + " wrote before the panel");
                    }
                    for (int i = off + kc * width; i < panel.length; i++) {
                        assertEquals(Float.NaN, panel[i], k.name() + " wrote after the panel");
                    }
                }
            }
        }
    }

    /**
     * F16 rows (the F16 prefill's B panels): every value bit for bit {@link Float#float16ToFloat} of its half at the
     * transposed place, over halves of every class (normals, subnormals, ±0, ±∞, quiet and signalling NaNs with their
     * payloads), slices at any depth (a half is its own block) and lengths around the vector widths; and over finite
     * halves only (subnormals, ±0 and the extreme normals among them), the runs the vector kernels convert without
     * their inf/NaN fallback.
     */
    @ParameterizedTest(name = "{0} bits")
    @org.junit.jupiter.params.provider.ValueSource(ints = {128, 256, 512})
    void f16PanelsAreTransposedHalves(int bits) {
        for (QuantKernels k : new QuantKernels[] {ScalarQuantKernels.INSTANCE, QuantKernelsAtWidth.vector(bits, true)}) {
            // depths that are multiples of 8 go through 8-row strips of 128 (whole, partial: 1000, 136, 64), others not
            int[][] shapes = {{1, 0, 1, 4}, {7, 3, 17, 16}, {16, 256, 256, 16}, {13, 1, 255, 32}, {32, 5, 33, 32}, {9, 0, 1000, 16},
                    {32, 3, 136, 32}, {12, 0, 64, 16}};
            for (int run = 0; run < 2 * shapes.length; run++) {
                int[] s = shapes[run % shapes.length];
                boolean finite = run >= shapes.length;
                int rows = s[0], k0 = s[1], kc = s[2], width = s[3];
                int cols = 1029;
                String name = "f16panel-" + bits + "-" + Arrays.toString(s) + (finite ? "-finite" : "");
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena arena = Arena.ofConfined()) {
                    long rowBytes = 2L * cols;
                    MemorySegment w = arena.allocate(rowBytes * rows + 1).asSlice(1); // halves at odd addresses
                    short[] specials = {0x0000, (short) 0x8000, 0x0001, (short) 0x83ff, 0x7c00, (short) 0xfc00, 0x7e00,
                            0x7c01, (short) 0xfd55, 0x7bff, 0x0400};
                    for (long i = 0; i < (long) cols * rows; i++) {
                        short h = r.nextInt(8) == 0 ? specials[r.nextInt(specials.length)] : (short) r.nextInt(1 << 16);
                        if (finite && (h & 0x7c00) == 0x7c00) {
                            h &= ~0x4000;   // exponent 15: a finite half of the same sign and significand
                        }
                        w.set(VectorQuantKernelsPropertyTest.S16, 2 * i, h);
                    }
                    int off = 5;
                    float[] panel = new float[off + kc * width + 3];
                    Arrays.fill(panel, Float.NaN);
                    k.dequantizePanel(DType.F16, rows, k0, kc, w, 0, rowBytes, panel, off, width);
                    for (int row = 0; row < rows; row++) {
                        for (int p = 0; p < kc; p++) {
                            short h = w.get(VectorQuantKernelsPropertyTest.S16, rowBytes * row + 2L * (k0 + p));
                            assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(h)), Float.floatToRawIntBits(panel[off + p * width + row]),
                                    k.name() + " row " + row + " depth " + (k0 + p) + " half 0x" + Integer.toHexString(h & 0xffff) + " seed=" + seed);
                        }
                    }
                    for (int p = 0; p < kc; p++) {
                        for (int j = rows; j < width; j++) {
                            assertEquals(0f, panel[off + p * width + j], k.name() + " padding column " + j + " seed=" + seed);
                        }
                    }
                    assertEquals(Float.NaN, panel[off - 1], k.name() + " wrote before the panel");
                    assertEquals(Float.NaN, panel[off + kc * width], k.name() + " wrote after the panel");
                }
            }
        }
    }

    @Test
    void rejectsSlicesThatSplitBlocks() {
        float[] panel = new float[64 * 16];
        MemorySegment w = MemorySegment.ofArray(new byte[4096]);
        for (QuantKernels k : new QuantKernels[] {ScalarQuantKernels.INSTANCE, QuantKernelsAtWidth.vector(256, true)}) {
            assertThrows(IllegalArgumentException.class, () -> k.dequantizePanel(DType.Q4_0, 4, 16, 32, w, 0, 18, panel, 0, 16));
            assertThrows(IllegalArgumentException.class, () -> k.dequantizePanel(DType.Q4_K, 4, 0, 32, w, 0, 144, panel, 0, 16));
            assertThrows(IllegalArgumentException.class, () -> k.dequantizePanel(DType.Q4_0, 17, 0, 32, w, 0, 18, panel, 0, 16));
        }
    }
}
