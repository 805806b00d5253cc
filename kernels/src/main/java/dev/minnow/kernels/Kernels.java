package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * f32 compute kernels. All buffers are little-endian f32 in {@link MemorySegment}s and all offsets, lengths and
 * leading dimensions count elements, not bytes. Implementations allocate nothing per call in their hot paths and
 * may run multi-threaded on {@link Parallel}'s pool ({@link #gemv}, {@link #gemm}) when every segment involved is
 * accessible from other threads (global, automatic or shared arenas); on confined memory they run on the caller.
 *
 * <p>The scalar implementation is the specification; a vector implementation must agree with it within the
 * bound stated in its property test.
 */
public interface Kernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** Width of the vector species in bits, 0 for scalar. */
    int vectorBits();

    // ---- level 1 ----

    /** Σ a[i]·b[i] for i < n. */
    float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n);

    /** Σ x[i]. */
    float sum(MemorySegment x, long xOff, int n);

    /** y[i] += alpha·x[i]. */
    void axpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** x[i] *= s, in place. */
    void scale(int n, float s, MemorySegment x, long xOff);

    /** out[i] = a[i] + b[i] (out may alias a or b). */
    void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff);

    /** out[i] = a[i]·b[i] (out may alias a or b). */
    void mul(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff);

    // ---- matrix ----

    /** y[r] = Σ_c w[r·cols + c]·x[c] for r < rows: W row-major, rows × cols. Multi-threaded by rows. */
    void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /**
     * y[r] = Σ_c f32(W[r,c])·x[c] for r &lt; rows, W an F16 (IEEE half, little-endian) row-major matrix at element
     * offset {@code wOff}: the decode product of F16 weights, reading 2 bytes per weight. Every half converts exactly
     * as {@link Float#float16ToFloat}. Multi-threaded like {@link #gemv}.
     */
    void gemvF16(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** dst[i] = {@link Float#float16ToFloat}(src[i]) for i &lt; n, src F16 little-endian; offsets in elements. Exact. */
    void convertF16(int n, MemorySegment src, long srcOff, MemorySegment dst, long dstOff);

    /**
     * out[s] = scale·Σ_{i &lt; len} x[xOff + i]·a[aOff + i·stride + s] for s &lt; n (offsets in elements): attention
     * scores over keys stored transposed (one row per key dimension, positions along it), the sum over i in order,
     * each step {@code t + x·a} (the vector kernels fuse it where the CPU has FMA: within len·2^-24·Σ|x·a| of this).
     */
    default void dotColumns(int n, int len, MemorySegment a, long aOff, long stride, MemorySegment x, long xOff, float scale,
                            float[] out) {
        for (int s = 0; s < n; s++) {
            float t = 0f;
            for (int i = 0; i < len; i++) {
                t = t + x.getAtIndex(F16Panels.F32, xOff + i) * a.getAtIndex(F16Panels.F32, aOff + i * stride + s);
            }
            out[s] = t * scale;
        }
    }

    /**
     * y[yOff + i] += Σ_s coef[s]·v[vOff + s·stride + i] for i &lt; len, the rows in order s = 0..n−1: the attention's
     * weighted sum of the values, one call for all positions, the same floats as n {@link #axpy} calls.
     */
    default void axpyRows(int n, int len, float[] coef, MemorySegment v, long vOff, long stride, MemorySegment y, long yOff) {
        for (int s = 0; s < n; s++) {
            axpy(len, coef[s], v, vOff + s * stride, y, yOff);
        }
    }

    /**
     * y[16g + r] = Σ_c f32(W[16g + r, c])·x[c] for the 16 rows r of each panel g in [from, to) of F16 weights packed
     * by {@link F16Panels#pack} (panel g at byte {@code pOff + g·32·cols}); offsets of x and y in elements. Per row,
     * element c goes into partial sum c mod 4 and the row is (s0 + s1) + (s2 + s3) ({@link F16Panels#gemvSpec}, which
     * this default runs): bit for bit when x holds F16 values, whose products with the weights are exact. One thread.
     */
    default void gemvF16Panels(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                               MemorySegment y, long yOff) {
        F16Panels.gemvSpec(from, to, cols, p, pOff, x, xOff, y, yOff);
    }

    /**
     * {@code panel[off + q·width + j] = f32(W[r0 + j, k0 + q])} for j &lt; rows, q &lt; kc, and 0 for rows ≤ j &lt;
     * width, W's rows read from F16 panels ({@link F16Panels}): the prefill GEMM's B panel, exact.
     */
    default void f16FromPanels(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows, float[] panel,
                               int off, int width) {
        F16Panels.fromPanelsSpec(cols, k0, kc, p, pOff, r0, rows, panel, off, width);
    }

    /**
     * C = A·op(B) (or C += when {@code accumulate}). A is m × k with row stride lda; op(B) is k × n: when
     * {@code bTransposed} B is stored n × k (row stride ldb, the layout of linear-layer weights [out, in]),
     * otherwise k × n. C is m × n with row stride ldc. Multi-threaded.
     */
    void gemm(int m, int n, int k,
              MemorySegment a, long aOff, int lda,
              MemorySegment b, long bOff, int ldb, boolean bTransposed,
              MemorySegment c, long cOff, int ldc, boolean accumulate);

    /**
     * C = A·op(B) (or C += when {@code accumulate}) with op(B) (k × n) delivered by {@code b} as packed panels
     * ({@link BPanelSource}) instead of read from memory: the prefill product of quantized weights, dequantized
     * straight into the layout the GEMM's micro-kernel reads. A and C as in {@link #gemm}. Every entry of B is asked
     * for equally often: once per call, or once per chunk of A's rows when A is large (the vector GEMM packs up to
     * 32 MiB of A at a time). Multi-threaded when A and C are shareable; {@code b} must then be safe to call from
     * several threads at once.
     */
    void gemmPackedB(int m, int n, int k,
                     MemorySegment a, long aOff, int lda,
                     BPanelSource b,
                     MemorySegment c, long cOff, int ldc, boolean accumulate);

    // ---- normalisation and activations ----

    /** out[i] = x[i] / sqrt(mean(x²) + eps) · w[i]. out may alias x. */
    void rmsNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, float eps, MemorySegment out, long outOff);

    /**
     * out[i] = (x[i] − mean) / sqrt(var + eps) · w[i] + b[i], with the biased variance; w and b may be null
     * (then 1 and 0). out may alias x.
     */
    void layerNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                   float eps, MemorySegment out, long outOff);

    /** Numerically stable softmax in place: exp(x − max) / Σ. */
    void softmax(int n, MemorySegment x, long xOff);

    /** Applies {@code act} to x[0..n) in place. */
    void activate(Activation act, int n, MemorySegment x, long xOff);

    /**
     * Rotates {@code nHeads} heads of {@code headDim} floats starting at {@code xOff} in place, on the first
     * {@code rotaryDim} dims of each head, with cos[i], sin[i] (i &lt; rotaryDim/2) for pair i at this position.
     */
    void rope(RopeLayout layout, int nHeads, int headDim, int rotaryDim, float[] cos, float[] sin,
              MemorySegment x, long xOff);

    // ---- selection ----

    /** Index of the largest of x[0..n); the lowest index wins ties; NaN is never chosen unless all are NaN; -1 when n == 0. */
    int argmax(MemorySegment x, long xOff, int n);

    /**
     * Writes the indices of the k largest values into {@code outIdx[0..k)}, largest first, ties to the lower
     * index; returns min(k, n).
     */
    int topK(MemorySegment x, long xOff, int n, int k, int[] outIdx);
}
