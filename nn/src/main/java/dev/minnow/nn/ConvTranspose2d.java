package dev.minnow.nn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Transposed 2-D convolution with PyTorch's semantics and weight layout {@code [in, out/groups, kh, kw]}:
 * {@code H_out = (H−1)·s − 2p + d·(k−1) + output_padding + 1}. Computed as a GEMM into columns,
 * {@code cols[out_g·kh·kw, H·W] = Wᵀ_g · X_g} (Wᵀ prepared once at construction), then a col2im gather-add
 * per output channel (parallel over channels, so no two threads write the same plane).
 */
public final class ConvTranspose2d implements Layer {
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int padding;
    private final int outputPadding;
    private final int dilation;
    private final int groups;
    private final Tensor weightT;   // per group: [out_g·kh·kw, in_g], groups stacked
    private final Tensor bias;
    private final Activation activation;

    private ConvTranspose2d(int in, int out, int kh, int kw, int stride, int padding, int outputPadding, int dilation, int groups,
                            Tensor weightT, Tensor bias, Activation activation) {
        this.in = in;
        this.out = out;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.dilation = dilation;
        this.groups = groups;
        this.weightT = weightT;
        this.bias = bias;
        this.activation = activation;
    }

    /** {@code weight [in, out/groups, kh, kw]}, {@code bias [out]} or null. */
    public static ConvTranspose2d of(Tensor weight, Tensor bias, int stride, int padding, int outputPadding, int dilation, int groups) {
        if (weight.rank() != 4) {
            throw new IllegalArgumentException("ConvTranspose2d weight must be [in, out/groups, kh, kw], got " + Arrays.toString(weight.shape()));
        }
        if (stride < 1 || dilation < 1 || groups < 1 || padding < 0 || outputPadding < 0
                || outputPadding >= Math.max(stride, dilation)) {
            throw new IllegalArgumentException("ConvTranspose2d: bad stride=" + stride + " padding=" + padding + " output_padding="
                    + outputPadding + " dilation=" + dilation + " groups=" + groups);
        }
        int in = Math.toIntExact(weight.dim(0));
        int outG = Math.toIntExact(weight.dim(1));
        int kh = Math.toIntExact(weight.dim(2)), kw = Math.toIntExact(weight.dim(3));
        if (in % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: " + in + " input channels not divisible by groups=" + groups);
        }
        int out = outG * groups;
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw new IllegalArgumentException("ConvTranspose2d bias must be [" + out + "], got " + Arrays.toString(bias.shape()));
        }
        int inG = in / groups;
        int rows = outG * kh * kw;
        float[] w = Buffers.asF32(weight).toFloatArray();
        float[] t = new float[w.length];
        for (int g = 0; g < groups; g++) {
            for (int ci = 0; ci < inG; ci++) {
                for (int r = 0; r < rows; r++) {
                    t[g * rows * inG + r * inG + ci] = w[(g * inG + ci) * rows + r];
                }
            }
        }
        return new ConvTranspose2d(in, out, kh, kw, stride, padding, outputPadding, dilation, groups,
                Buffers.f32(t, (long) groups * rows, inG), bias == null ? null : Buffers.asF32(bias), null);
    }

    public ConvTranspose2d withActivation(Activation act) {
        return new ConvTranspose2d(in, out, kh, kw, stride, padding, outputPadding, dilation, groups, weightT, bias, act);
    }

    public int inChannels() { return in; }

    public int outChannels() { return out; }

    public int[] outputSize(int h, int w) {
        int ho = (h - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1;
        int wo = (w - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1;
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException("ConvTranspose2d gives an empty output for an input of " + h + "x" + w);
        }
        return new int[] {ho, wo};
    }

    public long macs(int h, int w) {
        return (long) in * (out / groups) * kh * kw * h * w;
    }

    @Override
    public Tensor forward(Tensor x) {
        Buffers.checkNchw("ConvTranspose2d", x, in);
        int n = (int) x.dim(0), h = (int) x.dim(2), w = (int) x.dim(3);
        int[] o = outputSize(h, w);
        int ho = o[0], wo = o[1];
        Tensor y = Buffers.f32(n, out, ho, wo);
        int inG = in / groups, outG = out / groups, rows = outG * kh * kw, hw = h * w;
        MemorySegment cols = Buffers.scratch((long) groups * rows * hw * 4);
        MemorySegment xs = x.segment(), ys = y.segment(), wt = weightT.segment();
        MemorySegment bs = bias == null ? null : bias.segment();
        Kernels k = KernelProvider.get();
        for (int b = 0; b < n; b++) {
            long xOff = (long) b * in * hw, yOff = (long) b * out * ho * wo;
            for (int g = 0; g < groups; g++) {
                k.gemm(rows, hw, inG, wt, (long) g * rows * inG, inG, xs, xOff + (long) g * inG * hw, hw, false,
                        cols, (long) g * rows * hw, hw, false);
            }
            Parallel.forRange(out, 1, (from, to) -> {
                float[] acc = new float[ho * wo];
                float[] colRow = new float[hw];
                for (int c = from; c < to; c++) {
                    int g = c / outG, co = c % outG;
                    long plane = yOff + (long) c * ho * wo;
                    java.util.Arrays.fill(acc, bs == null ? 0f : bs.getAtIndex(Tensor.F32_LE, c));
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            long row = ((long) g * rows + ((long) co * kh + ky) * kw + kx) * hw;
                            MemorySegment.copy(cols, Tensor.F32_LE, row * 4, colRow, 0, hw);
                            for (int iy = 0; iy < h; iy++) {
                                int oy = iy * stride - padding + ky * dilation;
                                if (oy < 0 || oy >= ho) {
                                    continue;
                                }
                                int orow = oy * wo, crow = iy * w;
                                for (int ix = 0; ix < w; ix++) {
                                    int ox = ix * stride - padding + kx * dilation;
                                    if (ox >= 0 && ox < wo) {
                                        acc[orow + ox] += colRow[crow + ix];
                                    }
                                }
                            }
                        }
                    }
                    MemorySegment.copy(acc, 0, ys, Tensor.F32_LE, plane * 4, ho * wo);
                    if (activation != null) {
                        k.activate(activation, ho * wo, ys, plane);
                    }
                }
            });
        }
        return y;
    }

    @Override
    public String toString() {
        return "ConvTranspose2d(" + in + "→" + out + ", k" + kh + "x" + kw + ", s" + stride + ", p" + padding
                + (outputPadding != 0 ? ", op" + outputPadding : "") + (groups != 1 ? ", g" + groups : "") + ")";
    }
}
