package dev.minnow.kernels;

/**
 * Pixel-major (NHWC) convolutions whose every output pixel is a small matrix product over gathered input pixels:
 * 1×1 convolutions ({@code taps = 1}) and the non-overlapping phases of a transposed convolution ({@code taps} =
 * the kernel taps that land on one output phase). The bias, an activation and a residual add are fused into the
 * output pass, so each output element is written once.
 *
 * <p>Weights are packed once by {@link #pack} into the layout the implementation reads; pass the packed array to
 * {@link #conv}. Buffers are heap float arrays, offsets count elements. The scalar implementation
 * ({@code scalar.ScalarPointwiseConvKernels}) is the specification; the Vector API one
 * ({@code vector.VectorPointwiseConvKernels}) sums in another order and with FMA, so results agree within float
 * reassociation (bounded in its property test).
 */
public interface PointwiseConvKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /** Width of the vector species in bits, 0 for scalar. */
    int vectorBits();

    /**
     * Packs {@code w}, a row-major {@code cout × k} matrix ({@code k = taps·cin}, index {@code t·cin + ci}), for
     * {@link #conv}.
     */
    float[] pack(int cout, int k, float[] w);

    /**
     * For each pixel {@code j < n} and channel {@code co < cout}, with {@code o = outOff + j·outStride + co}:
     * {@code out[o] = act(bias[co] + Σ_{t<taps} Σ_{ci<cin} in[tapOff[t] + j·inStride + ci] · w[co][t·cin + ci])},
     * plus the previous {@code out[o]} when {@code residual} (added after the activation). {@code act} may be null
     * (identity), {@code bias} null (zero). {@code packed} comes from {@link #pack}{@code (cout, taps·cin, w)}.
     * Single-threaded; callers split pixels across threads.
     */
    void conv(int n, int cin, int taps, float[] in, int[] tapOff, int inStride, float[] packed, int cout, float[] bias,
              Activation act, boolean residual, float[] out, int outOff, int outStride);

    /**
     * A 1×1 convolution from pixel-major input to channel planes, for a network's narrow output layer:
     * {@code out[outOff + co·plane + j] = act(bias[co] + Σ_{ci<cin} in[inOff + j·cin + ci] · w[co·cin + ci])} for
     * {@code j < n}, {@code co < cout}; {@code w} row-major {@code cout × cin} (not packed), {@code act}/{@code bias}
     * may be null.
     */
    void convToPlanes(int n, int cin, float[] in, int inOff, float[] w, int cout, float[] bias, Activation act,
                      float[] out, int outOff, int plane);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector. */
    static PointwiseConvKernels get() {
        return PointwiseConvKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static PointwiseConvKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarPointwiseConvKernels.INSTANCE;
    }
}
