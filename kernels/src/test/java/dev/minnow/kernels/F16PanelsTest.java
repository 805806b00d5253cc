package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.kernels.vector.GemmMicro;
import dev.minnow.kernels.vector.VectorKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 16-row F16 panels ({@link F16Panels}): the specification against the row GEMV within the reassociation bound, and
 * every vector width, with and without FMA, with one and two panel streams, bit for bit against the specification
 * (the activations hold F16 values, as the decode path rounds them); the prefill's B panels from the panels exactly
 * the halves widened; packing refuses infinite and NaN halves and short buffers.
 */
class F16PanelsTest {
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final int[][] SHAPES = {{16, 4}, {32, 8}, {48, 64}, {37, 96}, {112, 256}, {16, 7}, {80, 1000}, {0, 8}};

    static Stream<Arguments> kernels() {
        Stream<Arguments> vec = Stream.of(128, 256, 512).flatMap(bits -> Stream.of(true, false).flatMap(fma -> Stream.of(1, 2)
                .map(streams -> Arguments.of(bits + "-fma" + fma + "-x" + streams,
                        new VectorKernels(bits, fma, GemmMicro.forWidth(bits), streams)))));
        return Stream.concat(Stream.of(Arguments.of("scalar", ScalarKernels.INSTANCE)), vec);
    }

