package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.kernels.vector.VectorKernels;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The prefill path of a quantized matrix (≥ 8 rows: activations rounded through Q8_0/Q8_K, dequantized weight
 * tiles, f32 GEMM) against the decode path (one integer GEMV per activation row), row by row.
 */
class WeightMatrixTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K", "Q5_K"})
    void prefillTilesAgreeWithIntegerGemv(DType t) {
        long seed = Gen.seed("weightmatrix-prefill-" + t);
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 200; // two tiles, the second partial
        int cols = 512;
        int m = 9;
        try (Arena arena = Arena.ofShared()) {
            long rowBytes = GgmlQuant.rowBytes(t, cols);
            MemorySegment w = quantizedRows(t, rows, cols, r, arena);
            float[] x = Gen.floats(r, m * cols);
            MemorySegment xs = arena.allocate(4L * m * cols, 64);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            WeightMatrix mat = WeightMatrix.of("w", Tensor.wrap(w, t, rows, cols), KernelProvider.get());
            MemorySegment y = arena.allocate(4L * m * rows, 64);
            mat.gemm(m, xs, 0, y, 0);
            MemorySegment yr = arena.allocate(4L * rows, 64);
            float[] deq = new float[cols];
            for (int i = 0; i < m; i++) {
                mat.gemv(xs, (long) i * cols, yr, 0);
                for (int o = 0; o < rows; o++) {
                    GgmlQuant.dequantizeRow(t, w, rowBytes * o, deq, 0, cols);
                    double abs = 0;
                    for (int j = 0; j < cols; j++) {
                        abs += Math.abs(deq[j] * x[i * cols + j]);
                    }
                    float want = yr.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                    float got = y.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * rows + o);
                    // same rounded activations and exact block products on both paths: only f32 summation order differs
                    assertTrue(Math.abs(want - got) <= 1e-5 * abs + 1e-6, t + " row " + i + " out " + o + " seed=" + seed
                            + ": prefill " + got + " vs gemv " + want);
                }
            }
        }
    }

    /** Decode through 16-row panels (Q8_0/Q4_0/Q4_K/Q6_K, rows beyond the last panel by row dots) against the row-dot GEMV. */
    @org.junit.jupiter.api.Test
    void panelsByDefaultOnlyAt512Bits() {
        if (WeightMatrix.QuantMatrix.PANELS_PROPERTY == null) {
            for (int bits : new int[] {0, 128, 256, 512}) {
                QuantKernels qk = new dev.minnow.kernels.scalar.ScalarQuantKernels() {
                    @Override public int vectorBits() { return bits; }
                };
                assertTrue(WeightMatrix.QuantMatrix.panelsByDefault(qk) == (bits == 512), bits + " bits");
            }
        } else {
            assertTrue(WeightMatrix.QuantMatrix.panelsByDefault(KernelProvider.quant())
                    == !"false".equals(WeightMatrix.QuantMatrix.PANELS_PROPERTY), "the property decides");
        }
    }


    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void panelGemvAgreesWithRowDots(DType t) {
        long seed = Gen.seed("weightmatrix-panels-" + t);
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 16 * 5 + 7;
        int cols = 768;
        try (Arena arena = Arena.ofShared()) {
            long rowBytes = GgmlQuant.rowBytes(t, cols);
            MemorySegment w = quantizedRows(t, rows, cols, r, arena);
            float[] x = Gen.floats(r, cols);
            MemorySegment xs = arena.allocate(4L * cols, 64);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            WeightMatrix mat = WeightMatrix.of("w", Tensor.wrap(w, t, rows, cols), KernelProvider.get());
            ((WeightMatrix.QuantMatrix) mat).panels = true; // the default only at 512 bits
            MemorySegment y = arena.allocate(4L * rows, 64);
            mat.gemv(xs, 0, y, 0);
            MemorySegment want = arena.allocate(4L * rows, 64);
            KernelProvider.quant().gemv(t, rows, cols, w, 0, xs, 0, want, 0);
            float[] deq = new float[cols];
            for (int o = 0; o < rows; o++) {
                GgmlQuant.dequantizeRow(t, w, rowBytes * o, deq, 0, cols);
                double abs = 0;
                for (int j = 0; j < cols; j++) {
                    abs += Math.abs(deq[j] * x[j]);
                }
                float a = want.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                float b = y.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                // the same quantized activations and integer block sums: only f32 rounding of the block terms differs
                assertTrue(Math.abs(a - b) <= 1e-5 * abs + 1e-6, t + " out " + o + " seed=" + seed + ": panels " + b
                        + " vs row dots " + a);
                if (o >= 80) {
                    assertTrue(a == b, t + " tail row " + o + " goes through the row dots: " + b + " vs " + a);
                }
            }
        }
    }

    /**
     * F16 through 16-row panels: the decode GEMV (five panels and seven row-GEMV tail rows) against the row GEMV within
     * the reassociation bound, and a prefill batch after packing (B panels from the panels) against the same batch on
     * an unpacked matrix: the same values, only the summation order may differ.
     */
    /** F16 panels only when minnow.decode.panels=true is set: their copy costs seconds on the first token. */
    @org.junit.jupiter.api.Test
    void f16PanelsOnlyWhenAskedFor() {
        assertEquals("true".equals(WeightMatrix.QuantMatrix.PANELS_PROPERTY), WeightMatrix.ConvertingMatrix.panelsByDefault(),
                "at every width: the property alone decides");
    }

    @org.junit.jupiter.api.Test
    void f16PanelsAgreeWithRowsForDecodeAndPrefill() {
        long seed = Gen.seed("weightmatrix-f16-panels");
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 16 * 5 + 7;
        int cols = 320;
        int m = 9;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = arena.allocate(2L * rows * cols, 64);
            for (long i = 0; i < (long) rows * cols; i++) {
                w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) r.nextGaussian()));
            }
            WeightMatrix packed = WeightMatrix.of("w", Tensor.wrap(w, DType.F16, rows, cols), KernelProvider.get());
            WeightMatrix plain = WeightMatrix.of("w", Tensor.wrap(w, DType.F16, rows, cols), KernelProvider.get());
            ((WeightMatrix.ConvertingMatrix) packed).panels = true;
            ((WeightMatrix.ConvertingMatrix) plain).panels = false;
            float[] x = Gen.floats(r, m * cols);
            MemorySegment xs = arena.allocate(4L * m * cols, 64);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            MemorySegment y1 = arena.allocate(4L * m * rows, 64), y2 = arena.allocate(4L * m * rows, 64);
            packed.gemv(xs, 0, y1, 0); // packs
            plain.gemv(xs, 0, y2, 0);
            check("decode", rows, cols, w, x, 0, y1, y2, seed);
            packed.gemm(m, xs, 0, y1, 0);
            plain.gemm(m, xs, 0, y2, 0);
            for (int i = 0; i < m; i++) {
                check("prefill row " + i, rows, cols, w, x, i, y1.asSlice(4L * i * rows), y2.asSlice(4L * i * rows), seed);
            }
        }
    }

    /**
     * The F16 prefill without panels: the halves converted into packed B panels against the 64-row f32 tiles through
     * the ordinary GEMM (the same products, summed in another order), on shapes that leave partial B panels, partial
     * depth slices and partial row blocks, and a k that is not a multiple of the vector width.
     */
    @org.junit.jupiter.api.Test
    void f16PackedPrefillAgreesWithTiles() {
        long seed = Gen.seed("weightmatrix-f16-packed-prefill");
        SplittableRandom r = new SplittableRandom(seed);
        for (int[] shape : new int[][] {{87, 323, 9}, {130, 600, 33}, {16, 64, 8}}) {
            int rows = shape[0], cols = shape[1], m = shape[2];
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = arena.allocate(2L * rows * cols, 64);
                for (long i = 0; i < (long) rows * cols; i++) {
                    w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) r.nextGaussian()));
                }
                WeightMatrix.ConvertingMatrix packed = (WeightMatrix.ConvertingMatrix) WeightMatrix.of("w", Tensor.wrap(w, DType.F16, rows, cols), KernelProvider.get());
                WeightMatrix.ConvertingMatrix tiles = (WeightMatrix.ConvertingMatrix) WeightMatrix.of("w", Tensor.wrap(w, DType.F16, rows, cols), KernelProvider.get());
                packed.panels = tiles.panels = false;
                packed.packedPrefill = true;
                tiles.packedPrefill = false;
                float[] x = Gen.floats(r, m * cols);
                MemorySegment xs = arena.allocate(4L * m * cols, 64);
                MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
                MemorySegment y1 = arena.allocate(4L * m * rows, 64), y2 = arena.allocate(4L * m * rows, 64);
                packed.gemm(m, xs, 0, y1, 0);
                tiles.gemm(m, xs, 0, y2, 0);
                for (int i = 0; i < m; i++) {
                    check(java.util.Arrays.toString(shape) + " prefill row " + i, rows, cols, w, x, i,
                            y1.asSlice(4L * i * rows), y2.asSlice(4L * i * rows), seed);
                }
            }
        }
    }

    private static void check(String what, int rows, int cols, MemorySegment w, float[] x, int xRow, MemorySegment a,
                              MemorySegment b, long seed) {
        for (int o = 0; o < rows; o++) {
            double mag = 0;
            for (int j = 0; j < cols; j++) {
                mag += Math.abs(Float.float16ToFloat(w.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, (long) o * cols + j)) * x[xRow * cols + j]);
            }
            float u = a.getAtIndex(ValueLayout.JAVA_FLOAT, o), v = b.getAtIndex(ValueLayout.JAVA_FLOAT, o);
            assertTrue(Math.abs(u - v) <= 2 * cols * 0x1p-24 * mag + 1e-30, what + " out " + o + ": panels " + u + " vs rows " + v + " seed=" + seed);
            assertTrue(u != 0f, what + " out " + o + " was written");
        }
    }

    /** A short batch (m = 2..7) on a matrix with panels: bit for bit one panel GEMV per row. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void shortBatchOnPanelsIsOneGemvPerRow(DType t) {
        long seed = Gen.seed("weightmatrix-shortbatch-" + t);
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 16 * 3 + 5;
        int cols = 512;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = quantizedRows(t, rows, cols, r, arena);
            WeightMatrix mat = WeightMatrix.of("w", Tensor.wrap(w, t, rows, cols), KernelProvider.get());
            ((WeightMatrix.QuantMatrix) mat).panels = true;
            for (int m : new int[] {2, 5, 7}) {
                float[] x = Gen.floats(r, m * cols);
                MemorySegment xs = arena.allocate(4L * m * cols, 64);
                MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
                MemorySegment y = arena.allocate(4L * m * rows, 64);
                mat.gemm(m, xs, 0, y, 0);
                MemorySegment one = arena.allocate(4L * rows, 64);
                MemorySegment ints = arena.allocate(4L * m * rows, 64);
                KernelProvider.quant().gemm(t, m, rows, cols, w, 0, xs, 0, ints, 0);
                for (int i = 0; i < m; i++) {
                    mat.gemv(xs, (long) i * cols, one, 0);
                    for (int o = 0; o < rows; o++) {
                        float got = y.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * rows + o);
                        assertEquals(one.getAtIndex(ValueLayout.JAVA_FLOAT, o), got, t + " m=" + m + " row " + i + " out " + o + " seed=" + seed);
                        float want = ints.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * rows + o);
                        assertTrue(Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-3, t + " m=" + m + " row " + i + " out " + o
                                + ": panels " + got + " vs integer gemm " + want + " seed=" + seed);
                    }
                }
            }
        }
    }

    /**
     * The packed prefill (weights dequantized into the GEMM's B panels, {@code Kernels.gemmPackedB}) against the old
     * one (dequantized f32 tiles, {@code Kernels.gemm}) for every quantized type, at awkward sizes (257 output rows:
     * partial panels; 768 or 544 columns: three 256-deep slices, or two and one block; m = 33), with the scalar kernels and the vector kernels at
     * 128, 256 and 512 bits. Both multiply the same rounded activations by the same exactly dequantized weights; only
     * the summation order may differ, so |packed − tiles| ≤ 4·(cols + 1)·2⁻²⁴·Σ|a·w| per entry (a rounded). With
     * KC = 256 both run the same slices through the same micro-kernel and were measured bit-identical.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void packedPrefillAgreesWithTiles(DType t) {
        record Impl(Kernels k, QuantKernels q, int rows, int m) {}
        int cols = t.blockSize() == 32 ? 544 : 768; // 32-blocks: a last slice of one block
        Impl[] impls = {
            new Impl(KernelProvider.scalar(), ScalarQuantKernels.INSTANCE, 37, 9),
            new Impl(KernelProvider.get(), KernelProvider.quant(), 257, 33),
            new Impl(new VectorKernels(128, true), KernelProvider.quant(), 257, 8),
            new Impl(new VectorKernels(512, false), KernelProvider.quant(), 70, 13),
        };
        for (Impl impl : impls) {
            int rows = impl.rows(), m = impl.m();
            String name = "weightmatrix-packed-" + t + "-" + impl.k().name();
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofShared()) {
                long rowBytes = GgmlQuant.rowBytes(t, cols);
                MemorySegment w = quantizedRows(t, rows, cols, r, arena);
                float[] x = Gen.floats(r, m * cols);
                MemorySegment xs = arena.allocate(4L * m * cols, 64);
                MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
                WeightMatrix.QuantMatrix mat = new WeightMatrix.QuantMatrix(t, rows, cols, w, impl.q(), impl.k());
                MemorySegment packed = arena.allocate(4L * m * rows, 64);
                MemorySegment tiles = arena.allocate(4L * m * rows, 64);
                mat.prefill(m, xs, 0, packed, 0, true);
                mat.prefill(m, xs, 0, tiles, 0, false);
                // the activations as both paths round them
                DType act = QuantKernels.activationType(t);
                MemorySegment q = arena.allocate(GgmlQuant.rowBytes(act, cols), 64);
                float[] xr = new float[m * cols];
                for (int i = 0; i < m; i++) {
                    GgmlQuant.quantizeRow(act, x, i * cols, q, 0, cols);
                    GgmlQuant.dequantizeRow(act, q, 0, xr, i * cols, cols);
                }
                float[][] deq = new float[rows][cols];
                for (int o = 0; o < rows; o++) {
                    GgmlQuant.dequantizeRow(t, w, rowBytes * o, deq[o], 0, cols);
                }
                for (int i = 0; i < m; i++) {
                    for (int o = 0; o < rows; o++) {
                        double abs = 0;
                        for (int j = 0; j < cols; j++) {
                            abs += Math.abs((double) deq[o][j] * xr[i * cols + j]);
                        }
                        float want = tiles.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * rows + o);
                        float got = packed.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * rows + o);
                        double bound = 4.0 * (cols + 1) * 0x1p-24 * abs + 1e-30;
                        assertTrue(Math.abs(want - got) <= bound, t + " " + impl.k().name() + " row " + i + " out " + o
                                + " seed=" + seed + ": packed " + got + " vs tiles " + want + " (bound " + bound + ")");
                    }
                }
            }
        }
    }

    /** A Q4_0 matrix with an infinite scale is not packed: it decodes with the row dots, infinities and all. */
    @org.junit.jupiter.api.Test
    void nonFiniteScaleFallsBackToRowDots() {
        int rows = 32;
        int cols = 64;
        try (Arena arena = Arena.ofShared()) {
            long rowBytes = GgmlQuant.rowBytes(DType.Q4_0, cols);
            MemorySegment w = arena.allocate(rowBytes * rows, 64);
            float[] row = new float[cols];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    row[j] = (float) r.nextGaussian();
                }
                GgmlQuant.quantizeRow(DType.Q4_0, row, 0, w, rowBytes * i, cols);
            }
            w.set(ValueLayout.JAVA_SHORT_UNALIGNED, rowBytes * 3, (short) 0x7c00); // row 3, block 0: d = +inf
            MemorySegment xs = arena.allocate(4L * cols, 64);
            MemorySegment.copy(Gen.floats(r, cols), 0, xs, ValueLayout.JAVA_FLOAT, 0, cols);
            WeightMatrix mat = WeightMatrix.of("w", Tensor.wrap(w, DType.Q4_0, rows, cols), KernelProvider.get());
            ((WeightMatrix.QuantMatrix) mat).panels = true;
            MemorySegment y = arena.allocate(4L * rows, 64);
            mat.gemv(xs, 0, y, 0);
            MemorySegment want = arena.allocate(4L * rows, 64);
            KernelProvider.quant().gemv(DType.Q4_0, rows, cols, w, 0, xs, 0, want, 0);
            for (int o = 0; o < rows; o++) {
                float a = want.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                float b = y.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                assertTrue(Float.compare(a, b) == 0, "out " + o + ": " + b + " vs row dots " + a);
            }
            assertTrue(!Float.isFinite(y.getAtIndex(ValueLayout.JAVA_FLOAT, 3)), "row 3 has an infinite scale");
        }
    }

    /** Weights in a mapped file: packing gives the file's pages back, and decoding and prefill still read right. */
    @org.junit.jupiter.api.Test
    void mappedWeightsStillReadAfterPacking(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int rows = 48;
        int cols = 256;
        SplittableRandom r = new SplittableRandom(11);
        java.nio.file.Path file = dir.resolve("w.bin");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment src = quantizedRows(DType.Q4_K, rows, cols, r, arena);
            java.nio.file.Files.write(file, src.toArray(ValueLayout.JAVA_BYTE));
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                MemorySegment mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, src.byteSize(), arena);
                WeightMatrix mat = WeightMatrix.of("w", Tensor.wrap(mapped, DType.Q4_K, rows, cols), KernelProvider.get());
                ((WeightMatrix.QuantMatrix) mat).panels = true;
                MemorySegment xs = arena.allocate(4L * cols * 9, 64);
                MemorySegment.copy(Gen.floats(r, cols * 9), 0, xs, ValueLayout.JAVA_FLOAT, 0, cols * 9);
                MemorySegment want = arena.allocate(4L * rows, 64);
                KernelProvider.quant().gemv(DType.Q4_K, rows, cols, src, 0, xs, 0, want, 0);
                MemorySegment y = arena.allocate(4L * rows, 64);
                for (int call = 0; call < 2; call++) { // the first call packs and unloads
                    mat.gemv(xs, 0, y, 0);
                    for (int o = 0; o < rows; o++) {
                        float a = want.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                        float b = y.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                        assertTrue(Math.abs(a - b) <= 1e-4 * Math.abs(a) + 1e-5, "call " + call + " out " + o + ": " + b + " vs " + a);
                    }
                }
                MemorySegment c = arena.allocate(4L * rows * 9, 64);
                mat.gemm(9, xs, 0, c, 0); // the prefill reads the unloaded file pages again
                for (int o = 0; o < rows; o++) {
                    float a = want.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                    float b = c.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                    assertTrue(Math.abs(a - b) <= 1e-4 * Math.abs(a) + 1e-4, "prefill out " + o + ": " + b + " vs " + a);
                }
            }
        }
    }

    /**
     * The first prefill of a matrix that decodes through panels packs them, and from then on the prefill reads them and
     * not the GGML rows: with 64 rows (all in panels) the GGML bytes are overwritten with garbage after packing, and
     * the prefill (m = 8 and 33; the scalar
     * kernels and the vector GEMM at 128, 256 and 512 bits, B panels 4, 8, 16 and 32 wide) still gives bit for bit
     * what it gave from the GGML rows (as did the prefill that packed); a batch of 3 rows gives bit for bit what decoding its rows one by one gave.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void prefillReadsOnlyThePanelsOncePacked(DType t) {
        prefillAfterPacking(t, 64, "weightmatrix-prefill-panels-");
    }

    /**
     * As {@link #prefillReadsOnlyThePanelsOncePacked} with 53 rows: the 5 rows beyond the last panel are still read
     * from the GGML rows (kept intact), the 48 panel rows' GGML bytes are overwritten; at 512 bits one B panel holds
     * the last 16 panel rows and the 5 tail rows.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void prefillReadsTailRowsFromTheGgmlRows(DType t) {
        prefillAfterPacking(t, 53, "weightmatrix-prefill-tail-");
    }

    private static void assertBitIdentical(MemorySegment want, MemorySegment got, int m, int rows, String what) {
        for (long i = 0; i < (long) m * rows; i++) {
            int a = Float.floatToRawIntBits(want.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            int b = Float.floatToRawIntBits(got.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            assertTrue(a == b, what + ", row " + i / rows + " out " + i % rows + ": " + Float.intBitsToFloat(b)
                    + ", from the GGML rows " + Float.intBitsToFloat(a));
        }
    }

    private static void prefillAfterPacking(DType t, int rows, String prefix) {
        record Impl(Kernels k, QuantKernels q) {}
        int cols = t == DType.Q4_0 ? 544 : 768; // 256-deep slices, the last one shorter for Q4_0
        Impl[] impls = {
            new Impl(KernelProvider.scalar(), ScalarQuantKernels.INSTANCE),
            new Impl(KernelProvider.get(), KernelProvider.quant()),
            new Impl(new VectorKernels(128, true), KernelProvider.quant()),
            new Impl(new VectorKernels(256, true), KernelProvider.quant()),
            new Impl(new VectorKernels(512, false), KernelProvider.quant()),
        };
        long rowBytes = GgmlQuant.rowBytes(t, cols);
        long wSeed = Gen.seed(prefix + t);
        byte[] original = quantizedRows(t, rows, cols, new SplittableRandom(wSeed), Arena.ofAuto()).toArray(ValueLayout.JAVA_BYTE);
        for (Impl impl : impls) {
            for (int m : new int[] {8, 33}) {
                String name = prefix + t + "-" + impl.k().name() + "-" + m;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment w = arena.allocate(original.length, 64);
                    MemorySegment.copy(original, 0, w, ValueLayout.JAVA_BYTE, 0, original.length);
                    MemorySegment xs = Gen.segment(arena, Gen.floats(r, m * cols));
                    WeightMatrix.QuantMatrix mat = new WeightMatrix.QuantMatrix(t, rows, cols, w, impl.q(), impl.k());
                    mat.panels = true;
                    mat.prefillFromPanels = false; // the GGML rows, nothing packed
                    MemorySegment before = arena.allocate(4L * m * rows, 64);
                    mat.prefill(m, xs, 0, before, 0, true);
                    mat.prefillFromPanels = true; // the default unless minnow.prefill.fromPanels=false
                    MemorySegment first = arena.allocate(4L * m * rows, 64);
                    mat.prefill(m, xs, 0, first, 0, true); // packs the panels and reads them
                    assertBitIdentical(before, first, m, rows, name + " seeds=" + wSeed + "," + seed + ": the prefill that packed");
                    // garbage where the panel rows were, before any decode: had the first prefill not packed the
                    // panels, the next GEMV would pack this garbage
                    long panelRows = rows / 16 * 16;
                    for (long i = 0; i < rowBytes * panelRows; i++) {
                        w.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
                    }
                    int small = 3; // a batch below F32_GEMM_MIN_ROWS: one panel GEMV per row, as decoding them would
                    MemorySegment intact = arena.allocate(4L * small * rows, 64); // decoded by a matrix over intact rows
                    MemorySegment w0 = arena.allocate(original.length, 64);
                    MemorySegment.copy(original, 0, w0, ValueLayout.JAVA_BYTE, 0, original.length);
                    WeightMatrix.QuantMatrix clean = new WeightMatrix.QuantMatrix(t, rows, cols, w0, impl.q(), impl.k());
                    clean.panels = true;
                    for (int i = 0; i < small; i++) {
                        clean.gemv(xs, (long) i * cols, intact, (long) i * rows);
                    }
                    MemorySegment after = arena.allocate(4L * m * rows, 64);
                    mat.prefill(m, xs, 0, after, 0, true);
                    assertBitIdentical(before, after, m, rows, name + " seeds=" + wSeed + "," + seed + ": after packing");
                    // the batch between two rounds of per-row GEMVs that agree bit for bit: the Vector API adds a float
                    // vector's lanes (reduceLanes(ADD), in the tail rows' dots) in one order interpreted and another
                    // once C2 has compiled the method, so a round that straddles that compile can differ in its last
                    // bits (seen once in five full runs, session 9); such a round is repeated
                    MemorySegment decoded = arena.allocate(4L * small * rows, 64), again = arena.allocate(4L * small * rows, 64);
                    MemorySegment batch = arena.allocate(4L * small * rows, 64);
                    boolean stable = false;
                    for (int attempt = 0; attempt < 10 && !stable; attempt++) {
                        for (int i = 0; i < small; i++) {
                            mat.gemv(xs, (long) i * cols, decoded, (long) i * rows);
                        }
                        mat.gemm(small, xs, 0, batch, 0);
                        for (int i = 0; i < small; i++) {
                            mat.gemv(xs, (long) i * cols, again, (long) i * rows);
                        }
                        stable = decoded.mismatch(again) == -1;
                    }
                    assertTrue(stable, name + ": per-row GEMVs never agreed in 10 rounds, seeds=" + wSeed + "," + seed);
                    for (long i = 0; i < (long) small * rows; i++) {
                        // (against the GEMVs from before the garbage: equal up to that lane order, so nothing read it)
                        float d = decoded.getAtIndex(ValueLayout.JAVA_FLOAT, i), e = intact.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                        assertTrue(Math.abs(d - e) <= 1e-5f * (1 + Math.abs(e)), name + " out " + i + ": " + d + " after the garbage, " + e + " before");
                        int a = Float.floatToRawIntBits(decoded.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                        int b = Float.floatToRawIntBits(batch.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                        assertTrue(a == b, name + " batch of " + small + " row " + i / rows + " out " + i % rows + " seeds=" + wSeed
                                + "," + seed + ": " + Float.intBitsToFloat(b) + ", decoded " + Float.intBitsToFloat(a));
                    }
                }
            }
        }
    }

    /** {@code rows} rows of {@code cols} Gaussian values quantized to {@code t} (llama.cpp's reference quantizers). */
    private static MemorySegment quantizedRows(DType t, int rows, int cols, SplittableRandom r, Arena arena) {
        long rowBytes = GgmlQuant.rowBytes(t, cols);
        MemorySegment w = arena.allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) r.nextGaussian();
            }
            GgmlQuant.quantizeRow(t, row, 0, w, rowBytes * i, cols);
        }
        return w;
    }
}
