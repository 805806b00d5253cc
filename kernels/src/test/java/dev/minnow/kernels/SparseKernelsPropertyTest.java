package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.kernels.scalar.ScalarSparseKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SparseKernels}: the Vector API twin against the scalar specification at 128/256/512 bits over awkward
 * sizes ({@link Gen#SIZES} plus random ones; seeds in the messages), and the specification against plain references.
 * The axpys and the column-sparse product are bit-exact (same multiply-then-add per element); the f16 dot and the
 * f16/f32 row-sparse GEMV are within reassociation, |Δ| ≤ n·2⁻²³·Σ|wᵢxᵢ|; quantized rows are bit-exact with the
 * dense {@link QuantKernels#gemv} of the same quantized kernels (the same dot, row for row).
 */
class SparseKernelsPropertyTest {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final SparseKernels SPEC = ScalarSparseKernels.INSTANCE;
    static final int[] Q8_BLOCKS = {0, 1, 2, 3, 7, 8, 9, 17, 33};

    static IntStream sizes() {
        return Gen.sizesWithRandom(4, 3000);
    }

    static Stream<Arguments> widths() {
        return Stream.of(Arguments.of(128, true), Arguments.of(256, true), Arguments.of(256, false), Arguments.of(512, true));
    }

    static MemorySegment f32(Arena a, float[] v, int pad) {
        MemorySegment s = a.allocate(4L * v.length + 4L * pad + 4, 64).asSlice(4L * pad);
        MemorySegment.copy(v, 0, s, F32, 0, v.length);
        return s;
    }

    /** n random f16 values (normal, subnormal and zero; finite) at a byte offset of {@code pad}. */
    static MemorySegment f16(Arena a, SplittableRandom r, int n, int pad) {
        MemorySegment s = a.allocate(2L * n + pad + 2, 64).asSlice(pad);
        for (int i = 0; i < n; i++) {
            float v = switch (r.nextInt(8)) {
                case 0 -> (float) (r.nextGaussian() * 1e-6); // subnormal range of f16
                case 1 -> 0f;
                default -> (float) (r.nextGaussian() * 2);
            };
            s.set(S16, 2L * i, Float.floatToFloat16(v));
        }
        return s;
    }

    /** n random Q8_0 values (random quants, random f16 scales) at byte offset pad. */
    static MemorySegment q8(Arena a, SplittableRandom r, int n, int pad) {
        return VectorQuantKernelsPropertyTest.blocks(a, DType.Q8_0, n / 32, r, false, pad);
    }

    static void assertBits(MemorySegment want, MemorySegment got, int n, String what) {
        for (int i = 0; i < n; i++) {
            float w = want.getAtIndex(F32, i), g = got.getAtIndex(F32, i);
            assertEquals(Float.floatToIntBits(w), Float.floatToIntBits(g), what + " at " + i + ": want " + w + " got " + g);
        }
    }

    @ParameterizedTest(name = "{0} bits fma={1}")
    @MethodSource("widths")
    void axpysBitExact(int bits, boolean fma) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, fma);
        sizes().forEach(n -> {
            String name = "sparse-axpy-" + bits + "-" + n;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena a = Arena.ofConfined()) {
                float[] y0 = Gen.floats(r, n);
                float alpha = (float) r.nextGaussian();
                int pad = r.nextInt(3);
                MemorySegment w32 = f32(a, Gen.floats(r, n), pad), w16 = f16(a, r, n, 2 * pad + 1);
                for (String t : new String[] {"F32", "F16"}) {
                    MemorySegment want = f32(a, y0, 1), got = f32(a, y0, 1);
                    if (t.equals("F32")) {
                        SPEC.axpyF32(n, alpha, w32, 0, want, 0);
                        k.axpyF32(n, alpha, w32, 0, got, 0);
                    } else {
                        SPEC.axpyF16(n, alpha, w16, 0, want, 0);
                        k.axpyF16(n, alpha, w16, 0, got, 0);
                    }
                    assertBits(want, got, n, "axpy" + t + " on " + k.name() + " n=" + n + " seed=" + seed);
                }
            }
        });
        for (int nb : Q8_BLOCKS) {
            String name = "sparse-axpyq8-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena a = Arena.ofConfined()) {
                int n = 32 * nb;
                float[] y0 = Gen.floats(r, n);
                float alpha = (float) r.nextGaussian();
                MemorySegment w = q8(a, r, n, r.nextInt(5));
                MemorySegment want = f32(a, y0, 3), got = f32(a, y0, 3);
                SPEC.axpyQ8_0(n, alpha, w, 0, want, 0);
                k.axpyQ8_0(n, alpha, w, 0, got, 0);
                assertBits(want, got, n, "axpyQ8_0 on " + k.name() + " blocks=" + nb + " seed=" + seed);
            }
        }
    }

    /** axpy4 equals four single-row axpys in order, bit for bit, on the twin and on the specification. */
    @ParameterizedTest(name = "{0} bits fma={1}")
    @MethodSource("widths")
    void axpy4IsFourAxpysInOrder(int bits, boolean fma) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, fma);
        for (DType t : new DType[] {DType.F32, DType.F16, DType.Q8_0}) {
            for (int n : t == DType.Q8_0 ? new int[] {0, 32, 64, 96, 288, 1056} : new int[] {0, 1, 7, 15, 16, 17, 31, 33, 255, 257, 1000}) {
                String name = "sparse-axpy4-" + t + "-" + bits + "-" + n;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment w = matrix(a, t, 5, n, r);
                    long rb = t.byteSize(n);
                    float[] c = Gen.floats(r, 4);
                    long[] o = {rb * r.nextInt(5), rb * r.nextInt(5), rb * r.nextInt(5), rb * r.nextInt(5)};
                    float[] y0 = Gen.floats(r, n);
                    for (SparseKernels impl : new SparseKernels[] {k, SPEC}) {
                        MemorySegment four = f32(a, y0, 1), one = f32(a, y0, 1);
                        impl.axpy4(t, n, w, c[0], o[0], c[1], o[1], c[2], o[2], c[3], o[3], four, 0);
                        for (int j = 0; j < 4; j++) {
                            switch (t) {
                                case F32 -> impl.axpyF32(n, c[j], w, o[j], one, 0);
                                case F16 -> impl.axpyF16(n, c[j], w, o[j], one, 0);
                                default -> impl.axpyQ8_0(n, c[j], w, o[j], one, 0);
                            }
                        }
                        assertBits(one, four, n, "axpy4 " + t + " on " + impl.name() + " n=" + n + " seed=" + seed);
                    }
                }
            }
        }
    }

    /** Every one of the 65536 f16 bit patterns converts as {@link Float#float16ToFloat} does (through axpy with a = 1). */
    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void everyHalfConvertsExactly(int bits) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, true);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(2L * 65536, 64);
            for (int i = 0; i < 65536; i++) {
                w.set(S16, 2L * i, (short) i);
            }
            MemorySegment y = a.allocate(4L * 65536, 64);
            k.axpyF16(65536, 1f, w, 0, y, 0);
            for (int i = 0; i < 65536; i++) {
                float want = 0f + Float.float16ToFloat((short) i);
                float got = y.getAtIndex(F32, i);
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got),
                        "half 0x" + Integer.toHexString(i) + " on " + k.name() + ": want " + want + " got " + got);
            }
        }
    }

    static double absDotF16(int n, MemorySegment w, MemorySegment x) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs((double) Float.float16ToFloat(w.get(S16, 2L * i)) * x.getAtIndex(F32, i));
        }
        return s;
    }

    @ParameterizedTest(name = "{0} bits fma={1}")
    @MethodSource("widths")
    void dotF16WithinReassociation(int bits, boolean fma) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, fma);
        sizes().forEach(n -> {
            String name = "sparse-dotf16-" + bits + "-" + fma + "-" + n;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment w = f16(a, r, n, 2 * r.nextInt(3) + r.nextInt(2));
                MemorySegment x = f32(a, Gen.floats(r, n), r.nextInt(3));
                float want = SPEC.dotF16(n, w, 0, x, 0);
                float got = k.dotF16(n, w, 0, x, 0);
                double exact = 0;
                for (int i = 0; i < n; i++) {
                    exact += (double) Float.float16ToFloat(w.get(S16, 2L * i)) * x.getAtIndex(F32, i);
                }
                double bound = (n + 1) * 0x1p-23 * absDotF16(n, w, x) + 1e-30;
                String msg = "dotF16 on " + k.name() + " n=" + n + " seed=" + seed + ": spec " + want + " got " + got + " exact " + exact;
                assertTrue(Math.abs(want - got) <= bound, msg + " bound " + bound);
                assertTrue(Math.abs(want - exact) <= bound, msg + " (spec vs exact)");
            }
        });
    }

    static Stream<Arguments> rowCases() {
        return Stream.of(128, 256, 512).flatMap(bits -> Stream.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0, DType.Q4_K)
                .map(t -> Arguments.of(bits, t)));
    }

    /** A matrix of {@code rows} random rows of {@code cols} values of type t (quantized: random blocks, valid scales). */
    static MemorySegment matrix(Arena a, DType t, int rows, int cols, SplittableRandom r) {
        return switch (t) {
            case F32 -> f32(a, Gen.floats(r, rows * cols), 0);
            case F16 -> f16(a, r, rows * cols, 0);
            default -> VectorQuantKernelsPropertyTest.blocks(a, t, rows * cols / t.blockSize(), r, false, 0);
        };
    }

    /**
     * gemvRows with an index list equals the dense GEMV's rows: quantized rows bit for bit against
     * {@link QuantKernels#gemv} of the same quantized kernels, f32/f16 rows within reassociation of a double
     * reference (f16: x rounded through f16 first); the vector twin also agrees with the specification.
     */
    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("rowCases")
    void gemvRowsMatchesDenseRows(int bits, DType t) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, true);
        QuantKernels q = QuantKernelsAtWidth.vector(bits, true);
        int block = t.isQuantized() ? t.blockSize() : 1;
        for (int cols : t.isQuantized() ? new int[] {block, 2 * block, 3 * block, 9 * block} : new int[] {1, 7, 17, 33, 257}) {
            for (int rowsN : new int[] {1, 5, 40, 97}) {
                String name = "sparse-gemvrows-" + t + "-" + bits + "-" + cols + "-" + rowsN;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena a = Arena.ofShared()) {
                    MemorySegment w = matrix(a, t, rowsN, cols, r);
                    MemorySegment x = f32(a, Gen.floats(r, cols), 0);
                    int count = 1 + r.nextInt(2 * rowsN); // repeats allowed
                    int[] idx = r.ints(count, 0, rowsN).toArray();
                    MemorySegment got = a.allocate(4L * count + 8, 64), spec = a.allocate(4L * count + 8, 64);
                    k.gemvRows(t, count, idx, cols, w, 0, x, 0, got, 1);
                    SPEC.gemvRows(t, count, idx, cols, w, 0, x, 0, spec, 1);
                    String ctx = "gemvRows " + t + " on " + k.name() + " cols=" + cols + " rows=" + rowsN + " seed=" + seed;
                    if (t.isQuantized()) {
                        MemorySegment dense = a.allocate(4L * rowsN, 64), denseSpec = a.allocate(4L * rowsN, 64);
                        q.gemv(t, rowsN, cols, w, 0, x, 0, dense, 0);
                        ScalarQuantKernels.INSTANCE.gemv(t, rowsN, cols, w, 0, x, 0, denseSpec, 0);
                        for (int j = 0; j < count; j++) {
                            assertEquals(Float.floatToIntBits(dense.getAtIndex(F32, idx[j])), Float.floatToIntBits(got.getAtIndex(F32, 1 + j)),
                                    ctx + " entry " + j + " (row " + idx[j] + ") vs dense gemv");
                            assertEquals(Float.floatToIntBits(denseSpec.getAtIndex(F32, idx[j])), Float.floatToIntBits(spec.getAtIndex(F32, 1 + j)),
                                    ctx + " entry " + j + " (row " + idx[j] + "): spec vs dense spec gemv");
                        }
                    } else {
                        for (int j = 0; j < count; j++) {
                            double exact = 0, abs = 0;
                            long base = t.byteSize((long) idx[j] * cols);
                            for (int i = 0; i < cols; i++) {
                                float xi = x.getAtIndex(F32, i);
                                double wi;
                                if (t == DType.F16) {
                                    xi = Float.float16ToFloat(Float.floatToFloat16(xi));
                                    wi = Float.float16ToFloat(w.get(S16, base + 2L * i));
                                } else {
                                    wi = w.get(F32, base + 4L * i);
                                }
                                exact += wi * xi;
                                abs += Math.abs(wi * xi);
                            }
                            double bound = (cols + 1) * 0x1p-23 * abs + 1e-30;
                            float g = got.getAtIndex(F32, 1 + j), s = spec.getAtIndex(F32, 1 + j);
                            assertTrue(Math.abs(g - exact) <= bound && Math.abs(s - exact) <= bound,
                                    ctx + " entry " + j + ": exact " + exact + " vector " + g + " spec " + s + " bound " + bound);
                        }
                    }
                    // identity rows (null index list)
                    MemorySegment all = a.allocate(4L * rowsN, 64);
                    k.gemvRows(t, rowsN, null, cols, w, 0, x, 0, all, 0);
                    MemorySegment viaIdx = a.allocate(4L * rowsN, 64);
                    k.gemvRows(t, rowsN, IntStream.range(0, rowsN).toArray(), cols, w, 0, x, 0, viaIdx, 0);
                    if (t != DType.F32) { // F16 and quantized rows: the same row kernel either way
                        assertBits(viaIdx, all, rowsN, ctx + " identity");
                    } else { // packed F32 rows go through the dense GEMV (four rows per pass), listed ones through dot
                        for (int j = 0; j < rowsN; j++) {
                            double exact = 0, abs = 0;
                            for (int i = 0; i < cols; i++) {
                                double p = (double) w.get(F32, 4L * ((long) j * cols + i)) * x.getAtIndex(F32, i);
                                exact += p;
                                abs += Math.abs(p);
                            }
                            double bound = (cols + 1) * 0x1p-23 * abs + 1e-30;
                            assertTrue(Math.abs(all.getAtIndex(F32, j) - exact) <= bound,
                                    ctx + " packed row " + j + ": exact " + exact + " got " + all.getAtIndex(F32, j));
                        }
                    }
                }
            }
        }
    }

    static Stream<Arguments> axpyRowCases() {
        return Stream.of(128, 256, 512).flatMap(bits -> Stream.of(DType.F32, DType.F16, DType.Q8_0).map(t -> Arguments.of(bits, t)));
    }

    /**
     * axpyRows: bit-exact between the twins and whatever the thread count, and within reassociation of a double
     * reference Σ_j coef_j·W[r_j, :].
     */
    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("axpyRowCases")
    void axpyRowsMatchesReference(int bits, DType t) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, true);
        int[] ns = t == DType.Q8_0 ? new int[] {0, 32, 96, 256, 288, 1024, 2080} : new int[] {0, 1, 7, 33, 255, 257, 1000, 2049};
        for (int n : ns) {
            String name = "sparse-axpyrows-" + t + "-" + bits + "-" + n;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int rowsN = 1 + r.nextInt(60);
            try (Arena a = Arena.ofShared()) {
                MemorySegment w = matrix(a, t, rowsN, n, r);
                int count = r.nextInt(2 * rowsN + 1);
                int[] idx = r.ints(count, 0, rowsN).toArray();
                float[] coef = Gen.floats(r, count);
                MemorySegment got = a.allocate(4L * n + 8, 64), spec = a.allocate(4L * n + 8, 64), one = a.allocate(4L * n + 8, 64);
                got.fill((byte) 0x55); // overwritten, not accumulated into
                k.axpyRows(t, count, idx, coef, n, w, 0, got, 2);
                SPEC.axpyRows(t, count, idx, coef, n, w, 0, spec, 2);
                Parallel.withThreads(1, () -> k.axpyRows(t, count, idx, coef, n, w, 0, one, 2));
                String ctx = "axpyRows " + t + " on " + k.name() + " n=" + n + " count=" + count + " seed=" + seed;
                assertBits(spec.asSlice(8), got.asSlice(8), n, ctx + " vector vs spec");
                assertBits(got.asSlice(8), one.asSlice(8), n, ctx + " 1 thread vs " + Parallel.threads());
                float[] row = new float[n];
                for (int i = 0; i < n; i++) {
                    double exact = 0, abs = 0;
                    for (int j = 0; j < count; j++) {
                        double wv = weight(t, w, idx[j], n, i);
                        exact += coef[j] * wv;
                        abs += Math.abs(coef[j] * wv);
                    }
                    double bound = (count + 2) * 0x1p-23 * abs + 1e-30;
                    float g = got.getAtIndex(F32, 2 + i);
                    assertTrue(Math.abs(g - exact) <= bound, ctx + " element " + i + ": exact " + exact + " got " + g);
                }
            }
        }
    }

    /**
     * axpyPanelsQ8_0 on a random Q8_0 matrix rewritten in panel layout equals axpyRows of the specification on the
     * row layout bit for bit (the same products and additions in the same order), at every width, whatever the
     * thread count; odd block counts (a last panel of one block) included.
     */
    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void axpyPanelsEqualAxpyRowsOnTheRowLayout(int bits) {
        SparseKernels k = SparseKernelsAtWidth.vector(bits, true);
        for (int n : new int[] {0, 32, 64, 96, 256, 288, 1024, 2080}) {
            String name = "sparse-axpypanels-" + bits + "-" + n;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int rowsN = 1 + r.nextInt(80);
            try (Arena a = Arena.ofShared()) {
                MemorySegment w = matrix(a, DType.Q8_0, rowsN, n, r);
                MemorySegment panels = a.allocate(Math.max(1, DType.Q8_0.byteSize((long) rowsN * n)) + 5, 64).asSlice(5);
                for (int row = 0; row < rowsN; row++) {
                    for (int b = 0; b < n / 32; b++) {
                        MemorySegment.copy(w, DType.Q8_0.byteSize((long) row * n) + 34L * b, panels,
                                SparseKernels.panelOffset(n, rowsN, row, b), 34);
                    }
                }
                int count = r.nextInt(2 * rowsN + 1);
                int[] idx = r.ints(count, 0, rowsN).sorted().toArray();
                float[] coef = Gen.floats(r, count);
                MemorySegment want = a.allocate(4L * n + 8, 64), got = a.allocate(4L * n + 8, 64), spec = a.allocate(4L * n + 8, 64),
                        one = a.allocate(4L * n + 8, 64);
                got.fill((byte) 0x55);
                SPEC.axpyRows(DType.Q8_0, count, idx, coef, n, w, 0, want, 1);
                k.axpyPanelsQ8_0(count, idx, coef, n, rowsN, panels, 0, got, 1);
                SPEC.axpyPanelsQ8_0(count, idx, coef, n, rowsN, panels, 0, spec, 1);
                Parallel.withThreads(1, () -> k.axpyPanelsQ8_0(count, idx, coef, n, rowsN, panels, 0, one, 1));
                String ctx = "axpyPanelsQ8_0 on " + k.name() + " n=" + n + " rows=" + rowsN + " count=" + count + " seed=" + seed;
                assertBits(want.asSlice(4), spec.asSlice(4), n, ctx + " spec vs axpyRows");
                assertBits(want.asSlice(4), got.asSlice(4), n, ctx + " vector vs axpyRows");
                assertBits(got.asSlice(4), one.asSlice(4), n, ctx + " 1 thread vs " + Parallel.threads());
                if (rowsN > 0) {
                    assertThrows(IllegalArgumentException.class, () -> k.axpyPanelsQ8_0(1, new int[] {rowsN}, new float[1], n, rowsN,
                            panels, 0, got, 1), ctx + ": row index past the matrix");
                }
            }
        }
    }

    static double weight(DType t, MemorySegment w, int r, int n, int i) {
        long base = t.byteSize((long) r * n);
        return switch (t) {
            case F32 -> w.get(F32, base + 4L * i);
            case F16 -> Float.float16ToFloat(w.get(S16, base + 2L * i));
            default -> {
                long o = base + 34L * (i / 32);
                yield Float.float16ToFloat(w.get(S16, o)) * w.get(ValueLayout.JAVA_BYTE, o + 2 + i % 32);
            }
        };
    }

    @Test
    void rejectsBadArguments() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment w = a.allocate(4L * 64, 64), x = a.allocate(4L * 16, 64), y = a.allocate(4L * 16, 64);
            assertThrows(IllegalArgumentException.class, () -> SPEC.gemvRows(DType.F32, 1, new int[] {4}, 16, w, 0, x, 0, y, 0),
                    "row 4 of a 4-row matrix");
            assertThrows(IllegalArgumentException.class, () -> SPEC.gemvRows(DType.F32, 1, new int[] {-1}, 16, w, 0, x, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.gemvRows(DType.F32, 2, new int[] {0}, 16, w, 0, x, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.gemvRows(DType.Q8_0, 1, null, 16, w, 0, x, 0, y, 0),
                    "16 is not a whole Q8_0 block");
            assertThrows(IllegalArgumentException.class, () -> SPEC.gemvRows(DType.BF16, 1, null, 16, w, 0, x, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.axpyRows(DType.Q8_0, 1, new int[] {0}, new float[1], 16, w, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.axpyRows(DType.F32, 1, new int[] {0}, new float[0], 16, w, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.axpyRows(DType.F32, 1, new int[] {5}, new float[1], 16, w, 0, y, 0));
            assertThrows(IllegalArgumentException.class, () -> SPEC.axpyRows(DType.Q4_0, 1, new int[] {0}, new float[1], 32, w, 0, y, 0));
        }
    }

    @Test
    void providerMatchesTheDenseKernels() {
        SparseKernels s = KernelProvider.sparse();
        assertEquals(KernelProvider.get().vectorBits(), s.vectorBits(), s.name() + " vs " + KernelProvider.get().name());
        for (int bits : new int[] {128, 256, 512}) {
            assertEquals(bits, SparseKernelsAtWidth.vector(bits, true).vectorBits());
        }
    }
}
