package dev.minnow.nn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.CnnKernels;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Squeeze-and-excitation (torchvision's {@code SqueezeExcitation}): per image, {@code s = mean_{HW}(x)},
 * {@code g = gate(fc2(inner(fc1(s))))}, output {@code x·g} per channel. fc1/fc2 are 1×1 convolutions with bias,
 * weights {@code [squeeze, C, 1, 1]} and {@code [C, squeeze, 1, 1]}. MobileNetV3 uses ReLU and hard-sigmoid. The input
 * may be channel-blocked ({@link Nchwc}); the output then is too.
 */
public final class SqueezeExcitation implements Layer {
    private final Tensor w1;
    private final Tensor b1;
    private final Tensor w2;
    private final Tensor b2;
    private final Activation inner;
    private final Activation gate;
    private final int channels;
    private final int squeeze;

    public SqueezeExcitation(Tensor fc1Weight, Tensor fc1Bias, Tensor fc2Weight, Tensor fc2Bias, Activation inner, Activation gate) {
        this.squeeze = Math.toIntExact(fc1Weight.dim(0));
        this.channels = Math.toIntExact(fc1Weight.dim(1));
        if (fc1Weight.elementCount() != (long) squeeze * channels || fc2Weight.elementCount() != (long) squeeze * channels
                || fc2Weight.dim(0) != channels || fc1Bias.elementCount() != squeeze || fc2Bias.elementCount() != channels) {
            throw new IllegalArgumentException("SqueezeExcitation: inconsistent shapes fc1 " + Arrays.toString(fc1Weight.shape())
                    + ", fc2 " + Arrays.toString(fc2Weight.shape()));
        }
        this.w1 = Buffers.asF32(fc1Weight);
        this.b1 = Buffers.asF32(fc1Bias);
        this.w2 = Buffers.asF32(fc2Weight);
        this.b2 = Buffers.asF32(fc2Bias);
        this.inner = inner;
        this.gate = gate;
    }

    @Override
    public Tensor forward(Tensor x) {
        long t0 = Profile.begin();
        Tensor y = forwardImpl(x);
        Profile.end("squeeze-excite", t0, 0);
        return y;
    }

    /** The channels it gates. */
    public int channels() {
        return channels;
    }

    private Tensor forwardImpl(Tensor x) {
        if (Nchwc.isBlocked(x)) {
            return forwardBlocked(x);
        }
        Buffers.checkNchw("SqueezeExcitation", x, channels);
        int n = (int) x.dim(0);
        int plane = (int) (x.dim(2) * x.dim(3));
        Tensor pooled = Ops.globalAveragePool(x);
        Tensor y = Ops.copy(x);
        Kernels k = KernelProvider.get();
        Tensor s = Buffers.f32(squeeze), g = Buffers.f32(channels);
        MemorySegment ys = y.segment();
        for (int b = 0; b < n; b++) {
            excite(k, pooled.segment(), (long) b * channels, s, g);
            for (int c = 0; c < channels; c++) {
                k.scale(plane, g.segment().getAtIndex(Tensor.F32_LE, c), ys, ((long) b * channels + c) * plane);
            }
        }
        return y;
    }

    /** The two small layers: {@code g = gate(fc2(inner(fc1(pooled[at..]))))}, {@code s} holding fc1's output. */
    private void excite(Kernels k, MemorySegment pooled, long at, Tensor s, Tensor g) {
        k.gemv(squeeze, channels, w1.segment(), 0, pooled, at, s.segment(), 0);
        k.add(squeeze, s.segment(), 0, b1.segment(), 0, s.segment(), 0);
        if (inner != null) {
            k.activate(inner, squeeze, s.segment(), 0);
        }
        k.gemv(channels, squeeze, w2.segment(), 0, s.segment(), 0, g.segment(), 0);
        k.add(channels, g.segment(), 0, b2.segment(), 0, g.segment(), 0);
        k.activate(gate, channels, g.segment(), 0);
    }

    /**
     * The same on a channel-blocked input ({@link Nchwc}), with a blocked output: the means and the scaling by
     * {@link CnnKernels#blockedMeans} and {@link CnnKernels#blockedScale}, the two small layers as for NCHW.
     */
    private Tensor forwardBlocked(Tensor x) {
        Nchwc.check("SqueezeExcitation", x, channels);
        int n = (int) x.dim(0), blocks = (int) x.dim(1), L = (int) x.dim(4);
        int plane = Math.toIntExact(x.dim(2) * x.dim(3));
        CnnKernels ck = CnnKernels.get();
        Kernels k = KernelProvider.get();
        Tensor y = Buffers.f32Overwritten(x.shape());
        float[] means = new float[blocks * L], gv = new float[channels];
        Tensor pooled = Buffers.f32(channels), s = Buffers.f32(squeeze), g = Buffers.f32(channels);
        MemorySegment xs = x.contiguous().segment(), ys = y.segment();
        long image = (long) blocks * plane * L;
        for (int b = 0; b < n; b++) {
            ck.blockedMeans(L, blocks, plane, xs, b * image, means);
            MemorySegment.copy(means, 0, pooled.segment(), Tensor.F32_LE, 0, channels);
            excite(k, pooled.segment(), 0, s, g);
            MemorySegment.copy(g.segment(), Tensor.F32_LE, 0, gv, 0, channels);
            ck.blockedScale(L, channels, plane, gv, xs, b * image, ys, b * image);
        }
        return y;
    }
}
