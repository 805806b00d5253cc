package dev.minnow.kernels;

import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Kernels for sparse-activation FFN decoding: products that touch only a subset of a weight matrix's rows, and
 * column-sparse products over pre-transposed rows. The dense GEMV row kernels are reused, not copied (quantized rows
 * through {@link QuantKernels#gemv}'s row kernels, the activation quantized once per call; f16 rows through
 * {@link Kernels#gemvF16}, f32 rows through {@link Kernels#gemv}/{@link Kernels#dot}); only what has no dense kernel
 * lives here (an f16 dot, and the row-wise axpy of f32/f16/Q8_0 rows that a column-sparse down projection needs).
 *
 * <p>Offsets: weight buffers by <b>byte</b> offset, f32 buffers by <b>element</b> offset (as in {@link QuantKernels}).
 *
 * <p>The scalar implementation ({@code dev.minnow.kernels.scalar.ScalarSparseKernels}) is the specification. The
 * vector twin gives bit-identical results for the axpy kernels (the same float multiply and add per element, in
 * the same order: no FMA) and {@link #dotF16} within float reassociation.
 */
public interface SparseKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** Width of the vector species in bits, 0 for scalar. */
    int vectorBits();

    /** Σ f32(w[i])·x[i] for i &lt; n: w is n little-endian IEEE f16 values at byte offset wOff. */
    float dotF16(int n, MemorySegment w, long wOff, MemorySegment x, long xOff);

    /** y[i] = y[i] + a·w[i] (multiply, then add), w f32 at byte offset wOff. */
    void axpyF32(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff);

    /** y[i] = y[i] + a·f32(w[i]) (multiply, then add), w f16 at byte offset wOff. */
    void axpyF16(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff);

    /**
     * y[i] = y[i] + (a·d)·q[i] over n/32 Q8_0 blocks at byte offset wOff ({@code d} the block's f16 scale, {@code q}
     * its int8 quants): the axpy of a dequantized Q8_0 row without materialising it. n must be a multiple of 32.
     */
    void axpyQ8_0(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff);

    /**
     * Four row axpys of type t (F32, F16 or Q8_0) into the same y, in order: bit-identical to the single-row axpy
     * with (a0, row at byte w0), then a1, a2, a3 (the vector twin loads and stores y once for the four).
     */
    void axpy4(DType t, int n, MemorySegment w, float a0, long w0, float a1, long w1, float a2, long w2, float a3, long w3,
               MemorySegment y, long yOff);

    /** Whether {@link #gemvRows} takes rows of type {@code t} with {@code cols} elements. */
    static boolean supportsRows(DType t, int cols) {
        return switch (t) {
            case F32, F16 -> true;
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> cols % t.blockSize() == 0;
            default -> false;
        };
    }

    /** Whether {@link #axpyRows} takes rows of type {@code t} with {@code n} elements. */
    static boolean supportsAxpyRows(DType t, int n) {
        return t == DType.F32 || t == DType.F16 || t == DType.Q8_0 && n % 32 == 0;
    }

    /**
     * Row-sparse GEMV: {@code y[yOff + j] = W[r_j, :]·x} for j &lt; count, where r_j = {@code rows[j]} (or j when
     * {@code rows} is null). W is row-major with rows of {@code t.byteSize(cols)} bytes from byte offset wOff.
     * Every row runs the dense GEMV's own row kernel, so every entry is bit-identical to the same row of the dense
     * product, and packed rows (rows null) are exactly the dense GEMV over the first {@code count} rows.
     * Quantized t: x is quantized once to {@link QuantKernels#activationType} and the rows go through the dense
     * {@link QuantKernels#gemv}'s row kernels (the vector ones against an activation row prepared once per call and
     * thread); F16: x is first rounded through f16 (as ggml does before an f16 dot), then {@link Kernels#gemvF16}
     * (packed) or its rows one at a time (indexed); F32: {@link Kernels#gemv} (packed) or {@link Kernels#dot}.
     * Rows are split over {@link Parallel}'s threads when the segments are shareable.
     */
    void gemvRows(DType t, int count, int[] rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff,
                  MemorySegment y, long yOff);

    /**
     * Column-sparse product over pre-transposed rows: {@code y[yOff + i] = Σ_j coef[j]·W[rows[j], i]} for i &lt; n,
     * j &lt; count, where W holds rows of n elements of type t (F32, F16 or Q8_0) from byte offset wOff. y is
     * overwritten; every output element is accumulated from 0 in ascending j with {@link #axpyF32}/{@link #axpyF16}/
     * {@link #axpyQ8_0}, so the result does not depend on the thread count (the outputs, not the rows, are split
     * over threads).
     */
    void axpyRows(DType t, int count, int[] rows, float[] coef, int n, MemorySegment w, long wOff, MemorySegment y,
                  long yOff);

    /**
     * Byte offset, from the start of a Q8_0 matrix of {@code totalRows} rows of {@code n} elements in <b>panel
     * layout</b>, of block {@code block} of row {@code row}. Panel layout: the columns in panels of 64 (two blocks; the
     * last panel one block when n % 64 == 32); panel p holds, for every row in order, that row's blocks of the panel
     * (68 or 34 bytes), from byte p·totalRows·68. Same size as the row layout.
     */
    static long panelOffset(int n, int totalRows, int row, int block) {
        int p = block / 2;
        int width = 2L * (p + 1) * 32 <= n ? 68 : 34;
        return (long) p * totalRows * 68 + (long) row * width + (block % 2) * 34L;
    }

    /**
     * {@link #axpyRows} for a Q8_0 matrix in panel layout ({@link #panelOffset}): {@code y[yOff + i] =
     * Σ_j coef[j]·W[rows[j], i]} for i &lt; n (n a multiple of 32), with the same products and additions in the same
     * order as {@link #axpyQ8_0} over the rows (so bit-identical to {@code axpyRows} on the same matrix in row
     * layout). A panel holds the selected rows' pieces in ascending address order, so a pass over a panel streams
     * forward through memory instead of jumping a whole row per selected neuron.
     */
    void axpyPanelsQ8_0(int count, int[] rows, float[] coef, int n, int totalRows, MemorySegment w, long wOff, MemorySegment y,
                        long yOff);
}
