package dev.minnow.kernels;

import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * 4-bit (and Q6_K, Q8_0) weights repacked at load into <b>16-row panels</b> for the decode GEMV ({@link QuantKernels#gemvQ4Panels}),
 * the layout that lets one activation value feed 16 rows at once: a vector lane is a row, so a 4-bit level becomes an
 * f32 lane with one AND (or shift) and one int→float conversion, and one fused multiply-add with the broadcast
 * activation does 16 rows' work at 512 bits (llama.cpp repacks its Q4_0 weights for AVX-512 the same way, with
 * integer multiply-adds the Vector API lacks). Q8_0, Q4_0, Q4_K and Q6_K rows repack exactly: every level and scale is kept.
 *
 * <h2>Layout</h2>
 * Rows are taken 16 at a time ({@code rows / 16} panels; the rows beyond stay in the GGML layout). A panel holds its
 * 16 rows' {@code cols / 32} blocks of 32 elements in order ({@link #panelBytes} bytes); a Q4_0 block is 288 bytes:
 * <ul>
 *   <li>bytes [0, 256): four planes j = 0..3 of 16 little-endian int32, lane r = row r of the panel; bits
 *       [4k, 4k+4) of plane j, lane r hold row r's level (0..15) of element {@code 8j + k} of the block;</li>
 *   <li>bytes [256, 288): 16 f16 scales as in the file, lane r = row r: Q4_0's d (the value is d·(q − 8)); the kernel
 *       widens them with integer operations (exact for finite values; a matrix with an infinite or NaN scale is not
 *       packed, {@link #pack} says so).</li>
 * </ul>
 * A Q8_0 block ({@link #Q8_BLOCK} = 544 bytes, the file's 16 blocks' size) holds eight planes j = 0..7 of 16 int32:
 * byte k of plane j, lane r is row r's signed level of element {@code 4j + k}; then the 16 f16 d as in the file (a
 * non-finite one is not packed, as for Q4_0). The kernel shifts level k into the top byte and back down (sign-extended)
 * and converts it: Σ q·q_a per block is an exact integer in f32, and the epilogue is the row dot's
 * {@code sumf += sumi·(d·d_a)}, so the panel GEMV equals the row dots bit for bit.
 * Q4_K keeps its scales compact (the f32 products d·sc would make its panels a third larger than the file): a block is
 * 288 bytes, the planes then 16 bytes of 6-bit scales sc_j and 16 bytes of 6-bit mins m_j (lane r = row r, sub-block
 * j = b mod 8), and each super-block of 8 blocks starts with 16 f32 d and 16 f32 dmin (2432 bytes per 256 elements);
 * the value is d·sc_j·q − dmin·m_j, the kernel forming d·sc_j and dmin·m_j in f32 (exact: 17 significant bits).
 * Q6_K blocks are 416 bytes: the four planes hold the levels' low four bits; bytes [256, 384) are two planes h = 0, 1
 * whose nibble k holds the high two bits of element 8h + k (bits 0-1) and of element 8(h + 2) + k (bits 2-3); bytes
 * [384, 400) and [400, 416) the int8 scales sc of the block's first and second 16 elements; each super-block of 8
 * blocks starts with 16 f32 d (3392 bytes per 256 elements; the value is d·sc·(q − 32), d·sc formed in f32, exact).
 *
 * <h2>Activations</h2>
 * {@link #prepare} quantizes the activation row as llama.cpp does for the type (Q8_0 per 32 for Q4_0, Q8_K per 256 for
 * the K-quants) and lays it out for the kernel: value {@code i = 32b + 8j + k} is level q_a · 2<sup>−4(k mod 4)</sup> (the
 * kernel masks level k in place in the plane's low or high 16 bits, worth q·2<sup>4(k mod 4)</sup>; Q6_K's
 * q_a · 2<sup>−8⌊k/2⌋</sup>, its kernel masking byte ⌊k/2⌋ of a vector that joins low and high bits; see
 * {@link Activation#weight} for the other kernels' weights), stored
 * {@link QuantKernels#panelLanes} times at {@code xs[lanes·i ..]} (a pre-broadcast row lets the kernel load a whole
 * vector where a broadcast costs a shuffle on AVX2); {@code da[b]} is the activation block's scale and {@code cb} Q4_0's
 * 8·Σq_a or Q4_K's Σq_a per block, Q6_K's 32·Σq_a per half block ({@code cb[2b]}, {@code cb[2b+1]}). The kernel's
 * block sum Σ q·q_a is then an exact integer in f32 (|Σ| ≤ 32·63·127 &lt; 2<sup>24</sup>), equal to ggml's integer
 * block dot.
 *
 * <h2>Prefill</h2>
 * A prefill (a batch of activation rows, f32 GEMM) after packing reads the panels too: {@link #dequantizeB} writes the
 * GEMM's B panels ({@link BPanelSource}) from them through {@link QuantKernels#dequantizeFromPanels} — a vector lane is
 * a panel row, the layout both sides share, so no transpose — and reads from the GGML rows only the rows beyond the
 * last panel. Every value is bit for bit ggml's {@code dequantize_row_*} of the original row, so prefill results do
 * not change when a matrix is packed, and a packed matrix's GGML pages (given back after packing) are not read again.
 */
public final class Q4Panels {
    /** Rows per panel. */
    public static final int ROWS = 16;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q4Panels() {}

    /** Whether {@code type} repacks into panels (Q8_0, Q4_0, Q4_K and Q6_K). */
    public static boolean supports(DType type) {
        return type == DType.Q8_0 || type == DType.Q4_0 || type == DType.Q4_K || type == DType.Q6_K;
    }

    /** Bytes of one Q4_0 or Q8_0 panel block (16 rows × 32 elements); the K-quants' blocks share per-super-block scales. */
    public static int blockBytes(DType type) {
        check(type);
        if (type != DType.Q4_0 && type != DType.Q8_0) {
            throw new IllegalArgumentException(type + " panel blocks share f32 scales per super-block: use panelBytes");
        }
        return type == DType.Q8_0 ? Q8_BLOCK : 288;
    }

    /** Bytes of a Q8_0 panel block: eight planes of 16 int32 (four levels per int), then 16 f16 d. */
    public static final int Q8_BLOCK = 8 * 64 + 32;

    /** Bytes of one panel (16 rows of {@code cols} elements). */
    public static long panelBytes(DType type, int cols) {
        check(type);
        checkCols(type, cols);
        return switch (type) {
            case Q4_K -> (long) (cols / 256) * Q4K_SUPER;
            case Q6_K -> (long) (cols / 256) * Q6K_SUPER;
            default -> (long) (cols / 32) * blockBytes(type);
        };
    }

    /**
     * Bytes of a Q6_K panel super-block: 16 f32 d ({@link #Q6K_D}), then 8 blocks of 416 bytes ({@link #Q6K_BLOCKS}).
     * The scales come first so that a kernel reading them before the blocks reads the panel in address order: with them
     * at the end, each super-block's first read jumped 3.3 kB ahead of the stream (BENCHMARKS.md, session 18).
     */
    public static final int Q6K_SUPER = 64 + 8 * 416;
    /** Byte offset of a Q6_K super-block's 16 f32 d. */
    public static final int Q6K_D = 0;
    /** Byte offset of a Q6_K super-block's first block. */
    public static final int Q6K_BLOCKS = 64;

    /** Bytes of a Q4_K panel super-block: 16 f32 d, 16 f32 dmin, then 8 blocks of 288 bytes (scales first: see Q6K_SUPER). */
    public static final int Q4K_SUPER = 128 + 8 * 288;
    /** Byte offsets in a Q4_K super-block: its 16 f32 d, 16 f32 dmin and first block. */
    public static final int Q4K_D = 0, Q4K_DMIN = 64, Q4K_BLOCKS = 128;

    /** Bytes of the panels of {@code rows / 16 × 16} rows of {@code cols} elements. */
    public static long packedBytes(DType type, int rows, int cols) {
        return (long) (rows / ROWS) * panelBytes(type, cols);
    }

    private static void check(DType type) {
        if (!supports(type)) {
            throw new IllegalArgumentException("16-row panels hold Q8_0, Q4_0, Q4_K or Q6_K weights, not " + type);
        }
    }

    private static void checkCols(DType type, int cols) {
        if (cols <= 0 || cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("16-row " + type + " panels: row length " + cols
                    + " is not a positive multiple of the block size " + type.blockSize());
        }
    }

    /**
     * Repacks the first {@code rows / 16 × 16} rows of {@code w} (rows of {@code type.byteSize(cols)} bytes at byte
     * offset {@code wOff}) into a new 64-byte-aligned segment of {@code arena}, splitting the panels over
     * {@link Parallel}'s threads.
     */
    public static MemorySegment pack(DType type, int rows, int cols, MemorySegment w, long wOff, Arena arena) {
        long bytes = packedBytes(type, rows, cols);
        long rowBytes = type.byteSize(cols);
        if (rows < 0 || wOff < 0 || wOff + rowBytes * rows > w.byteSize()) {
            throw new IllegalArgumentException("16-row " + type + " panels: " + rows + " rows of " + cols
                    + " elements need " + (wOff + rowBytes * Math.max(rows, 0)) + " bytes, the buffer has " + w.byteSize());
        }
        MemorySegment p = arena.allocate(Math.max(bytes, 1), 64);
        int panels = rows / ROWS;
        Parallel.RangeBody body = (from, to) -> {
            int[] q = new int[32];
            float[] sm = new float[2];
            for (int g = from; g < to; g++) {
                packPanel(type, cols, w, wOff + (long) g * ROWS * rowBytes, rowBytes, p, (long) g * panelBytes(type, cols), q, sm);
            }
        };
        if (Parallel.shareable(w, p)) {
            Parallel.forRange(panels, 1, body);
        } else { // a confined buffer: this thread only (workers would fail with WrongThreadException)
            body.run(0, panels);
        }
        return p;
    }

    private static void packPanel(DType type, int cols, MemorySegment w, long off, long rowBytes, MemorySegment p,
                                  long pOff, int[] q, float[] sm) {
        int blocks = cols / 32;
        boolean q4k = type == DType.Q4_K;
        boolean q6k = type == DType.Q6_K;
        for (int r = 0; r < ROWS; r++) {
            long row = off + r * rowBytes;
            for (int b = 0; b < blocks; b++) {
                if (type == DType.Q8_0) { // byte k of plane j = level of element 4j + k (the file's bytes 4j.. as one
                    // little-endian int), then the f16 d as in the file
                    long o = pOff + (long) b * Q8_BLOCK;
                    for (int j = 0; j < 8; j++) {
                        p.set(I32, o + 64L * j + 4L * r, w.get(I32, row + 34L * b + 2 + 4L * j));
                    }
                    short d = w.get(S16, row + 34L * b);
                    if ((d & 0x7c00) == 0x7c00) {
                        throw new IllegalArgumentException("Q8_0 row " + r + " block " + b + " of a panel has a non-finite scale"
                                + " (f16 0x" + Integer.toHexString(d & 0xffff) + "): not packed into panels");
                    }
                    p.set(S16, o + 512 + 2L * r, d);
                    continue;
                }
                levels(type, w, row, b, q, sm);
                long o = pOff + (q4k ? (long) (b / 8) * Q4K_SUPER + Q4K_BLOCKS + 288L * (b % 8)
                        : q6k ? (long) (b / 8) * Q6K_SUPER + Q6K_BLOCKS + 416L * (b % 8) : (long) b * blockBytes(type));
                for (int j = 0; j < 4; j++) {
                    int v = 0;
                    for (int k = 0; k < 8; k++) {
                        v |= (q[8 * j + k] & 15) << (4 * k);
                    }
                    p.set(I32, o + 64L * j + 4L * r, v);
                }
                if (type == DType.Q6_K) {
                    // the high two bits: plane h holds those of planes h (bits 0-1) and h + 2 (bits 2-3) per nibble
                    for (int h = 0; h < 2; h++) {
                        int v = 0;
                        for (int k = 0; k < 8; k++) {
                            v |= ((q[8 * h + k] >>> 4) | (q[8 * (h + 2) + k] >>> 4) << 2) << (4 * k);
                        }
                        p.set(I32, o + 256 + 64L * h + 4L * r, v);
                    }
                    long x = row + 210L * (b / 8);
                    int e0 = 32 * (b % 8);
                    p.set(ValueLayout.JAVA_BYTE, o + 384 + r, w.get(ValueLayout.JAVA_BYTE, x + 192 + e0 / 16));
                    p.set(ValueLayout.JAVA_BYTE, o + 400 + r, w.get(ValueLayout.JAVA_BYTE, x + 193 + e0 / 16));
                    p.set(F32, pOff + (long) (b / 8) * Q6K_SUPER + Q6K_D + 4L * r, Float.float16ToFloat(w.get(S16, x + 208)));
                    continue;
                }
                if (q4k) { // 6-bit scale and min of this sub-block, the super-block's d and dmin
                    long x = row + 144L * (b / 8);
                    p.set(ValueLayout.JAVA_BYTE, o + 256 + r, (byte) k4Scale(w, x + 4, b % 8, false));
                    p.set(ValueLayout.JAVA_BYTE, o + 272 + r, (byte) k4Scale(w, x + 4, b % 8, true));
                    long sb = pOff + (long) (b / 8) * Q4K_SUPER;
                    p.set(F32, sb + Q4K_D + 4L * r, Float.float16ToFloat(w.get(S16, x)));
                    p.set(F32, sb + Q4K_DMIN + 4L * r, Float.float16ToFloat(w.get(S16, x + 2)));
                    continue;
                }
                short d = w.get(S16, row + 18L * b);
                if ((d & 0x7c00) == 0x7c00) {
                    throw new IllegalArgumentException("Q4_0 row " + r + " block " + b + " of a panel has a non-finite scale"
                            + " (f16 0x" + Integer.toHexString(d & 0xffff) + "): not packed into panels");
                }
                p.set(S16, o + 256 + 2L * r, d);
            }
        }
    }

    /**
     * Levels q[0..32) of block b (32 elements) of a row at byte {@code row}, its scale in sm[0] and min in sm[1]
     * (Q6_K: levels 0..63 and the scales of its two 16-element halves).
     */
    private static void levels(DType type, MemorySegment w, long row, int b, int[] q, float[] sm) {
        if (type == DType.Q6_K) {
            // 210-byte super-blocks of 256: ql[128], qh[64], int8 scales[16] (one per 16), f16 d at 208
            long x = row + 210L * (b / 8);
            float d = Float.float16ToFloat(w.get(S16, x + 208));
            int e0 = 32 * (b % 8);
            sm[0] = d * w.get(ValueLayout.JAVA_BYTE, x + 192 + e0 / 16);
            sm[1] = d * w.get(ValueLayout.JAVA_BYTE, x + 193 + e0 / 16);
            for (int i = 0; i < 32; i++) {
                int e = e0 + i;
                int h = e / 128;
                int m = e % 128;
                int quarter = m / 32;
                int l = m % 32;
                int ql = w.get(ValueLayout.JAVA_BYTE, x + 64L * h + l + 32L * (quarter & 1)) & 0xff;
                int lo = quarter < 2 ? ql & 15 : ql >>> 4;
                int hi = ((w.get(ValueLayout.JAVA_BYTE, x + 128 + 32L * h + l) & 0xff) >>> (2 * quarter)) & 3;
                q[i] = lo | hi << 4;
            }
            return;
        }
        if (type == DType.Q4_0) {
            long x = row + 18L * b;
            sm[0] = Float.float16ToFloat(w.get(S16, x));
            for (int i = 0; i < 16; i++) {
                int v = w.get(ValueLayout.JAVA_BYTE, x + 2 + i) & 0xff;
                q[i] = v & 15;
                q[i + 16] = v >>> 4;
            }
            return;
        }
        // Q4_K: 144-byte super-blocks of 256: d, dmin (f16), 12 bytes of 6-bit scales/mins, 128 bytes of levels in
        // 64-element chunks (32 bytes: low nibbles = sub-block 2c, high nibbles = sub-block 2c + 1)
        long x = row + 144L * (b / 8);
        int j = b % 8;
        float d = Float.float16ToFloat(w.get(S16, x));
        float dmin = Float.float16ToFloat(w.get(S16, x + 2));
        sm[0] = d * k4Scale(w, x + 4, j, false);
        sm[1] = dmin * k4Scale(w, x + 4, j, true);
        long qs = x + 16 + 32L * (j / 2);
        int shift = (j & 1) * 4;
        for (int i = 0; i < 32; i++) {
            q[i] = (w.get(ValueLayout.JAVA_BYTE, qs + i) & 0xff) >>> shift & 15;
        }
    }

    /** {@code get_scale_min_k4}: the 6-bit scale (or min) of sub-block j, scales at byte {@code so}. */
    private static int k4Scale(MemorySegment w, long so, int j, boolean min) {
        if (j < 4) {
            return w.get(ValueLayout.JAVA_BYTE, so + j + (min ? 4 : 0)) & 63;
        }
        int a = w.get(ValueLayout.JAVA_BYTE, so + j + 4) & 0xff;
        if (!min) {
            return (a & 0xf) | ((w.get(ValueLayout.JAVA_BYTE, so + j - 4) & 0xff) >>> 6) << 4;
        }
        return a >>> 4 | ((w.get(ValueLayout.JAVA_BYTE, so + j) & 0xff) >>> 6) << 4;
    }

    /** The activation arrays of one row for the panel kernel (reused per thread). */
    public static final class Activation {
        /** Copies of each value in {@link #xs}: the panel kernel's f32 lanes (1 for the scalar one). */
        public int lanes;
        public float[] xs = new float[0];
        public float[] da = new float[0];
        public float[] cb = new float[0];
        /**
         * True when the kernel reads Q4_0/Q4_K levels as f32 mantissas ({@link QuantKernels#panelExponentLevels}):
         * it shifts nibble k of a plane to bits 12-15 (k even) or 16-19 (k odd), masks it and ORs in 1.0f's exponent,
         * a float 1 + q·2^-11 or 1 + q·2^-7, so {@link #xs} holds q_a for even k and q_a·2^-4 for odd k and each
         * product is q_a (or q_a·2^-4) + q·q_a·2^-11; the block's sum S is exact (multiples of 2^-11 below 2^12) and
         * Σ q·q_a = (S − ct[b])·2^11 with {@code ct[b]} = Σ_even q_a + 2^-4·Σ_odd q_a.
         */
        public boolean exponent;
        public float[] ct = new float[0];
        /**
         * True when the kernel multiplies Q4_0 and Q4_K levels in 16-bit lanes ({@link QuantKernels#panelShortLevels}): a
         * 64-byte plane read as shorts holds nibbles 0-3 of row r's word in short 2r and nibbles 4-7 in short 2r + 1,
         * so step m (nibble m of each short) pairs with {@code pairs[16b + 4j + m]}, q_a of column 8j + m in its low
         * and of column 8j + 4 + m in its high 16 bits (block b, plane j). Each short lane sums 16 products
         * |q·q_a| ≤ 15·128 per 32-value block, below 2^15, so the block sums are exact; {@link #xs} is filled as for
         * converted levels (the specification reads it).
         */
        public boolean shorts;
        public int[] pairs = new int[0];
        /** What value i's level q_a was multiplied by in {@link #xs}, per k = i mod 8 (a power of two). */
        public final float[] weight = new float[8];
        MemorySegment q = MemorySegment.NULL;
        /** The f32 row these arrays were prepared from and how (prepare skips a repeat: Q, K and V share one input). */
        MemorySegment src = MemorySegment.NULL;
        int srcCols = -1;
        DType srcType;
        boolean srcExponent;
        int srcLanes;
        QuantKernels srcKernels;
    }

    /** Q8_0: the kernel shifts each level into place sign-extended (worth q itself). */
    private static final float[] ONE_WEIGHT = {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f};
    private static final float[] NIBBLE_WEIGHT = {1f, 0x1p-4f, 0x1p-8f, 0x1p-12f, 1f, 0x1p-4f, 0x1p-8f, 0x1p-12f};
    private static final float[] EXPONENT_WEIGHT = {1f, 0x1p-4f, 1f, 0x1p-4f, 1f, 0x1p-4f, 1f, 0x1p-4f};
    /** Q6_K: the kernel joins each level's six bits into byte k / 2 of a vector and masks it in place (worth q·2^8(k/2)). */
    private static final float[] Q6_WEIGHT = {1f, 1f, 0x1p-8f, 0x1p-8f, 0x1p-16f, 0x1p-16f, 0x1p-24f, 0x1p-24f};

    /**
     * Quantizes f32 row {@code x} (element offset {@code xOff}, {@code cols} values) to the activation format of
     * {@code type} with {@code qk} and fills {@code a} for {@link QuantKernels#gemvQ4Panels} (see the class comment).
     */
    public static void prepare(QuantKernels qk, DType type, int cols, MemorySegment x, long xOff, Activation a) {
        check(type);
        checkCols(type, cols);
        DType act = QuantKernels.activationType(type);
        long qBytes = act.byteSize(cols);
        if (a.q.byteSize() < qBytes) {
            a.q = Arena.ofAuto().allocate(qBytes, 64);
        }
        int lanes = qk.panelLanes();
        a.lanes = lanes;
        boolean shorts = (type == DType.Q4_0 || type == DType.Q4_K) && qk.panelShortLevels();
        boolean exponent = !shorts && type != DType.Q6_K && type != DType.Q8_0 && qk.panelExponentLevels();
        a.exponent = exponent;
        a.shorts = shorts;
        long srcBytes = 4L * cols;
        if (a.srcCols == cols && a.srcType == type && a.srcExponent == exponent && a.srcLanes == lanes && a.srcKernels == qk
                && MemorySegment.mismatch(x, 4 * xOff, 4 * xOff + srcBytes, a.src, 0, srcBytes) < 0) {
            return; // the same row prepared the same way (bit for bit the same input, so the same arrays)
        }
        a.srcCols = -1; // until the arrays below are complete
        float[] weight = type == DType.Q6_K ? Q6_WEIGHT : type == DType.Q8_0 ? ONE_WEIGHT : exponent ? EXPONENT_WEIGHT : NIBBLE_WEIGHT;
        System.arraycopy(weight, 0, a.weight, 0, 8);
        if (a.xs.length < cols * lanes || a.cb.length < cols / 16) {
            a.xs = new float[cols * lanes];
            a.da = new float[cols / 32];
            a.cb = new float[cols / 16];
            a.ct = new float[cols / 32];
        }
        if (shorts && a.pairs.length < cols / 2) {
            a.pairs = new int[cols / 2];
        }
        MemorySegment q = a.q;
        qk.quantizeActivation(type, cols, x, xOff, q, 0);
        float[] xs = a.xs;
        int blocks = cols / 32;
        if (act == DType.Q8_0) {
            for (int b = 0; b < blocks; b++) {
                long o = 34L * b;
                a.da[b] = Float.float16ToFloat(q.get(S16, o));
                int even = 0;
                int odd = 0;
                for (int e = 0; e < 32; e++) {
                    int v = q.get(ValueLayout.JAVA_BYTE, o + 2 + e);
                    if ((e & 1) == 0) {
                        even += v;
                    } else {
                        odd += v;
                    }
                    put(xs, 32 * b + e, lanes, v * weight[e & 7]);
                }
                a.cb[b] = 8 * (even + odd);
                a.ct[b] = (16 * even + odd) * 0x1p-4f;
                if (shorts) {
                    pairs(q, o + 2, a.pairs, 16 * b);
                }
            }
            remember(a, type, exponent, lanes, qk, cols, x, xOff);
            return;
        }
        // Q8_K: f32 d, 256 int8 levels, 16 int16 sums of 16 levels (292 bytes per 256)
        boolean q6 = type == DType.Q6_K;
        for (int b = 0; b < blocks; b++) {
            long o = 292L * (b / 8);
            int j = b % 8;
            a.da[b] = q.get(F32, o);
            int s0 = q.get(S16, o + 260 + 4L * j);
            int s1 = q.get(S16, o + 262 + 4L * j);
            if (q6) { // Q6_K's "− 32" per half block
                a.cb[2 * b] = 32 * s0;
                a.cb[2 * b + 1] = 32 * s1;
            } else {
                a.cb[b] = s0 + s1;
            }
            int even = 0;
            int odd = 0;
            for (int e = 0; e < 32; e++) {
                int l = q.get(ValueLayout.JAVA_BYTE, o + 4 + 32L * j + e);
                if ((e & 1) == 0) {
                    even += l;
                } else {
                    odd += l;
                }
                put(xs, 32 * b + e, lanes, l * weight[e & 7]);
            }
            a.ct[b] = (16 * even + odd) * 0x1p-4f;
            if (shorts) {
                pairs(q, o + 4 + 32L * j, a.pairs, 16 * b);
            }
        }
        remember(a, type, exponent, lanes, qk, cols, x, xOff);
    }

    /** The 32 int8 levels at byte {@code o} of q as the 16 int16 pairs of {@link Activation#pairs} from {@code at}. */
    private static void pairs(MemorySegment q, long o, int[] pairs, int at) {
        for (int j = 0; j < 4; j++) {
            for (int m = 0; m < 4; m++) {
                int lo = q.get(ValueLayout.JAVA_BYTE, o + 8 * j + m);
                int hi = q.get(ValueLayout.JAVA_BYTE, o + 8 * j + 4 + m);
                pairs[at + 4 * j + m] = (lo & 0xffff) | (hi << 16);
            }
        }
    }

    private static void remember(Activation a, DType type, boolean exponent, int lanes, QuantKernels qk, int cols,
                                 MemorySegment x, long xOff) {
        long bytes = 4L * cols;
        if (a.src.byteSize() < bytes) {
            a.src = Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment.copy(x, 4 * xOff, a.src, 0, bytes);
        a.srcType = type;
        a.srcExponent = exponent;
        a.srcLanes = lanes;
        a.srcKernels = qk;
        a.srcCols = cols;
    }

    /** Value i of the activation, {@code lanes} copies (one store when the kernel broadcasts it itself). */
    private static void put(float[] xs, int i, int lanes, float v) {
        if (lanes == 1) {
            xs[i] = v;
        } else {
            java.util.Arrays.fill(xs, i * lanes, (i + 1) * lanes, v);
        }
    }

    private static final ThreadLocal<Activation> ACTIVATION = ThreadLocal.withInitial(Activation::new);

    /**
     * y[0..rows) = W·x for a matrix whose first {@code rows / 16 × 16} rows are packed in {@code panels}
     * ({@link #pack}) and whose remaining rows are read in the GGML layout from {@code w} (byte offset {@code wOff},
     * the original rows): x (element offset {@code xOff}) is quantized once, the panels are split over
     * {@link Parallel}'s threads when the segments can be shared.
     */
    public static void gemv(QuantKernels qk, DType type, int rows, int cols, MemorySegment panels, MemorySegment w,
                            long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int n = rows / ROWS;
        if (panels.byteSize() < packedBytes(type, rows, cols)) {
            throw new IllegalArgumentException("16-row " + type + " panels of " + rows + " x " + cols + " need "
                    + packedBytes(type, rows, cols) + " bytes, the buffer has " + panels.byteSize());
        }
        Activation a = ACTIVATION.get();
        prepare(qk, type, cols, x, xOff, a);
        if (n > 1 && Parallel.shareable(panels, y)) {
            Parallel.forRange(n, 1, (from, to) -> qk.gemvQ4Panels(type, from, to, cols, panels, 0, a, y, yOff));
        } else {
            qk.gemvQ4Panels(type, 0, n, cols, panels, 0, a, y, yOff);
        }
        int tail = rows - n * ROWS;
        if (tail > 0) {
            qk.gemv(type, tail, cols, w, wOff + (long) n * ROWS * type.byteSize(cols), x, xOff, y, yOff + (long) n * ROWS);
        }
    }

    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * The {@link BPanelSource} of a packed matrix for the prefill GEMM ({@link Kernels#gemmPackedB}):
     * {@code panel[off + q·width + j] = W[j0 + j][k0 + q]} for j &lt; n, q &lt; kc, and 0 for n ≤ j &lt; width, where
     * the first {@code rows / 16 × 16} rows of W are read from {@code panels} ({@link #pack},
     * {@link QuantKernels#dequantizeFromPanels}) and only the rows beyond them from the GGML rows of {@code w} (byte
     * offset {@code wOff}, the original rows; {@link QuantKernels#dequantizePanel}). Every value is bit for bit what
     * {@link QuantKernels#dequantizePanel} gives on the original rows, so the prefill does not change when a matrix is
     * packed, and a matrix whose rows are a multiple of 16 never touches {@code w} again.
     */
    public static void dequantizeB(QuantKernels qk, DType type, int rows, int cols, MemorySegment panels, MemorySegment w,
                                   long wOff, int j0, int n, int k0, int kc, float[] panel, int off, int width) {
        int packedRows = rows / ROWS * ROWS;
        long rowBytes = type.byteSize(cols);
        if (j0 < 0 || n < 0 || j0 + n > rows) {
            throw new IllegalArgumentException("16-row " + type + " panels: rows " + j0 + " + " + n + " of " + rows);
        }
        if (j0 + n <= packedRows) {
            qk.dequantizeFromPanels(type, cols, k0, kc, panels, 0, j0, n, panel, off, width);
            return;
        }
        if (j0 >= packedRows) {
            qk.dequantizePanel(type, n, k0, kc, w, wOff + rowBytes * j0, rowBytes, panel, off, width);
            return;
        }
        // the last panel rows and the first tail rows: the panel part (zeros after it), then the tail over the zeros
        int split = packedRows - j0;
        int tail = n - split;
        qk.dequantizeFromPanels(type, cols, k0, kc, panels, 0, j0, split, panel, off, width);
        float[] t = TAIL.get();
        if (t.length < tail * kc) {
            t = new float[tail * kc];
            TAIL.set(t);
        }
        qk.dequantizePanel(type, tail, k0, kc, w, wOff + rowBytes * packedRows, rowBytes, t, 0, tail);
        for (int q = 0; q < kc; q++) {
            System.arraycopy(t, q * tail, panel, off + q * width + split, tail);
        }
    }
}
