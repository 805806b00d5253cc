package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 16-row panel GEMV ({@link Q4Panels}, {@link QuantKernels#gemvQ4Panels}): the scalar specification against
 * llama.cpp's row dots (exactly with power-of-two scales, where every float is exact; within a reassociation bound with
 * random f16 scales), and every vector width, with and without FMA, bit for bit against the scalar specification.
 */
class Q4PanelsTest {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ScalarQuantKernels SPEC = ScalarQuantKernels.INSTANCE;
    static final int[] PANELS = {1, 2, 3, 7, 37}; // 37: the two-panel kernel in several calls (8 pairs each) and one left over

    static Stream<Arguments> types() {
        return Stream.of(DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K).map(Arguments::of);
    }

    /** Every width, with and without FMA, with both ways of reading the activation ({@code minnow.panels.xs}). */
    static Stream<Arguments> widths() {
        return Stream.of(128, 256, 512).flatMap(bits -> Stream.of(true, false).flatMap(fma -> Stream.of("wide", "scalar")
                .flatMap(xs -> Stream.of(DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K).map(t -> Arguments.of(bits, fma, xs, t)))));
    }

    static Stream<Arguments> q4kWidths() {
        return widths().filter(a -> a.get()[3] == DType.Q4_K);
    }

    /** Block counts per row: 1, 2, 7 and 33 blocks of 32 for Q8_0 and Q4_0; 1, 2 and 3 super-blocks of 256 for the K-quants. */
    static int[] cols(DType t) {
        return t == DType.Q4_0 || t == DType.Q8_0 ? new int[] {32, 64, 224, 1056} : new int[] {256, 512, 768};
    }

    /** Activations whose Q8 blocks have power-of-two scales: integers up to ±127 (one of them ±127) times 2^-e. */
    static float[] pow2Activations(SplittableRandom r, int n, int block) {
        float[] x = new float[n];
        float p = (float) Math.scalb(1.0, -r.nextInt(4) - 3);
        for (int i = 0; i < n; i++) {
            x[i] = (r.nextInt(255) - 127) * p;
        }
        for (int b = 0; b < n; b += block) {
            x[b + r.nextInt(block)] = (r.nextBoolean() ? 127 : -127) * p;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void scalarSpecEqualsRowDotsExactlyWithPowerOfTwoScales(DType t) {
        for (int cols : cols(t)) {
            for (int panels : PANELS) {
                String name = "q4panels-exact-" + t + "-" + cols + "-" + panels;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                int rows = 16 * panels + 5; // five rows beyond the panels stay unpacked
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, t, rows * cols / t.blockSize(), r, true, 0);
                    if (t == DType.Q4_K) {
                        smallK4Scales(w, rows * cols / 256, r);
                    }
                    if (t == DType.Q6_K) {
                        smallQ6Scales(w, rows * cols / 256, r);
                    }
                    MemorySegment x = Gen.segment(arena, pow2Activations(r, cols, t.blockSize()));
                    float[] got = panelGemv(SPEC, t, rows, cols, w, x, arena);
                    float[] want = rowDots(t, rows, cols, w, x, arena);
                    for (int row = 0; row < 16 * panels; row++) {
                        assertEquals(want[row], got[row], name + " row " + row + " seed=" + seed);
                    }
                }
            }
        }
    }

    /** 6-bit scales and mins of at most 3 keep Q4_K's float sums far below 2^24 (so they are exact). */
    private static void smallK4Scales(MemorySegment w, int superBlocks, SplittableRandom r) {
        for (int b = 0; b < superBlocks; b++) {
            for (int i = 0; i < 12; i++) {
                w.set(ValueLayout.JAVA_BYTE, 144L * b + 4 + i, (byte) r.nextInt(4));
            }
        }
    }

    /** Q6_K's int8 scales of at most ±3 keep its float sums far below 2^24 (so they are exact). */
    private static void smallQ6Scales(MemorySegment w, int superBlocks, SplittableRandom r) {
        for (int b = 0; b < superBlocks; b++) {
            for (int i = 0; i < 16; i++) {
                w.set(ValueLayout.JAVA_BYTE, 210L * b + 192 + i, (byte) (r.nextInt(7) - 3));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void scalarSpecWithinReassociationBoundOfRowDots(DType t) {
        for (int cols : cols(t)) {
            String name = "q4panels-bound-" + t + "-" + cols;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int rows = 48;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, t, rows * cols / t.blockSize(), r, false, 0);
                float[] xf = Gen.floats(r, cols);
                MemorySegment x = Gen.segment(arena, xf);
                float[] got = panelGemv(SPEC, t, rows, cols, w, x, arena);
                float[] want = rowDots(t, rows, cols, w, x, arena);
                long rowBytes = t.byteSize(cols);
                float[] wb = new float[t.blockSize()];
                for (int row = 0; row < rows; row++) {
                    double mag = 0;
                    for (int b = 0; b < cols / t.blockSize(); b++) {
                        ScalarQuantKernels.dequantizeBlock(t, w, rowBytes * row + (long) b * t.bytesPerBlock(), wb);
                        for (int j = 0; j < wb.length; j++) {
                            mag += Math.abs(wb[j]) * Math.abs(xf[b * wb.length + j]);
                        }
                    }
                    // products and block sums agree; only roundings of the per-block f32 terms and of their sum differ
                    double bound = 8 * (cols / 32 + 2) * 0x1p-24 * mag * 1.05 + 1e-30;
                    assertTrue(Math.abs(got[row] - want[row]) <= bound, name + " row " + row + ": panels " + got[row]
                            + " vs row dot " + want[row] + " bound " + bound + " seed=" + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "{3} at {0} bits, fma={1}, xs={2}")
    @MethodSource("widths")
    void vectorBitExactWithScalarSpec(int bits, boolean fma, String xs, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, fma, "minnow.panels.xs", xs);
        assertEquals(xs.equals("scalar") ? 1 : bits / 32, k.panelLanes(), k.name() + " xs=" + xs);
        checkAgainstSpec(k, t, "q4panels-vec-" + t + "-" + bits + "-" + fma + "-" + xs);
    }

    static Stream<Arguments> levels() {
        return widths().flatMap(a -> Stream.of("convert", "exponent", "shorts").map(l -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], a.get()[3], l)));
    }

    /**
     * Both ways of reading a level ({@code minnow.panels.levels}: converted, or as f32 mantissas with the activation
     * weighted for that and a per-block correction) and both stream counts ({@code minnow.panels.streams}; odd panel
     * counts leave one panel out of the pairs): bit for bit the scalar specification, which also reads the activation
     * as prepared for the vector kernel.
     */
    @ParameterizedTest(name = "{3} at {0} bits, fma={1}, xs={2}, levels={4}")
    @MethodSource("levels")
    void levelsAndStreamsBitExactWithScalarSpec(int bits, boolean fma, String xs, DType t, String levels) {
        // two streams with the broadcast activation (the 512-bit reading), one with pre-broadcast rows: both at each width
        String streams = xs.equals("scalar") ? "2" : "1";
        // "shorts": Q4_0 in 16-bit lanes, the other types as exponent levels; the f32 readings with shorts off
        boolean shorts = levels.equals("shorts");
        QuantKernels k = QuantKernelsAtWidth.vector(bits, fma, java.util.Map.of("minnow.panels.xs", xs,
                "minnow.panels.levels", shorts ? "exponent" : levels, "minnow.panels.streams", streams,
                "minnow.panels.shorts", Boolean.toString(shorts)));
        assertEquals(!levels.equals("convert"), k.panelExponentLevels(), k.name());
        assertEquals(shorts && bits >= 256, k.panelShortLevels(), k.name());
        checkAgainstSpec(k, t, "q4panels-" + levels + "-" + streams + "-" + t + "-" + bits + "-" + fma + "-" + xs);
    }

    /**
     * The Q4_K two-panel kernel as it was before session 18 ({@code minnow.panels.q4kFused=false}: block sums and
     * epilogue methods per super-block) against the specification, at every width; the fused kernel is the default,
     * which {@link #levelsAndStreamsBitExactWithScalarSpec} covers.
     */
    @ParameterizedTest(name = "{3} at {0} bits, fma={1}, xs={2}")
    @MethodSource("q4kWidths")
    void q4kSplitTwoPanelKernelBitExactWithScalarSpec(int bits, boolean fma, String xs, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, fma, java.util.Map.of("minnow.panels.xs", xs,
                "minnow.panels.levels", "exponent", "minnow.panels.streams", "2", "minnow.panels.q4kFused", "false"));
        checkAgainstSpec(k, t, "q4panels-split-" + t + "-" + bits + "-" + fma + "-" + xs);
    }

    /**
     * Kernel {@code k} against the specification over {@link #cols} × {@link #PANELS}, bit for bit; and the
     * specification run on the activation as prepared for {@code k} (its layout: lanes, exponent weights) too.
     */
    private static void checkAgainstSpec(QuantKernels k, DType t, String label) {
        for (int cols : cols(t)) {
            for (int panels : PANELS) {
                String name = label + "-" + cols + "-" + panels;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                int rows = 16 * panels;
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, t, rows * cols / t.blockSize(), r, false, 0);
                    MemorySegment x = Gen.segment(arena, Gen.floats(r, cols));
                    float[] want = panelGemv(SPEC, t, rows, cols, w, x, arena);
                    float[] got = panelGemv(k, t, rows, cols, w, x, arena);
                    MemorySegment p = Q4Panels.pack(t, rows, cols, w, 0, arena);
                    Q4Panels.Activation a = new Q4Panels.Activation();
                    Q4Panels.prepare(k, t, cols, x, 0, a);
                    boolean shorts = (t == DType.Q4_0 || t == DType.Q4_K) && k.panelShortLevels();
                    assertEquals(shorts, a.shorts, name);
                    assertEquals(!shorts && t != DType.Q6_K && t != DType.Q8_0 && k.panelExponentLevels(), a.exponent, name);
                    MemorySegment y = arena.allocate(4L * rows);
                    SPEC.gemvQ4Panels(t, 0, panels, cols, p, 0, a, y, 0);
                    for (int row = 0; row < rows; row++) {
                        assertEquals(want[row], got[row], name + " on " + k.name() + " row " + row + " seed=" + seed);
                        assertEquals(want[row], y.getAtIndex(F32, row), name + " spec on " + k.name() + "'s activation, row " + row + " seed=" + seed);
                    }
                }
            }
        }
    }

    /** Q4_0 scales travel as f16 and are widened in the kernel: zero, negative, subnormal and extreme ones too. */
    @ParameterizedTest(name = "{0} bits")
    @org.junit.jupiter.params.provider.ValueSource(ints = {128, 256, 512})
    void q4_0HalfScalesWidenExactly(int bits) {
        short[] odd = {0, (short) 0x8000, 0x0001, (short) 0x8001, 0x03ff, 0x0400, 0x7bff, (short) 0xfbff, 0x3c00, (short) 0xb800};
        for (String xsMode : new String[] {"wide", "scalar"}) {
            QuantKernels k = QuantKernelsAtWidth.vector(bits, true, "minnow.panels.xs", xsMode);
            String name = "q4panels-halves-" + bits + "-" + xsMode;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int rows = 32;
            int cols = 64;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, DType.Q4_0, rows * 2, r, false, 0);
                for (int b = 0; b < rows * 2; b++) {
                    w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 18L * b, odd[b % odd.length]);
                }
                MemorySegment x = Gen.segment(arena, Gen.floats(r, cols));
                float[] want = panelGemv(SPEC, DType.Q4_0, rows, cols, w, x, arena);
                float[] got = panelGemv(k, DType.Q4_0, rows, cols, w, x, arena);
                for (int row = 0; row < rows; row++) {
                    assertEquals(want[row], got[row], name + " row " + row + " seed=" + seed);
                }
                float[] dots = rowDots(DType.Q4_0, rows, cols, w, x, arena);
                for (int row = 0; row < rows; row++) {
                    assertEquals(dots[row], want[row], Math.abs(dots[row]) * 1e-5 + 1e-30, name + " row " + row + " vs row dots, seed=" + seed);
                }
            }
        }
    }

    /**
     * The 16-bit Q4_0 reading at its largest sums: every level 15 (or 0, or alternating) against activations of ±127
     * in each block, so a short lane sums 16 products of ±1905 (±30480, just inside int16); a nibble read with an
     * arithmetic shift, or a pair sum without sign extension, changes these rows. Bit for bit the specification.
     */
    @ParameterizedTest(name = "{0} bits, streams={1}")
    @org.junit.jupiter.params.provider.CsvSource({"256,1", "256,2", "512,1", "512,2"})
    void q4_0ShortLevelsExactAtTheExtremes(int bits, int streams) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true, java.util.Map.of("minnow.panels.shorts", "true",
                "minnow.panels.streams", Integer.toString(streams), "minnow.panels.levels", "exponent"));
        assertTrue(k.panelShortLevels(), k.name());
        int rows = 48;
        int cols = 96;
        byte[] fill = {(byte) 0xff, 0x00, (byte) 0xf0, 0x0f, (byte) 0xff, (byte) 0xff};
        float[][] acts = {new float[cols], new float[cols], new float[cols]};
        for (int i = 0; i < cols; i++) {
            acts[0][i] = 1f;
            acts[1][i] = -1f;
            acts[2][i] = (i / 4) % 2 == 0 ? 1f : -1f;
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = arena.allocate(18L * rows * cols / 32);
            for (int b = 0; b < rows * cols / 32; b++) {
                w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 18L * b, (short) 0x3c00); // d = 1
                w.asSlice(18L * b + 2, 16).fill(fill[(b / (cols / 32)) % fill.length]);
            }
            for (int v = 0; v < acts.length; v++) {
                String name = "q4panels-short-extremes-" + bits + "-" + streams + "-" + v;
                MemorySegment x = Gen.segment(arena, acts[v]);
                float[] want = panelGemv(SPEC, DType.Q4_0, rows, cols, w, x, arena);
                float[] got = panelGemv(k, DType.Q4_0, rows, cols, w, x, arena);
                float[] dots = rowDots(DType.Q4_0, rows, cols, w, x, arena);
                for (int row = 0; row < rows; row++) {
                    assertEquals(want[row], got[row], name + " row " + row);
                    assertEquals(dots[row], want[row], Math.abs(dots[row]) * 1e-6, name + " row " + row + " vs row dots");
                }
            }
        }
    }

    /** Q8_0 panels keep dotQ8_0Q8_0's operations and order: the specification equals the row dots with any scales. */
    @Test
    void q8_0SpecEqualsRowDotsBitForBitWithAnyScales() {
        for (int cols : cols(DType.Q8_0)) {
            String name = "q4panels-q8-rows-" + cols;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int rows = 48;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, DType.Q8_0, rows * cols / 32, r, false, 0);
                MemorySegment x = Gen.segment(arena, Gen.floats(r, cols));
                float[] got = panelGemv(SPEC, DType.Q8_0, rows, cols, w, x, arena);
                float[] want = rowDots(DType.Q8_0, rows, cols, w, x, arena);
                for (int row = 0; row < rows; row++) {
                    assertEquals(want[row], got[row], name + " row " + row + " seed=" + seed);
                }
            }
        }
    }

    @Test
    void nonFiniteQ8_0ScaleIsNotPacked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(34L * 32); // two panels in a confined arena: packed by this thread
            w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 34L * 23, (short) 0xfe00); // NaN
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Q4Panels.pack(DType.Q8_0, 32, 32, w, 0, arena));
            assertTrue(e.getMessage().contains("non-finite scale"), e.getMessage());
        }
    }

    @Test
    void nonFiniteQ4_0ScaleIsNotPacked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(18L * 16);
            w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 18L * 5, (short) 0x7c00); // +inf
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Q4Panels.pack(DType.Q4_0, 16, 32, w, 0, arena));
            assertTrue(e.getMessage().contains("non-finite scale"), e.getMessage());
        }
    }

    @Test
    void rejectsOtherTypesAndPartialBlocks() {
        assertThrows(IllegalArgumentException.class, () -> Q4Panels.blockBytes(DType.Q5_0));
        assertThrows(IllegalArgumentException.class, () -> Q4Panels.blockBytes(DType.Q4_K));
        assertEquals(544, Q4Panels.blockBytes(DType.Q8_0));
        assertThrows(IllegalArgumentException.class, () -> Q4Panels.packedBytes(DType.Q4_0, 16, 48));
        assertThrows(IllegalArgumentException.class, () -> Q4Panels.packedBytes(DType.Q4_K, 16, 128));
        assertThrows(IllegalArgumentException.class, () -> Q4Panels.packedBytes(DType.Q6_K, 16, 32));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(18L * 15);
            // 16 rows of 32 elements need 16 blocks; the buffer holds 15
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Q4Panels.pack(DType.Q4_0, 16, 32, w, 0, arena));
            assertTrue(e.getMessage().contains("the buffer has 270"), e.getMessage());
        }
    }

    /**
     * prepare skips a row it has just prepared the same way (decode's Q, K and V share one input): one Activation
     * reused over a sequence of rows, types, kernels and offsets (repeats, one value negated, another type with the
     * same activation format, another width) must hold exactly what a fresh Activation gets each time.
     */
    @Test
    void reusedActivationEqualsFreshOne() {
        long seed = 24301L;
        SplittableRandom r = new SplittableRandom(seed);
        QuantKernels[] ks = {SPEC, QuantKernelsAtWidth.vector(512, true, "minnow.panels.xs", "scalar"),
                QuantKernelsAtWidth.vector(256, true, "minnow.panels.xs", "wide")};
        DType[] types = {DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K};
        int cols = 512;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4L * (cols + 64));
            for (int i = 0; i < cols + 64; i++) {
                x.setAtIndex(F32, i, (float) r.nextGaussian());
            }
            Q4Panels.Activation reused = new Q4Panels.Activation();
            for (int step = 0; step < 60; step++) {
                QuantKernels k = ks[r.nextInt(ks.length)];
                DType t = types[r.nextInt(types.length)];
                int off = r.nextInt(4) == 0 ? 32 : 0;
                switch (r.nextInt(4)) {
                    case 0 -> { // the sign of one value
                        int i = r.nextInt(cols + 64);
                        x.setAtIndex(F32, i, Float.intBitsToFloat(Float.floatToRawIntBits(x.getAtIndex(F32, i)) ^ 0x80000000));
                    }
                    case 1 -> k = ks[1];
                    default -> { } // a repeat, mostly
                }
                Q4Panels.Activation fresh = new Q4Panels.Activation();
                Q4Panels.prepare(k, t, cols, x, off, fresh);
                Q4Panels.prepare(k, t, cols, x, off, reused);
                String at = "seed " + seed + ", step " + step + ", " + t + " on " + k.name() + " at offset " + off;
                assertEquals(fresh.lanes, reused.lanes, at);
                assertEquals(fresh.exponent, reused.exponent, at);
                int n = cols * fresh.lanes;
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(fresh.xs, n), java.util.Arrays.copyOf(reused.xs, n), at);
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(fresh.da, cols / 32), java.util.Arrays.copyOf(reused.da, cols / 32), at);
                int cbs = t == DType.Q6_K ? cols / 16 : cols / 32; // the entries the type writes and its kernels read
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(fresh.cb, cbs), java.util.Arrays.copyOf(reused.cb, cbs), at);
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(fresh.ct, cols / 32), java.util.Arrays.copyOf(reused.ct, cols / 32), at);
                org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.weight, reused.weight, at);
            }
        }
    }

    /** Packs the rows into panels and runs the panel GEMV on {@code k} (panels only; rows % 16 stay unset). */
    static float[] panelGemv(QuantKernels k, DType t, int rows, int cols, MemorySegment w, MemorySegment x, Arena arena) {
        MemorySegment p = Q4Panels.pack(t, rows, cols, w, 0, arena);
        Q4Panels.Activation a = new Q4Panels.Activation();
        Q4Panels.prepare(k, t, cols, x, 0, a);
        MemorySegment y = arena.allocate(4L * rows);
        k.gemvQ4Panels(t, 0, rows / 16, cols, p, 0, a, y, 0);
        float[] out = new float[rows];
        MemorySegment.copy(y, F32, 0, out, 0, rows);
        return out;
    }

    /** llama.cpp's way: x quantized to the activation type, one integer row dot per row. */
    static float[] rowDots(DType t, int rows, int cols, MemorySegment w, MemorySegment x, Arena arena) {
        DType act = QuantKernels.activationType(t);
        MemorySegment xq = arena.allocate(act.byteSize(cols));
        SPEC.quantizeActivation(t, cols, x, 0, xq, 0);
        float[] out = new float[rows];
        for (int row = 0; row < rows; row++) {
            out[row] = SPEC.dot(t, cols, w, t.byteSize(cols) * row, xq, 0);
        }
        return out;
    }
}