    /** Random finite halves (normals of either sign, some zeros and subnormals). */
    static MemorySegment halves(Arena arena, int n, SplittableRandom r) {
        MemorySegment w = arena.allocate(2L * Math.max(n, 1), 64);
        for (int i = 0; i < n; i++) {
            short h = switch (r.nextInt(16)) {
                case 0 -> (short) (r.nextBoolean() ? 0 : 0x8000);
                case 1 -> (short) ((r.nextBoolean() ? 0x8000 : 0) | (1 + r.nextInt(0x3ff))); // subnormal
                default -> Float.floatToFloat16((float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(9) - 4)));
            };
            w.setAtIndex(S16, i, h);
        }
        return w;
    }

    /** Activations rounded to F16, as the decode path's are. */
    static MemorySegment activations(Arena arena, int n, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16((float) r.nextGaussian()));
        }
        return Gen.segment(arena, x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void gemvBitExactWithSpecAndNearRowGemv(String name, Kernels k) {
        for (int[] shape : SHAPES) {
            int rows = shape[0], cols = shape[1];
            String label = "f16panels-" + name + "-" + rows + "x" + cols;
            long seed = Gen.seed(label);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = halves(arena, rows * cols, r);
                MemorySegment x = activations(arena, cols, r);
                MemorySegment p = F16Panels.pack(rows, cols, w, 0, arena);
                int n = rows / 16;
                MemorySegment want = arena.allocate(4L * Math.max(rows, 1));
                MemorySegment got = arena.allocate(4L * Math.max(rows, 1));
                F16Panels.gemvSpec(0, n, cols, p, 0, x, 0, want, 0);
                F16Panels.gemv(k, rows, cols, p, w, 0, x, 0, got, 0);
                MemorySegment rowsY = arena.allocate(4L * Math.max(rows, 1));
                ScalarKernels.INSTANCE.gemvF16(rows, cols, w, 0, x, 0, rowsY, 0);
                for (int row = 0; row < rows; row++) {
                    float g = got.getAtIndex(Gen.F32, row), rd = rowsY.getAtIndex(Gen.F32, row);
                    if (row < 16 * n) {
                        float s = want.getAtIndex(Gen.F32, row);
                        assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(g), label + " row " + row + ": spec " + s + ", got " + g + " seed=" + seed);
                    }
                    double mag = 0;
                    for (int c = 0; c < cols; c++) {
                        mag += Math.abs(Float.float16ToFloat(w.getAtIndex(S16, (long) row * cols + c)) * x.getAtIndex(Gen.F32, c));
                    }
                    // same exact products, another summation order: within twice the sequential sum's error bound
                    double bound = 2 * cols * 0x1p-24 * mag + 1e-30;
                    assertTrue(Math.abs(g - rd) <= bound, label + " row " + row + ": panels " + g + ", rows " + rd + ", bound " + bound + " seed=" + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void prefillPanelsAreTheHalvesWidened(String name, Kernels k) {
        int rows = 53, cols = 96, width = 24;
        String label = "f16panels-b-" + name;
        long seed = Gen.seed(label);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = halves(arena, rows * cols, r);
            MemorySegment p = F16Panels.pack(rows, cols, w, 0, arena);
            // slices that start and end inside panels, cross into the unpacked tail rows, or lie wholly in it
            int[][] cases = {{0, 16, 0, 96}, {3, 20, 8, 40}, {30, 23, 0, 96}, {47, 6, 5, 17}, {48, 5, 0, 96}, {17, 0, 0, 8}};
            for (int[] c : cases) {
                int j0 = c[0], n = c[1], k0 = c[2], kc = c[3];
                float[] panel = new float[kc * width + 7];
                java.util.Arrays.fill(panel, Float.NaN);
                F16Panels.dequantizeB(k, rows, cols, p, w, 0, j0, n, k0, kc, panel, 7, width);
                for (int q = 0; q < kc; q++) {
                    for (int j = 0; j < width; j++) {
                        float want = j < n ? Float.float16ToFloat(w.getAtIndex(S16, (long) (j0 + j) * cols + k0 + q)) : 0f;
                        float got = panel[7 + q * width + j];
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                label + " rows " + j0 + "+" + n + " depth " + k0 + "+" + kc + " at q=" + q + " j=" + j + " seed=" + seed);
                    }
                }
            }
        }
    }

    @Test
    void infiniteOrNanHalfIsNotPacked() {
        for (short bad : new short[] {(short) 0x7c00, (short) 0xfc00, (short) 0x7e01}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(2L * 32 * 8);
                w.setAtIndex(S16, 21L * 8 + 5, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F16Panels.pack(32, 8, w, 0, arena));
                assertTrue(e.getMessage().contains("row 21 column 5"), e.getMessage());
            }
        }
        try (Arena arena = Arena.ofConfined()) { // the rows past the last panel are not packed, so not checked
            MemorySegment w = arena.allocate(2L * 17 * 8);
            w.setAtIndex(S16, 16L * 8, (short) 0x7c00);
            assertEquals(2L * 16 * 8, F16Panels.pack(17, 8, w, 0, arena).byteSize());
        }
    }

    @Test
    void rejectsShortBuffersAndBadRanges() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(2L * 16 * 8 - 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F16Panels.pack(16, 8, w, 0, arena));
            assertTrue(e.getMessage().contains("the buffer has 254"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> F16Panels.panelBytes(0));
            MemorySegment p = arena.allocate(F16Panels.packedBytes(32, 8));
            MemorySegment x = arena.allocate(4 * 8), y = arena.allocate(4 * 48);
            float[] panel = new float[8 * 16];
            for (Kernels k : new Kernels[] {ScalarKernels.INSTANCE, new VectorKernels(256, true)}) {
                assertThrows(IllegalArgumentException.class, () -> k.gemvF16Panels(0, 3, 8, p, 0, x, 0, y, 0));
                assertThrows(IllegalArgumentException.class, () -> k.f16FromPanels(8, 0, 8, p, 0, 20, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.f16FromPanels(8, 4, 8, p, 0, 0, 16, panel, 0, 16));
                assertThrows(IllegalArgumentException.class, () -> k.f16FromPanels(8, 0, 8, p, 0, 0, 17, panel, 0, 16));
            }
            assertThrows(IllegalArgumentException.class, () -> F16Panels.gemv(ScalarKernels.INSTANCE, 48, 8, p, w, 0, x, 0, y, 0));
        }
    }
}
