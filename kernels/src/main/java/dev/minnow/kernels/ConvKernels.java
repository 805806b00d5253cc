package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Convolution kernels that GEMM does not cover well: the depthwise convolution of mobile CNNs. All buffers are
 * little-endian f32 and offsets count elements. The scalar implementation ({@code scalar.ScalarConvKernels}) is the
 * specification; the Vector API one ({@code vector.VectorConvKernels}) must agree within its property test's bound.
 *
 * <p>Layout. The caller zero-pads one input channel and splits its columns into {@code stride} phases, so every
 * tap reads a contiguous run whatever the stride: phase {@code r} is an {@code hp × pw} plane at
 * {@code in[inOff + r·hp·pw]} holding {@code padded[y][x·stride + r]} at {@code [y·pw + x]}.
 */
public interface ConvKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /**
     * Depthwise k×k convolution of one channel (dilation 1):
     * {@code out[oy·wo + ox] = bias + Σ_{ky<k} Σ_{kx<k} w[ky·k + kx] · phase[kx % stride][(oy·stride + ky)·pw + ox + kx / stride]},
     * summed in that order (ky outer, kx inner) for {@code oy < ho, ox < wo}.
     */
    void depthwise(int k, int stride, MemorySegment in, long inOff, int hp, int pw,
                   MemorySegment w, long wOff, float bias, MemorySegment out, long outOff, int ho, int wo);

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static ConvKernels get() {
        return ConvKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static ConvKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarConvKernels.INSTANCE;
    }
}
