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
     * A stride-1, dilation-1, one-group convolution with a {@code kh × kw} kernel read as a pointwise one over
     * {@code K = cin·kh·kw} virtual input rows (implicit im2col): for output channels {@code o} in {@code [o0, o1)},
     * output rows {@code oy} in {@code [r0, r1)} and columns {@code ox < wo},
     * {@code y[yOff + o·ldy + oy·wo + ox] = act(bias[o] + Σ_{i<K} w[o·K + i] · x[xOff + c·hp·wp + (oy+ky)·wp + ox + kx])
     * + r[rOff + o·ldy + oy·wo + ox]} with {@code i = (c·kh + ky)·kw + kx} (the order of a {@code [cout, cin, kh, kw]}
     * weight tensor), summed bias first, then i ascending. x holds the cin input planes already zero-padded to
     * {@code hp × wp} (so {@code hp ≥ r1 − 1 + kh} and {@code wp ≥ wo − 1 + kw}); {@code packed} comes from
     * {@link #pack}{@code (cout, K, w)}. Otherwise as {@link #conv}.
     */
    void convKxK(int cout, int cin, int kh, int kw, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int hp,
                 int wp, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0, int o1, int r0, int r1);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static NchwPointwiseKernels get() {
        return NchwPointwiseKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static NchwPointwiseKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarNchwPointwiseKernels.INSTANCE;
    }
}
