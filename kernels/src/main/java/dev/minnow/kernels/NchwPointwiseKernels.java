package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Pointwise (1×1) convolution of channel planes (NCHW, the CNN path's layout) with weights packed once at load and the
 * bias, an activation and a residual add fused into the output pass. The input is read in place from its planes; the
 * implementation copies the pixel block it works on into its own scratch (cin × block floats per call, against
 * cout × cin × block multiply-adds).
 *
 * <p>The scalar implementation ({@code scalar.ScalarNchwPointwiseKernels}) is the specification; the Vector API one
 * ({@code vector.VectorNchwPointwiseKernels}) sums every output in the same order (bias first, then input channels
 * ascending), so it agrees bit for bit without FMA and within FMA's skipped product roundings with it.
 */
public interface NchwPointwiseKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** Packs {@code w}, a row-major {@code cout × cin} matrix, into the layout {@link #conv} reads. */
    float[] pack(int cout, int cin, float[] w);

    /**
     * For output channels {@code o} in {@code [o0, o1)} and pixels {@code p} in {@code [p0, p1)}:
     * {@code y[yOff + o·ldy + p] = act(bias[o] + Σ_{i<cin} w[o·cin + i] · x[xOff + i·ldx + p]) + r[rOff + o·ldy + p]},
     * summed bias first (0 when {@code bias} is null), then i ascending; {@code act} null is the identity and the residual
     * term is absent when {@code r} is null ({@code r} may be {@code y} itself). {@code packed} comes from
     * {@link #pack}{@code (cout, cin, w)}. F32 little-endian segments, offsets in elements. Single-threaded: callers split
     * output channels or pixels across threads.
     */
    void conv(int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
              MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int o0, int o1, int p0, int p1);

    /**
     * A one-group, dilation-1 convolution with a {@code kh × kw} kernel and stride {@code st} read as a pointwise one
     * over {@code K = cin·kh·kw} virtual input rows (implicit im2col), on input split into column and row phases: plane c
     * of the zero-padded input P_c is given as st·st phase planes of {@code hq × wq}, phase (ry, rx) at
     * {@code xOff + ((c·st + ry)·st + rx)·hq·wq} holding {@code P_c[y·st + ry][x·st + rx]} at {@code y·wq + x} (for
     * st = 1: the padded plane itself). For output channels {@code o} in {@code [o0, o1)}, output rows {@code oy} in
     * {@code [r0, r1)} and columns {@code ox < wo}: {@code y[yOff + o·ldy + oy·wo + ox] = act(bias[o] + Σ_{i<K} w[o·K + i]
     * · P_c[oy·st + ky][ox·st + kx]) + r[rOff + o·ldy + oy·wo + ox]} with {@code i = (c·kh + ky)·kw + kx} (the order of a
     * {@code [cout, cin, kh, kw]} weight tensor), summed bias first, then i ascending; so tap (ky, kx) reads phase
     * (ky mod st, kx mod st) at row {@code oy + ky/st}, column {@code ox + kx/st}, and the phases must hold
     * {@code hq ≥ r1 − 1 + (kh − 1)/st + 1} rows and {@code wq ≥ wo − 1 + (kw − 1)/st + 1} columns. {@code packed} comes
     * from {@link #pack}{@code (cout, K, w)}. Otherwise as {@link #conv}.
     */
    void convKxK(int cout, int cin, int kh, int kw, int st, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff,
                 int hq, int wq, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0, int o1, int r0, int r1);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static NchwPointwiseKernels get() {
        return NchwPointwiseKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static NchwPointwiseKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarNchwPointwiseKernels.INSTANCE;
    }
}
