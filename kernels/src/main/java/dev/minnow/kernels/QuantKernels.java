package dev.minnow.kernels;

import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Integer dot products over GGML block formats, llama.cpp style: the f32 activation row is quantized once to the
 * weight type's activation format ({@link #activationType}: Q8_0 for Q8_0/Q4_0/Q5_0, Q8_1 for Q4_1/Q5_1, Q8_K for
 * the K-quants), then each weight row is dotted with it block by block in integers, with one f32 scale multiply per
 * block as in ggml's {@code ggml_vec_dot_*}. Block layouts are those of ggml-common.h (see
 * {@code dev.minnow.quant.GgmlQuant} for the quantizers that write them).
 *
 * <p>Quantized buffers are addressed by <b>byte</b> offset; f32 buffers by <b>element</b> offset, as in
 * {@link Kernels}. {@code n} counts elements and must be a multiple of the block size (32 or 256).
 *
 * <p>The scalar implementation is the specification and follows ggml's {@code *_generic} reference order exactly,
 * operation for operation. A vector implementation computes the same integer
 * block sums; only the order in which the per-block f32 products are added differs (its property test checks the
 * integers exactly, with power-of-two scales that make every float sum exact, and the floats within a bound).
 */
public interface QuantKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** Width of the vector species in bits, 0 for scalar. */
    int vectorBits();

    // ---- activation quantizers (f32 at element offset xOff -> blocks at byte offset dstOff) ----

    /** {@code quantize_row_q8_0_ref}: d = amax/127 (f16), q = roundf(x/d) (half away from zero). */
    void quantizeQ8_0(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff);

    /** {@code quantize_row_q8_1_ref}: as Q8_0 plus s = f16(d·Σq). */
    void quantizeQ8_1(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff);

    /** {@code quantize_row_q8_K_ref}: f32 d = −max/127, q = nearest_int(x/d) (half to even), 16 bsums. */
    void quantizeQ8_K(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff);

    // ---- weight row · quantized activation row ----

    float dotQ8_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ4_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ4_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ5_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ5_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ2_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ3_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ4_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ5_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    float dotQ6_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff);

    // ---- dispatch (the one switch over weight types) ----

    /** The activation format that weights of type {@code w} are dotted with. */
    static DType activationType(DType w) {
        return switch (w) {
            case Q8_0, Q4_0, Q5_0 -> DType.Q8_0;
            case Q4_1, Q5_1 -> DType.Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> DType.Q8_K;
            case F32, F16, BF16, F64, I8, U8, I16, I32, I64, BOOL, Q8_1, Q8_K ->
                    throw new IllegalArgumentException("no quantized dot product for weight type " + w
                            + " (supported: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
        };
    }

    /** Quantizes an f32 activation row into {@code activationType(w)}. */
    default void quantizeActivation(DType w, int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        switch (activationType(w)) {
            case Q8_0 -> quantizeQ8_0(n, x, xOff, dst, dstOff);
            case Q8_1 -> quantizeQ8_1(n, x, xOff, dst, dstOff);
            default -> quantizeQ8_K(n, x, xOff, dst, dstOff);
        }
    }

    /** Weight row of type {@code w} · activation row already in {@code activationType(w)}. */
    default float dot(DType w, int n, MemorySegment wSeg, long wOff, MemorySegment a, long aOff) {
        return switch (w) {
            case Q8_0 -> dotQ8_0Q8_0(n, wSeg, wOff, a, aOff);
            case Q4_0 -> dotQ4_0Q8_0(n, wSeg, wOff, a, aOff);
            case Q4_1 -> dotQ4_1Q8_1(n, wSeg, wOff, a, aOff);
            case Q5_0 -> dotQ5_0Q8_0(n, wSeg, wOff, a, aOff);
            case Q5_1 -> dotQ5_1Q8_1(n, wSeg, wOff, a, aOff);
            case Q2_K -> dotQ2_KQ8_K(n, wSeg, wOff, a, aOff);
            case Q3_K -> dotQ3_KQ8_K(n, wSeg, wOff, a, aOff);
            case Q4_K -> dotQ4_KQ8_K(n, wSeg, wOff, a, aOff);
            case Q5_K -> dotQ5_KQ8_K(n, wSeg, wOff, a, aOff);
            case Q6_K -> dotQ6_KQ8_K(n, wSeg, wOff, a, aOff);
            case F32, F16, BF16, F64, I8, U8, I16, I32, I64, BOOL, Q8_1, Q8_K -> {
                activationType(w); // throws with the supported list
                throw new AssertionError();
            }
        };
    }

    /**
     * Weight row of type {@code w} · f32 row {@code x} (element offset): the dequantize-on-the-fly variant, without
     * quantizing x. Each weight block is dequantized exactly as {@code dequantize_row_*} and dotted in f32.
     */
    float dotF32(DType w, int n, MemorySegment wSeg, long wOff, MemorySegment x, long xOff);

    /**
     * Dequantizes {@code n} elements (whole blocks) of weight type {@code w} at byte offset {@code wOff} into f32
     * {@code y} at element offset {@code yOff}, exactly as ggml's {@code dequantize_row_*}: every implementation gives
     * the same floats bit for bit (the same float operations per element, no fused multiply-add). Prefill uses it to
     * unpack weight tiles once for a whole batch of activation rows and multiply them with the f32 GEMM.
     */
    void dequantize(DType w, int n, MemorySegment wSeg, long wOff, MemorySegment y, long yOff);

    /**
     * Dequantizes a slice of {@code rows} weight rows straight into an f32 GEMM B panel ({@link BPanelSource}'s
     * layout): {@code panel[off + p·width + r] = W[r][k0 + p]} for r &lt; rows, p &lt; kc, where row r starts at byte
     * {@code wOff + r·rowBytes}, and 0 for rows ≤ r &lt; width. Every value is exactly what {@link #dequantize} gives
     * (bit for bit). {@code k0} and {@code kc} are multiples of the type's block size; rows ≤ width. The prefill
     * product of quantized weights packs its B operand with this ({@link Kernels#gemmPackedB}). F16 rows too (the F16
     * prefill): each value {@link Float#float16ToFloat} of its half, at any depth.
     */
    void dequantizePanel(DType w, int rows, int k0, int kc, MemorySegment wSeg, long wOff, long rowBytes,
                         float[] panel, int off, int width);

    /**
     * {@link #dequantizePanel} from 16-row panels ({@link Q4Panels#pack}) instead of GGML rows: rows
     * {@code [r0, r0 + rows)} of a matrix whose panels of weight type {@code type} ({@link Q4Panels#supports}), each
     * {@link Q4Panels#panelBytes} bytes for rows of {@code cols} elements, start at byte {@code pOff} of {@code p}:
     * {@code panel[off + q·width + j] = W[r0 + j][k0 + q]} for j &lt; rows, q &lt; kc, and 0 for rows ≤ j &lt; width.
     * Every row must lie in a panel ({@code r0 + rows ≤ 16·panels}); r0 need not be a multiple of 16. Every value is
     * bit for bit what {@link #dequantize} gives on the original row (ggml's {@code dequantize_row_*}: Q4_0
     * (q − 8)·d; Q4_K (d·sc)·q − dmin·m; Q6_K (d·sc)·(q − 32); each product rounded to f32, no fused multiply-add).
     * {@code k0} and {@code kc} are multiples of the type's block size, {@code k0 + kc ≤ cols}; rows ≤ width.
     * Prefill reads packed matrices through this ({@link Q4Panels#dequantizeB}), so a matrix needs no GGML pages
     * once packed.
     */
    void dequantizeFromPanels(DType type, int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows,
                              float[] panel, int off, int width);

    /**
     * Quantized GEMV: y[r] = W[r,:]·x for r &lt; rows, W row-major with rows of {@code w.byteSize(cols)} bytes at
     * byte offset {@code wOff}; x and y are f32 at element offsets. x is quantized once to
     * {@link #activationType}, then rows are split over {@link Parallel}'s threads (when all segments are shareable).
     */
    void gemv(DType w, int rows, int cols, MemorySegment wSeg, long wOff, MemorySegment x, long xOff,
              MemorySegment y, long yOff);

    /** Copies of each activation value the panel kernel reads ({@link Q4Panels.Activation#lanes}); 1 = plain. */
    default int panelLanes() {
        return 1;
    }

    /**
     * Whether this kernel reads Q4_0/Q4_K panel levels as f32 mantissas ({@link Q4Panels.Activation#exponent}: the
     * activation weighted for that and a per-block correction); false: masked in place and converted. Either way
     * the block sums are the same exact integers.
     */
    default boolean panelExponentLevels() {
        return false;
    }

    /**
     * Whether this kernel multiplies Q4_0 and Q4_K panel levels in 16-bit integer lanes
     * ({@link Q4Panels.Activation#shorts}: the Q8_0 or Q8_K activation as pairs of int16 in
     * {@link Q4Panels.Activation#pairs}); the block sums are the same exact integers as the other readings'.
     */
    default boolean panelShortLevels() {
        return false;
    }

    /**
     * Decode GEMV over 16-row panels ({@link Q4Panels}): for panels g in [from, to) and rows r &lt; 16,
     * {@code y[yOff + 16g + r]} = row 16g + r · the activation row prepared in {@code a} by {@link Q4Panels#prepare}.
     * The panels of weight type {@code type} start at byte {@code pOff} of {@code p}, each
     * {@link Q4Panels#panelBytes} bytes. The specification, per row, in this order of float operations: total = 0; for
     * each block b, with the exact integer s = Σ_e q_e·q_a,e (as f32): {@code total = total + (scale·s − min·cb[b])·da[b]},
     * where Q4_0's min is its scale and Q4_K's scale and min are the f32 products d·sc and dmin·m; Q6_K, with s_A, s_B the sums over the block's two halves:
     * {@code total = total + ((scaleA·s_A − scaleA·cb[2b]) + (scaleB·s_B − scaleB·cb[2b+1]))·da[b]} (each product and
     * sum rounded to f32, no fused multiply-add) — so a vector implementation gives the same floats bit for bit.
     */
    void gemvQ4Panels(DType type, int from, int to, int cols, MemorySegment p, long pOff, Q4Panels.Activation a,
                      MemorySegment y, long yOff);

    /**
     * Batched quantized GEMM (prefill): {@code y[i·n + j] = W[j,:]·x[i,:]} for i &lt; m, j &lt; n. W holds n rows of
     * {@code k} elements of type {@code w} ({@code w.byteSize(k)} bytes each) at byte offset {@code wOff}; x is m×k
     * f32 row-major at element offset {@code xOff}; y is m×n f32 row-major at element offset {@code yOff}. Each
     * activation row is quantized once to {@link #activationType}; every entry equals what {@link #gemv} gives for
     * that activation row (this default is exactly m such calls; implementations reuse each unpacked weight block
     * for several activation rows and split the output columns over {@link Parallel}'s threads).
     */
    default void gemm(DType w, int m, int n, int k, MemorySegment wSeg, long wOff, MemorySegment x, long xOff,
                      MemorySegment y, long yOff) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm " + w + ": negative size m=" + m + " n=" + n + " k=" + k);
        }
        MemorySegment row = java.lang.foreign.Arena.ofAuto().allocate(4L * Math.max(n, 1), 4);
        for (int i = 0; i < m; i++) {
            gemv(w, n, k, wSeg, wOff, x, xOff + (long) i * k, row, 0);
            MemorySegment.copy(row, 0, y, 4L * (yOff + (long) i * n), 4L * n);
        }
    }
}
