package dev.minnow.models.llm;

import dev.minnow.kernels.F16Panels;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A linear layer's weight, {@code rows × cols} = [out, in] as GGUF stores it, viewed in place (never copied).
 * {@link #gemv} computes y = W·x for one activation row, {@link #gemm} C = A·Wᵀ for a batch of rows.
 */
public sealed interface WeightMatrix permits WeightMatrix.F32Matrix, WeightMatrix.QuantMatrix, WeightMatrix.ConvertingMatrix {
    ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    int rows();

    int cols();

    DType type();

    /** y[0..rows) = W · x[0..cols); offsets in floats. */
    void gemv(MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** C[m × rows] = A[m × cols] · Wᵀ, A and C packed (row strides cols and rows); offsets in floats. */
    void gemm(int m, MemorySegment a, long aOff, MemorySegment c, long cOff);

    /** Row r as f32 into {@code out[0..cols)} (embedding lookup). */
    void row(int r, float[] out);

    /** The raw weight bytes (rows of {@code type().byteSize(cols)} bytes), for gathering (sparse decoding). */
    MemorySegment data();

    /**
     * A thread's reusable off-heap buffer of at least {@code bytes}, in an automatic arena so the pool's workers can
     * read it (the scratch of the quantized and converting matrices).
     */
    private static MemorySegment buffer(ThreadLocal<MemorySegment> tl, long bytes) {
        MemorySegment s = tl.get();
        if (s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
            tl.set(s);
        }
        return s;
    }

    /** The matrix over tensor {@code t} of shape [rows, cols]. */
    static WeightMatrix of(String name, Tensor t, Kernels kernels) {
        checkShape(name, t);
        return rowsOf(name, t, 0, (int) t.dim(0), kernels);
    }

    /**
     * Rows {@code [first, first + n)} of tensor {@code t} (shape [rows, cols]) as a matrix, viewed in place: one part
     * of a fused tensor such as Phi-3's {@code attn_qkv} (Q, K, V stacked by rows) or {@code ffn_up} (gate, then up).
     * Whole rows hold whole blocks, so any row range of a quantized tensor is itself a valid quantized matrix.
     */
    static WeightMatrix rowsOf(String name, Tensor t, int first, int n, Kernels kernels) {
        checkShape(name, t);
        int rows = (int) t.dim(0);
        int cols = (int) t.dim(1);
        if (first < 0 || n < 1 || (long) first + n > rows) {
            throw new IllegalArgumentException("tensor '" + name + "': rows " + first + ".." + ((long) first + n)
                    + " are outside its " + rows + " rows");
        }
        DType type = t.dtype();
        long rowBytes;
        try {
            rowBytes = type.byteSize(cols);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
        }
        MemorySegment w = t.segment().asSlice(first * rowBytes, n * rowBytes);
        if (type == DType.F32) {
            return new F32Matrix(n, cols, w, kernels);
        }
        if (type.isQuantized() && ConvertingMatrix.vecDotType(type) != null && cols % type.blockSize() == 0) {
            return new QuantMatrix(type, n, cols, w, KernelProvider.quant(), kernels);
        }
        if (!GgmlQuant.supports(type) || !type.isFloat() && ConvertingMatrix.vecDotType(type) == null) {
            throw new IllegalArgumentException("tensor '" + name + "' has type " + type + ", which Minnow cannot multiply yet");
        }
        return new ConvertingMatrix(type, n, cols, w, kernels);
    }

    private static void checkShape(String name, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + name + "' must be 2-D, got shape " + java.util.Arrays.toString(t.shape()));
        }
        if (t.dim(0) > Integer.MAX_VALUE || t.dim(1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' is too large: " + java.util.Arrays.toString(t.shape()));
        }
    }

    /** F32 weights: straight to the kernels. */
    record F32Matrix(int rows, int cols, MemorySegment w, Kernels kernels) implements WeightMatrix {
        @Override
        public DType type() { return DType.F32; }

        @Override
        public MemorySegment data() { return w; }

        @Override
        public void gemv(MemorySegment x, long xOff, MemorySegment y, long yOff) {
            kernels.gemv(rows, cols, w, 0, x, xOff, y, yOff);
        }

        @Override
        public void gemm(int m, MemorySegment a, long aOff, MemorySegment c, long cOff) {
            kernels.gemm(m, rows, cols, a, aOff, cols, w, 0, cols, true, c, cOff, rows, false);
        }

        @Override
        public void row(int r, float[] out) {
            MemorySegment.copy(w, F32, (long) r * cols * 4, out, 0, cols);
        }
    }

    /**
     * GGML block-quantized weights multiplied as llama.cpp does: each activation row is quantized once to the
     * type's activation format (Q8_0, Q8_1 or Q8_K) and every weight row is dotted with it in integers
     * ({@link QuantKernels}) — the decode path, memory-bound. A batch of at least {@link #F32_GEMM_MIN_ROWS} rows
     * (prefill, compute-bound) instead rounds its activations through the same activation format, dequantizes the
     * weights straight into the f32 GEMM's packed B panels ({@link QuantKernels#dequantizePanel}, exact) and multiplies
     * with {@link Kernels#gemmPackedB}, which on CPUs without a byte multiply-add in the Vector API runs several times
     * faster than the integer dots: the products are the same (quantized weight × quantized activation), only their
     * summation order differs. {@code -Dminnow.prefill.packed=false} selects the previous form (weights dequantized
     * tile by tile into f32 rows, then the ordinary GEMM with B transposed), for A/B runs.
     *
     * <p>Q8_0/Q4_0/Q4_K/Q6_K matrices that decode through 16-row panels ({@link Q4Panels}) pack them on the first decode
     * or packed-prefill call and give the GGML pages of a mapped file back ({@link MemorySegment#unload}). The packed
     * prefill then dequantizes the panel rows from the panels ({@link Q4Panels#dequantizeB}, the same floats bit for bit)
     * and reads from the GGML data only the rows beyond the last whole panel (at most 15) — so a chat's next prompt does
     * not page the file in again next to the panels (resident memory stays near the file size, not twice it).
     * Batches of 2 to {@link #F32_GEMM_MIN_ROWS} − 1 rows run one decode GEMV per row where panels are on (see
     * {@link #SMALL_BATCH_PANELS}). Still reading the GGML data after packing: the tile prefill
     * ({@code minnow.prefill.packed=false}), {@link #row}, the sparse FFN paths (through {@link #data}), and every
     * batch of {@link #F32_GEMM_MIN_ROWS} rows or more with {@code minnow.prefill.fromPanels=false}.
     */
    final class QuantMatrix implements WeightMatrix {
        private final DType type;
        private final int rows;
        private final int cols;
        private final MemorySegment w;
        private final long rowBytes;
        private final QuantKernels qk;
        private final Kernels kernels;

        /** Batches from this many rows on go through dequantized tiles and the f32 GEMM. */
        static final int F32_GEMM_MIN_ROWS = Integer.getInteger("minnow.prefill.f32MinRows", 8);
        /** Most weight rows per dequantized tile (session 2: 128 and 256 beat 64 by ~10-20% in a noisy A/B; see gemm). */
        private static final int PREFILL_TILE = Integer.getInteger("minnow.prefill.tile", 512);
        /**
         * Prefill with the weights dequantized into the GEMM's packed panels ({@link #gemmPacked}); false: the
         * dequantized f32 tiles and the ordinary GEMM (for A/B runs).
         */
        static final boolean PACKED_PREFILL = !"false".equalsIgnoreCase(System.getProperty("minnow.prefill.packed", "true"));
        /**
         * {@code minnow.prefill.fromPanels}: with the 16-row panels ({@link #panels()}, packed by the first prefill or
         * decode of a matrix that decodes through them), the packed prefill ({@link #gemmPacked}) dequantizes the panel
         * rows from them ({@link Q4Panels#dequantizeB}, the same floats bit for bit) and reads only the rows beyond the
         * last panel from the GGML data (true); or it reads all
         * rows from the GGML data (false: the file pages that packing gave back are read in again, so resident memory
         * grows to the panels plus the file). Default true: it saves that memory and was faster, not slower (AVX2,
         * 1 thread: B panels 3–6× faster to produce, an m = 128 GEMM over a 5632 × 2048 matrix 10–25% faster).
         */
        static final boolean PREFILL_FROM_PANELS =
                !"false".equalsIgnoreCase(System.getProperty("minnow.prefill.fromPanels", "true"));
        private static final ThreadLocal<MemorySegment> TILE = ThreadLocal.withInitial(() -> MemorySegment.NULL);
        private static final ThreadLocal<MemorySegment> ROUNDED = ThreadLocal.withInitial(() -> MemorySegment.NULL);
        private static final ThreadLocal<MemorySegment> QUANTIZED = ThreadLocal.withInitial(() -> MemorySegment.NULL);

        QuantMatrix(DType type, int rows, int cols, MemorySegment w, QuantKernels qk, Kernels kernels) {
            this.type = type;
            this.rows = rows;
            this.cols = cols;
            this.w = w;
            this.rowBytes = type.byteSize(cols);
            this.qk = qk;
            this.kernels = kernels;
            this.panels = panelsByDefault(qk);
        }

        @Override public int rows() { return rows; }

        @Override public int cols() { return cols; }

        @Override public DType type() { return type; }

        @Override public MemorySegment data() { return w; }

        /**
         * {@code minnow.decode.panels}: Q8_0/Q4_0/Q4_K/Q6_K decode through 16-row panels ({@link Q4Panels}, true) or the
         * row-dot GEMV (false). Unset: panels where the quantized kernels are 512 bits wide — on the AVX-512 Xeon
         * decode went 1.23–1.40× faster with them (same-window A/B, BENCHMARKS.md session 5); on the AVX2 machine they
         * measured level with the row dots, so packing would buy nothing there.
         */
        static final String PANELS_PROPERTY = System.getProperty("minnow.decode.panels");

        public static boolean panelsByDefault(QuantKernels qk) {
            return PANELS_PROPERTY != null ? !"false".equals(PANELS_PROPERTY) : qk.vectorBits() >= 512;
        }

        /**
         * {@code minnow.prefill.smallBatchPanels} (default true): batches of 2 to {@link #F32_GEMM_MIN_ROWS} − 1 rows
         * (a short prompt or chat turn) on a matrix that decodes through panels, and any such batch with 512-bit
         * kernels, run as one decode GEMV per row, not through {@link QuantKernels#gemm}, whose integer path ran at
         * 2.2 GOPS at 512 bits on the AVX-512 Xeon (session 4; a 5-token prompt then costs seconds) — m memory-bound
         * passes instead, and the same numbers as decoding those rows one by one.
         */
        static final boolean SMALL_BATCH_PANELS = !"false".equals(System.getProperty("minnow.prefill.smallBatchPanels"));

        /** Whether this matrix decodes through panels (tests switch it). */
        boolean panels;
        /**
         * Whether the packed prefill reads the panels: packing them first where decode uses them, else once a decode
         * has ({@link #PREFILL_FROM_PANELS}; tests switch it).
         */
        boolean prefillFromPanels = PREFILL_FROM_PANELS;
        /** The 16-row panels, packed on first use ({@link #panels()}). */
        private final LazyPanels packed = new LazyPanels();

        @Override
        public void gemv(MemorySegment x, long xOff, MemorySegment y, long yOff) {
            if (decodesThroughPanels()) {
                MemorySegment p = panels();
                if (p != null) {
                    Q4Panels.gemv(qk, type, rows, cols, p, w, 0, x, xOff, y, yOff);
                    return;
                }
            }
            qk.gemv(type, rows, cols, w, 0, x, xOff, y, yOff);
        }

        /** Whether decode reads this matrix through its 16-row panels (packed on first use). */
        private boolean decodesThroughPanels() {
            return panels && !packed.unpackable() && rows >= Q4Panels.ROWS && Q4Panels.supports(type);
        }

        /**
         * The rows repacked into 16-row panels on the first decode or packed-prefill call of a matrix that decodes
         * through them ({@link #decodesThroughPanels}), in an automatic arena freed with this matrix; null when they
         * cannot be packed (a non-finite Q8_0/Q4_0 scale: the row dots reproduce it). The mapped rows are then
         * unloaded ({@link LazyPanels}), so the copy replaces them in memory rather than adding to them.
         */
        private MemorySegment panels() {
            return packed.get(w, () -> Q4Panels.pack(type, rows, cols, w, 0, Arena.ofAuto()));
        }

        @Override
        public void gemm(int m, MemorySegment a, long aOff, MemorySegment c, long cOff) {
            if (m == 1) {
                gemv(a, aOff, c, cOff);
                return;
            }
            if (m < F32_GEMM_MIN_ROWS || kernels == null || !Parallel.shareable(a, c)) {
                if (m < F32_GEMM_MIN_ROWS && SMALL_BATCH_PANELS && (qk.vectorBits() >= 512
                        || panels && !packed.unpackable() && rows >= Q4Panels.ROWS && Q4Panels.supports(type))) {
                    // a short batch at 512 bits or where the decode panels are on: one GEMV per row, as decode computes them
                    for (int i = 0; i < m; i++) {
                        gemv(a, aOff + (long) i * cols, c, cOff + (long) i * rows);
                    }
                    return;
                }
                // activations quantized once; each weight row unpacked once for all m rows (QuantKernels.gemm)
                qk.gemm(type, m, rows, cols, w, 0, a, aOff, c, cOff);
                return;
            }
            prefill(m, a, aOff, c, cOff, PACKED_PREFILL);
        }

        /**
         * The f32 prefill product of {@link #gemm} (m ≥ {@link #F32_GEMM_MIN_ROWS}, A and C shareable): through the
         * packed panels ({@link #gemmPacked}) when {@code packed}, else through dequantized f32 tiles.
         */
        void prefill(int m, MemorySegment a, long aOff, MemorySegment c, long cOff, boolean packed) {
            MemorySegment as = roundedActivations(m, a, aOff);
            if (packed && Parallel.shareable(w)) {
                gemmPacked(m, as, c, cOff);
                return;
            }
            // at least one tile per thread; at most PREFILL_TILE rows and 4 MiB of f32 each; a multiple of 16 rows
            // (the GEMM's panel width). Bigger tiles pack the activation block (pre-broadcast, 8 floats per value) less
            // often: at 128 rows that packing took 14% of a prefill's samples.
            int maxRows = Math.max(16, Math.min(PREFILL_TILE, (1 << 20) / cols / 16 * 16));
            int tiles = Math.max(Math.min(Parallel.threads(), (rows + 15) / 16), (rows + maxRows - 1) / maxRows);
            int tileRows = ((rows + tiles - 1) / tiles + 15) / 16 * 16;
            int tileCount = (rows + tileRows - 1) / tileRows;
            Parallel.forRange(tileCount, 1, (from, to) -> {
                MemorySegment tile = buffer(TILE, 4L * tileRows * cols);
                for (int t = from; t < to; t++) {
                    int r0 = t * tileRows;
                    int n = Math.min(tileRows, rows - r0);
                    qk.dequantize(type, n * cols, w, r0 * rowBytes, tile, 0);
                    kernels.gemm(m, n, cols, as, 0, cols, tile, 0, cols, true, c, cOff + r0, rows, false);
                }
            });
        }

        /**
         * C = rounded A · Wᵀ with the weights dequantized straight into the GEMM's packed B panels
         * ({@link Kernels#gemmPackedB}, {@link QuantKernels#dequantizePanel}): no f32 weight tile and no transpose in
         * the GEMM, and the A block packed once per depth slice for the whole matrix instead of once per tile. Once
         * the 16-row panels exist, their rows come from them ({@link Q4Panels#dequantizeB}; same floats): on the AVX2
         * machine that B packing ran 3–6× faster than from the GGML rows (no transpose) and a 1-thread m = 128 GEMM
         * 10–35% faster.
         */
        private void gemmPacked(int m, MemorySegment as, MemorySegment c, long cOff) {
            DType t = type;
            MemorySegment weights = w;
            long rb = rowBytes;
            QuantKernels q = qk;
            // the first prompt packs the panels that the decode after it needs anyway (before, a prompt before any
            // decode dequantized the GGML rows: on the Zen 4 VM its B packing took 16% of a 1-thread pp128's samples)
            MemorySegment p = !prefillFromPanels ? null : decodesThroughPanels() ? panels() : packed.current();
            if (p != null) {
                int n = rows, k = cols;
                kernels.gemmPackedB(m, rows, cols, as, 0, cols,
                        (j0, nc, k0, kc, panel, off, width) -> Q4Panels.dequantizeB(q, t, n, k, p, weights, 0, j0, nc, k0, kc, panel, off, width),
                        c, cOff, rows, false);
                return;
            }
            kernels.gemmPackedB(m, rows, cols, as, 0, cols,
                    (j0, n, k0, kc, panel, off, width) -> q.dequantizePanel(t, n, k0, kc, weights, rb * j0, rb, panel, off, width),
                    c, cOff, rows, false);
        }

        /**
         * The m activation rows rounded through the activation format (quantized as the integer path quantizes
         * them, then dequantized), so the f32 products equal the integer path's block products.
         */
        private MemorySegment roundedActivations(int m, MemorySegment a, long aOff) {
            DType act = QuantKernels.activationType(type);
            long qBytes = act.byteSize(cols);
            MemorySegment out = buffer(ROUNDED, 4L * m * cols);
            Parallel.RangeBody rows = (i0, i1) -> {
                MemorySegment q = buffer(QUANTIZED, qBytes);   // this thread's
                for (int i = i0; i < i1; i++) {
                    qk.quantizeActivation(type, cols, a, aOff + (long) i * cols, q, 0);
                    if (act == DType.Q8_0) {
                        qk.dequantize(act, cols, q, 0, out, (long) i * cols);
                    } else if (act == DType.Q8_K) {
                        dequantizeQ8_K(q, out, 4L * i * cols);
                    } else {
                        GgmlQuant.dequantizeRow(act, q, 0, out, 4L * i * cols, cols);
                    }
                }
            };
            if (m > 1 && Parallel.shareable(a, out)) {
                Parallel.forRange(m, 8, rows);   // a prompt's rows: quantized on the active threads
            } else {
                rows.run(0, m);
            }
            return out;
        }

        /**
         * A Q8_K row (f32 d at 0, int8 levels at 4, 292 bytes per 256 values) to f32 in place, d·q as
         * dequantize_row_q8_K: no per-row arrays (the codec's copy allocated ~10 KB per row, megabytes per token).
         */
        private void dequantizeQ8_K(MemorySegment q, MemorySegment out, long outOff) {
            for (int b = 0; b < cols / 256; b++) {
                float d = q.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 292L * b);
                long o = outOff + 1024L * b;
                for (int j = 0; j < 256; j++) {
                    out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o + 4L * j, d * q.get(ValueLayout.JAVA_BYTE, 292L * b + 4 + j));
                }
            }
        }

        @Override
        public void row(int r, float[] out) {
            GgmlQuant.dequantizeRow(type, w, r * rowBytes, out, 0, cols);
        }
    }

    /**
     * Weights in any other GGML type (F16, BF16, Q4_0, Q6_K, ...): rows are converted to f32 as they are used and
     * multiplied by the f32 kernels. Like ggml's CPU backend, the activations are first rounded through the type
     * ggml pairs with the weight type for its dot products (F16 for F16, Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for
     * Q4_1/Q5_1, Q8_K for the K-quants), so results match llama.cpp up to summation order.
     */
    final class ConvertingMatrix implements WeightMatrix {
        private static final int TILE = 16;
        private static final int GEMM_TILE = 64;
        private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
        // off-heap twins of the scratch arrays: the Vector API kernels are only fast on native segments
        private static final ThreadLocal<MemorySegment> NATIVE_TILE = ThreadLocal.withInitial(() -> MemorySegment.NULL);
        private static final ThreadLocal<MemorySegment> NATIVE_ACTIVATIONS = ThreadLocal.withInitial(() -> MemorySegment.NULL);
        private static final ThreadLocal<short[]> SHORTS = ThreadLocal.withInitial(() -> new short[0]);
        private static final ValueLayout.OfShort F16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ThreadLocal<float[]> ACTIVATIONS = ThreadLocal.withInitial(() -> new float[0]);

        private final DType type;
        private final int rows;
        private final int cols;
        private final MemorySegment w;
        private final long rowBytes;
        private final DType activationType;
        private final Kernels kernels;

        ConvertingMatrix(DType type, int rows, int cols, MemorySegment w, Kernels kernels) {
            this.type = type;
            this.rows = rows;
            this.cols = cols;
            this.w = w;
            this.rowBytes = GgmlQuant.rowBytes(type, cols);
            this.activationType = vecDotType(type);
            this.kernels = kernels;
            this.panels = type == DType.F16 && panelsByDefault();
        }

        /**
         * F16 decodes through 16-row panels ({@link F16Panels}) only when {@code minnow.decode.panels=true} is set
         * ({@link QuantMatrix#PANELS_PROPERTY}). On the Zen 5 VM (BENCHMARKS.md, session 18) TinyLlama-shaped F16
         * decode went from 9.1 to 14.8 tok/s at 1 thread and from 16.6 to 20–27 at 2, but packing the 2.2 GB copy on
         * the first decoded token cost about 4.5 s (mostly the kernel's page faults for the new memory), so a
         * generation shorter than a few hundred tokens was slower overall. The quantized types, whose copies are a
         * quarter to a half of that, pack by default.
         */
        static boolean panelsByDefault() {
            return "true".equals(QuantMatrix.PANELS_PROPERTY);
        }

        /**
         * {@code minnow.prefill.f16Packed} (default true): an F16 prefill without panels converts the halves straight
         * into the GEMM's packed B panels; false: 64-row f32 tiles through the ordinary GEMM (the form before session
         * 22, for A/B runs). Same products either way; only the summation order inside the GEMM may differ.
         */
        static final boolean F16_PACKED_PREFILL = !"false".equalsIgnoreCase(System.getProperty("minnow.prefill.f16Packed", "true"));

        /** Whether an F16 prefill without panels goes through packed B panels ({@link #F16_PACKED_PREFILL}; tests switch it). */
        boolean packedPrefill = F16_PACKED_PREFILL;

        /** Whether this F16 matrix decodes through panels (tests switch it). */
        boolean panels;
        /** The F16 rows in 16-row panels ({@link F16Panels}), packed on the first decode call. */
        private final LazyPanels packed = new LazyPanels();

        /** The type ggml's CPU backend converts activations to before a dot product with {@code weights}. */
        static DType vecDotType(DType weights) {
            return switch (weights) {
                case F16 -> DType.F16;
                case BF16 -> DType.BF16;
                case Q4_0, Q5_0, Q8_0 -> DType.Q8_0;
                case Q4_1, Q5_1 -> DType.Q8_1;
                case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> DType.Q8_K;
                case F32, F64, I8, U8, I16, I32, I64, BOOL, Q8_1, Q8_K -> null;
            };
        }

        @Override public int rows() { return rows; }

        @Override public int cols() { return cols; }

        @Override public DType type() { return type; }

        @Override public MemorySegment data() { return w; }

        private static float[] scratch(ThreadLocal<float[]> tl, int n) {
            float[] s = tl.get();
            if (s.length < n) {
                s = new float[n];
                tl.set(s);
            }
            return s;
        }

        /** Rounds {@code m} rows of activations through the activation type into an off-heap copy. */
        private MemorySegment roundedActivations(int m, MemorySegment a, long aOff) {
            if (activationType == null) {
                return a.asSlice(aOff * 4);
            }
            float[] x = roundActivations(m, a, aOff);
            MemorySegment s = buffer(NATIVE_ACTIVATIONS, 4L * m * cols);
            MemorySegment.copy(x, 0, s, F32, 0, m * cols);
            return s;
        }

        /** Rounds {@code m} rows of activations through the activation type into a heap copy. */
        private float[] roundActivations(int m, MemorySegment a, long aOff) {
            float[] x = scratch(ACTIVATIONS, m * cols);
            MemorySegment.copy(a, F32, aOff * 4, x, 0, m * cols);
            if (activationType == DType.F16) {
                // GGML_FP16_TO_FP32(GGML_FP32_TO_FP16(x)) in place, without the codec's per-call arrays (the F16
                // decode allocated 2.4 MB per token through them): round to nearest even, NaN -> quiet 0x7E00 + sign;
                // a prompt's rows on the active threads
                Parallel.forRange(m, 8, (i0, i1) -> {
                    for (int i = i0 * cols; i < i1 * cols; i++) {
                        float f = x[i];
                        short h = f != f ? (short) (((Float.floatToRawIntBits(f) >>> 16) & 0x8000) | 0x7e00) : Float.floatToFloat16(f);
                        x[i] = Float.float16ToFloat(h);
                    }
                });
                return x;
            }
            if (activationType != null && activationType.blockSize() <= cols && cols % activationType.blockSize() == 0) {
                long qBytes = GgmlQuant.rowBytes(activationType, cols);
                MemorySegment q = MemorySegment.ofArray(new byte[(int) qBytes]);
                for (int i = 0; i < m; i++) {
                    GgmlQuant.quantizeRow(activationType, x, i * cols, q, 0, cols);
                    GgmlQuant.dequantizeRow(activationType, q, 0, x, i * cols, cols);
                }
            }
            return x;
        }

        @Override
        public void gemv(MemorySegment x, long xOff, MemorySegment y, long yOff) {
            MemorySegment xs = roundedActivations(1, x, xOff);
            if (type == DType.F16) {
                MemorySegment p = panels && !packed.unpackable() && rows >= F16Panels.ROWS
                        ? packed.get(w, () -> F16Panels.pack(rows, cols, w, 0, Arena.ofAuto())) : null; // null: inf/NaN halves
                if (p != null) {
                    F16Panels.gemv(kernels, rows, cols, p, w, 0, xs, 0, y, yOff);
                    return;
                }
                kernels.gemvF16(rows, cols, w, 0, xs, 0, y, yOff); // 2 bytes per weight, converted in registers
                return;
            }
            int tiles = (rows + TILE - 1) / TILE;
            Parallel.forRange(tiles, 1, (from, to) -> {
                float[] tile = scratch(SCRATCH, TILE * cols);
                MemorySegment ts = buffer(NATIVE_TILE, 4L * TILE * cols);
                for (int t = from; t < to; t++) {
                    int r0 = t * TILE;
                    int n = Math.min(TILE, rows - r0);
                    rowsToF32(r0, n, tile);
                    MemorySegment.copy(tile, 0, ts, F32, 0, n * cols);
                    kernels.gemv(n, cols, ts, 0, xs, 0, y, yOff + r0);
                }
            });
        }

        /** Rows r0 .. r0+n as f32 into dst (row-major, stride cols). */
        private void rowsToF32(int r0, int n, float[] dst) {
            if (type == DType.F16) {
                short[] halves = scratchShorts(n * cols);
                MemorySegment.copy(w, F16_LE, r0 * rowBytes, halves, 0, n * cols);
                for (int i = 0; i < n * cols; i++) {
                    dst[i] = Float.float16ToFloat(halves[i]);
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                GgmlQuant.dequantizeRow(type, w, (r0 + i) * rowBytes, dst, i * cols, cols);
            }
        }

        private static short[] scratchShorts(int n) {
            short[] s = SHORTS.get();
            if (s.length < n) {
                s = new short[n];
                SHORTS.set(s);
            }
            return s;
        }

        @Override
        public void gemm(int m, MemorySegment a, long aOff, MemorySegment c, long cOff) {
            if (m == 1) {
                gemv(a, aOff, c, cOff);
                return;
            }
            MemorySegment as = roundedActivations(m, a, aOff);
            MemorySegment p = packed.current();
            if (p != null) {
                // packed by a decode: the B panels from the panels (and the rows past the last one), not the file
                int n = rows, k = cols;
                MemorySegment weights = w;
                Kernels ks = kernels;
                kernels.gemmPackedB(m, rows, cols, as, 0, cols,
                        (j0, nc, k0, kc, panel, off, width) -> F16Panels.dequantizeB(ks, n, k, p, weights, 0, j0, nc, k0, kc, panel, off, width),
                        c, cOff, rows, false);
                return;
            }
            if (type == DType.F16 && packedPrefill && Parallel.shareable(w)) {
                // the halves converted straight into the GEMM's packed B panels (QuantKernels.dequantizePanel), as the
                // quantized prefill does: no f32 tile, no transpose inside the GEMM, A packed once for the matrix
                MemorySegment weights = w;
                long rb = rowBytes;
                QuantKernels q = KernelProvider.quant();
                kernels.gemmPackedB(m, rows, cols, as, 0, cols,
                        (j0, nc, k0, kc, panel, off, width) -> q.dequantizePanel(DType.F16, nc, k0, kc, weights, rb * j0, rb, panel, off, width),
                        c, cOff, rows, false);
                return;
            }
            int tiles = (rows + GEMM_TILE - 1) / GEMM_TILE;
            Parallel.forRange(tiles, 1, (from, to) -> {
                float[] tile = scratch(SCRATCH, GEMM_TILE * cols);
                MemorySegment ts = buffer(NATIVE_TILE, 4L * GEMM_TILE * cols);
                for (int t = from; t < to; t++) {
                    int r0 = t * GEMM_TILE;
                    int n = Math.min(GEMM_TILE, rows - r0);
                    if (type == DType.F16) {
                        kernels.convertF16(n * cols, w, (long) r0 * cols, ts, 0);
                    } else {
                        rowsToF32(r0, n, tile);
                        MemorySegment.copy(tile, 0, ts, F32, 0, n * cols);
                    }
                    kernels.gemm(m, n, cols, as, 0, cols, ts, 0, cols, true, c, cOff + r0, rows, false);
                }
            });
        }

        @Override
        public void row(int r, float[] out) {
            rowsToF32(r, 1, out);
        }
    }
}
