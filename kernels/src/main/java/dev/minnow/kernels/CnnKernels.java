package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The CNN kernels around GEMM: a depthwise convolution with its bias and activation fused, reading a zero-padded,
 * column-phase-split plane from a heap array (the caller fills it with bulk row copies), and the bias-plus-activation
 * epilogue of GEMM-based convolutions. The scalar implementation ({@code scalar.ScalarCnnKernels}) is the
 * specification; the Vector API one ({@code vector.VectorCnnKernels}) must agree within its property test's bound.
 *
 * <p>Plane layout (as {@link ConvKernels}): phase {@code r < stride} is an {@code hp × pw} plane at
 * {@code in[inOff + r·hp·pw]} holding {@code padded[y][x·stride + r]} at {@code [y·pw + x]}.
 *
 * <p>Activations: {@code act} null means identity; otherwise the value is {@code ScalarKernels.activation(act, v)}.
 */
public interface CnnKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /**
     * Depthwise k×k convolution of one channel, bias and activation fused:
     * {@code out[outOff + oy·wo + ox] = act(bias + Σ_{ky<k} Σ_{kx<k} w[wOff + ky·k + kx] · phase[kx % stride][(oy·stride + ky)·pw + ox + kx / stride])},
     * summed in that order (bias first, ky outer, kx inner) for {@code oy < ho, ox < wo}.
     */
    void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias,
                   Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * Depthwise k×k convolution of {@code channels} consecutive channels read in place from their unpadded
     * {@code h × w} planes (channel c at {@code xOff + c·h·w}), bias and activation fused: for channel c,
     * {@code out[outOff + c·ho·wo + oy·wo + ox] = act(b_c + Σ_{ky<k} Σ_{kx<k} wt[wOff + c·k² + ky·k + kx] · in_c(oy·stride + ky − padH, ox·stride + kx − padW))}
     * with {@code in_c(y, x) = x[xOff + c·h·w + y·w + x]} inside the plane and 0 outside, {@code b_c = bias[biasOff + c]}
     * (0 when {@code bias} is null), summed in that order (bias first, ky outer, kx inner) for {@code oy < ho, ox < wo}.
     * The implementation keeps its own per-thread scratch.
     */
    void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                           float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * {@link #depthwiseChannels} at stride 1: same definition, same summation order per output (so, without FMA,
     * bit-identical), a different blocking: the vector implementation computes 3×3 (and wide 5×5) output rows in
     * pairs on a zero-padded heap copy of the plane (each shared input row is loaded once for both). Own per-thread
     * scratch.
     */
    void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                          float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * Max pooling of one plane already padded (with −∞ or anything that cannot win) in a heap array of row stride
     * {@code wp}: {@code out[outOff + oy·wo + ox] = max_{ky<k, kx<k} in[inOff + (oy·stride + ky)·wp + ox·stride + kx]}
     * with {@link Math#max(float, float)}'s semantics (NaN wins), for {@code oy < ho, ox < wo}. Exact.
     */
    void maxPool(int k, int stride, float[] in, int inOff, int wp, float[] out, int outOff, int ho, int wo);

    /** {@code y[off + i] = act(y[off + i] + bias)} for {@code i < n} (F32 little-endian, offsets in elements). */
    void biasActivate(int n, float bias, Activation act, MemorySegment y, long off);

    /**
     * Pointwise (1×1) convolution of pixels {@code [p0, p1)} with bias and activation fused, reading the input in place:
     * {@code y[yOff + o·ldy + p] = act(bias[o] + Σ_{i<cin} w[o·cin + i] · x[xOff + i·ldx + p])} for {@code o < cout},
     * summed bias first (0 when {@code bias} is null), then i ascending.
     */
    void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                   MemorySegment y, long yOff, int ldy, int p0, int p1);

    /**
     * Direct convolution as shifted pointwise products (stride 1, no im2col): for pixels {@code p} in {@code [p0, p1)} of
     * a grid laid out like the zero-padded input,
     * {@code y[yOff + o·ldy + p] = act(bias[o] + Σ_{i<cin} Σ_{t<taps} w[(o·cin + i)·taps + t] · x[xOff + i·ldx + p + tapOff[t]])},
     * summed bias first (0 when null), then i outer, t inner. Weights in PyTorch's {@code [out, in, kh, kw]} order
     * when {@code tapOff[ky·kw + kx] = ky·dh·wp + kx·dw}.
     */
    void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x, int xOff,
                     int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1);

    /**
     * Splits interleaved pairs (the column phases of a stride-2 convolution): {@code even[evenOff + j] = src[srcOff + 2j]}
     * and {@code odd[oddOff + j] = src[srcOff + 2j + 1]} for {@code j < pairs}. {@code even} and {@code odd} may be the
     * same array (disjoint ranges).
     */
    void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static CnnKernels get() {
        return CnnKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static CnnKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarCnnKernels.INSTANCE;
    }
}
