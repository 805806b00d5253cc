package dev.minnow.nn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.Int8ConvKernels;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * One {@link Conv2d} in integers ({@link Int8Quantization} describes the scheme). The input is quantized to uint8
 * codes stored shifted as int8 ({@code code − 128}, so the products fit {@link Int8ConvKernels}); a padding cell
 * holds the zero point, i.e. the real value 0. Per output channel {@code c}:
 * {@code acc = Σ w_q·x_s − zp_s·Σ w_q = Σ w_q·(x_s − zp_s)} in int32, then the fused epilogue
 * {@code y = acc·(s_in·scale_c) + bias_c}, the activation, F32 out. Depthwise convolutions run an integer loop per
 * channel over a zero-centred padded plane; everything else is a (transposed) im2col + {@link Int8ConvKernels#gemm}
 * per group, pointwise without the im2col.
 */
final class Int8Conv {
    private final Conv2d conv;
    private final int in, out, groups, kh, kw, sh, sw, ph, pw, dh, dw;
    private final byte[] wq;        // [out, in/groups·kh·kw]
    private final float[] wScale;
    private final int[] wSum;
    private final float[] bias;
    private final Activation act;
    private final float sIn;
    private final int zpIn;         // 0..255
    private final boolean depthwise, pointwise;

    private Int8Conv(Conv2d c, byte[] wq, float[] wScale, int[] wSum, float sIn, int zpIn) {
        this.conv = c;
        int[] g = c.geometry();
        kh = g[0]; kw = g[1]; sh = g[2]; sw = g[3]; ph = g[4]; pw = g[5]; dh = g[6]; dw = g[7];
        in = c.inChannels();
        out = c.outChannels();
        groups = c.groups();
        this.wq = wq;
        this.wScale = wScale;
        this.wSum = wSum;
        this.bias = c.bias() == null ? new float[out] : c.bias().toFloatArray();
        this.act = c.activation();
        this.sIn = sIn;
        this.zpIn = zpIn;
        depthwise = groups == in && groups == out && dh == 1 && dw == 1;
        pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && groups == 1;
    }

    /** Quantizes {@code c}'s weights per output channel and its input over [{@code min}, {@code max}] ∪ {0}. */
    static Int8Conv of(Conv2d c, float min, float max) {
        float[] w = c.weight().toFloatArray();
        int out = c.outChannels(), per = w.length / out;
        byte[] q = new byte[w.length];
        float[] scale = new float[out];
        int[] sum = new int[out];
        for (int o = 0; o < out; o++) {
            float m = 0;
            for (int i = 0; i < per; i++) {
                m = Math.max(m, Math.abs(w[o * per + i]));
            }
            scale[o] = m > 0 ? m / 127f : 1f;
            for (int i = 0; i < per; i++) {
                int v = (int) Math.max(-127, Math.min(127, Math.rint(w[o * per + i] / scale[o])));
                q[o * per + i] = (byte) v;
                sum[o] += v;
            }
        }
        double lo = Math.min(0, min), hi = Math.max(0, max);
        float s = hi > lo ? (float) ((hi - lo) / 255) : 1f;
        int zp = (int) Math.max(0, Math.min(255, Math.rint(-lo / s)));
        return new Int8Conv(c, q, scale, sum, s, zp);
    }

    /** The weights as the integer path sees them: {@code w_q·scale_c}. */
    float[] dequantizedWeights() {
        float[] w = new float[wq.length];
        int per = wq.length / out;
        for (int i = 0; i < w.length; i++) {
            w[i] = wq[i] * wScale[i / per];
        }
        return w;
    }

    float inputScale() { return sIn; }

    int inputZeroPoint() { return zpIn; }

    /** uint8 code of {@code v}: {@code clamp(rint(v/s) + zp, 0, 255)}. */
    static int quantize(float v, float s, int zp) {
        return (int) Math.max(0, Math.min(255, Math.rint(v / s) + zp));
    }

    Tensor forward(Tensor x) {
        Buffers.checkNchw("Conv2d (int8)", x, in);
        int n = (int) x.dim(0), h = (int) x.dim(2), w = (int) x.dim(3);
        int[] o = conv.outputSize(h, w);
        int ho = o[0], wo = o[1];
        Tensor y = Buffers.f32(n, out, ho, wo);
        int plane = h * w;
        float[] xf = new float[in * plane];
        byte[] xq = new byte[in * plane];
        for (int b = 0; b < n; b++) {
            MemorySegment.copy(x.segment(), Tensor.F32_LE, (long) b * in * plane * 4, xf, 0, xf.length);
            Parallel.forRange(xf.length, 16384, (from, to) -> {
                for (int i = from; i < to; i++) {
                    xq[i] = (byte) (quantize(xf[i], sIn, zpIn) - 128);
                }
            });
            long yOff = (long) b * out * ho * wo;
            if (depthwise) {
                depthwise(xq, h, w, y.segment(), yOff, ho, wo);
            } else {
                gemmPath(xq, h, w, y.segment(), yOff, ho, wo);
            }
        }
        return y;
    }

    private void depthwise(byte[] xq, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int hp = h + 2 * ph, wp = w + 2 * pw, taps = kh * kw;
        int zs = zpIn - 128;
        Kernels k = KernelProvider.get();
        Parallel.forRange(out, 1, (from, to) -> {
            int[] pad = new int[hp * wp];   // zero-centred codes; the border stays 0 (= the zero point)
            int[] acc = new int[ho * wo];
            float[] row = new float[ho * wo];
            for (int c = from; c < to; c++) {
                int base = c * h * w;
                for (int iy = 0; iy < h; iy++) {
                    int d = (iy + ph) * wp + pw, s = base + iy * w;
                    for (int ix = 0; ix < w; ix++) {
                        pad[d + ix] = xq[s + ix] - zs;
                    }
                }
                java.util.Arrays.fill(acc, 0);
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int wt = wq[c * taps + ky * kw + kx];
                        for (int oy = 0; oy < ho; oy++) {
                            int src = (oy * sh + ky) * wp + kx, dst = oy * wo;
                            if (sw == 1) {
                                for (int ox = 0; ox < wo; ox++) {
                                    acc[dst + ox] += wt * pad[src + ox];
                                }
                            } else {
                                for (int ox = 0; ox < wo; ox++) {
                                    acc[dst + ox] += wt * pad[src + ox * sw];
                                }
                            }
                        }
                    }
                }
                float scale = sIn * wScale[c], bc = bias[c];
                for (int i = 0; i < acc.length; i++) {
                    row[i] = acc[i] * scale + bc;
                }
                long off = yOff + (long) c * ho * wo;
                MemorySegment.copy(row, 0, ys, Tensor.F32_LE, off * 4, row.length);
                if (act != null) {
                    k.activate(act, row.length, ys, off);
                }
            }
        });
    }

    private void gemmPath(byte[] xq, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int inG = in / groups, outG = out / groups;
        int rows = inG * kh * kw, cols = ho * wo;
        byte zs = (byte) (zpIn - 128);
        byte[] colT = new byte[cols * rows];
        int[] acc = new int[out * cols];
        Int8ConvKernels ik = Int8ConvKernels.get();
        for (int g = 0; g < groups; g++) {
            int cBase = g * inG;
            if (pointwise) {
                Parallel.forRange(cols, 256, (from, to) -> {
                    for (int j = from; j < to; j++) {
                        for (int ci = 0; ci < inG; ci++) {
                            colT[j * rows + ci] = xq[(cBase + ci) * cols + j];
                        }
                    }
                });
            } else {
                Parallel.forRange(ho, 1, (from, to) -> {
                    for (int oy = from; oy < to; oy++) {
                        for (int ox = 0; ox < wo; ox++) {
                            int d = (oy * wo + ox) * rows;
                            for (int ci = 0; ci < inG; ci++) {
                                int base = (cBase + ci) * h * w;
                                for (int ky = 0; ky < kh; ky++) {
                                    int iy = oy * sh - ph + ky * dh;
                                    for (int kx = 0; kx < kw; kx++) {
                                        int ix = ox * sw - pw + kx * dw;
                                        colT[d++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? xq[base + iy * w + ix] : zs;
                                    }
                                }
                            }
                        }
                    }
                });
            }
            int gw = g * outG * rows, gc = g * outG * cols;
            Parallel.forRange(cols, Math.max(2, 16384 / Math.max(1, rows * outG / 64)), (from, to) ->
                    ik.gemm(outG, to - from, rows, wq, gw, rows, colT, from * rows, rows, acc, gc + from, cols));
        }
        Kernels k = KernelProvider.get();
        int zsi = zs;
        Parallel.forRange(out, Math.max(1, 16384 / Math.max(1, cols)), (from, to) -> {
            float[] row = new float[cols];
            for (int c = from; c < to; c++) {
                float scale = sIn * wScale[c], bc = bias[c];
                int corr = zsi * wSum[c], base = c * cols;
                for (int i = 0; i < cols; i++) {
                    row[i] = (acc[base + i] - corr) * scale + bc;
                }
                long off = yOff + (long) c * cols;
                MemorySegment.copy(row, 0, ys, Tensor.F32_LE, off * 4, cols);
                if (act != null) {
                    k.activate(act, cols, ys, off);
                }
            }
        });
    }
}
