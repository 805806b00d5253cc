package dev.minnow.nn;

import dev.minnow.kernels.CnnKernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Max and average pooling over NCHW F32 with PyTorch's semantics: padding (−∞ for max, zeros for average),
 * {@code ceil_mode} (a last window may start in the padding's right/bottom edge but not past it), and for average
 * pooling {@code count_include_pad}: the divisor counts padded cells but not cells beyond the padding that
 * ceil_mode adds.
 */
public final class Pool2d implements Layer {
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    private Pool2d(Kind kind, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException(kind + " pool: bad kernel=" + kernel + " stride=" + stride + " padding=" + padding
                    + " (padding must be at most half the kernel)");
        }
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    public static Pool2d max(int kernel, int stride, int padding, boolean ceilMode) {
        return new Pool2d(Kind.MAX, kernel, stride, padding, ceilMode, true);
    }

    public static Pool2d avg(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        return new Pool2d(Kind.AVG, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Output length along one axis (PyTorch's pooling_output_shape). */
    public int outputLength(int len) {
        int span = len + 2 * padding - kernel;
        if (span < 0) {
            throw new IllegalArgumentException(kind + " pool kernel " + kernel + " does not fit an input of " + len
                    + " with padding " + padding);
        }
        int o = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (o - 1) * stride >= len + padding) {
            o--;
        }
        return o;
    }

    @Override
    public Tensor forward(Tensor x) {
        long t0 = Profile.begin();
        Tensor y = forwardImpl(x);
        Profile.end("pool", t0, 0);
        return y;
    }

    private Tensor forwardImpl(Tensor x) {
        Buffers.checkNchw(kind + " pool", x, -1);
        int n = (int) x.dim(0), c = (int) x.dim(1), h = (int) x.dim(2), w = (int) x.dim(3);
        int ho = outputLength(h), wo = outputLength(w);
        Tensor y = Buffers.f32Overwritten(n, c, ho, wo);   // every output is written
        MemorySegment xs = x.segment(), ys = y.segment();
        if (kind == Kind.MAX) {
            maxPool(xs, ys, n * c, h, w, ho, wo);
            return y;
        }
        Parallel.forRange(n * c, 1, (from, to) -> {
            float[] xin = new float[h * w];
            float[] yout = new float[ho * wo];
            for (int p = from; p < to; p++) {
                MemorySegment.copy(xs, Tensor.F32_LE, (long) p * h * w * 4, xin, 0, h * w);
                int src = 0, dst = 0;
                for (int oy = 0; oy < ho; oy++) {
                    int y0 = oy * stride - padding;
                    int y1 = Math.min(y0 + kernel, h + padding);
                    for (int ox = 0; ox < wo; ox++) {
                        int x0 = ox * stride - padding;
                        int x1 = Math.min(x0 + kernel, w + padding);
                        int divisor = (y1 - y0) * (x1 - x0);
                        int ya = Math.max(y0, 0), yb = Math.min(y1, h), xa = Math.max(x0, 0), xb = Math.min(x1, w);
                        float s = 0f;
                        for (int iy = ya; iy < yb; iy++) {
                            for (int ix = xa; ix < xb; ix++) {
                                s += xin[src + iy * w + ix];
                            }
                        }
                        int d = countIncludePad ? divisor : (yb - ya) * (xb - xa);
                        yout[dst + oy * wo + ox] = s / d;
                    }
                }
                MemorySegment.copy(yout, 0, ys, Tensor.F32_LE, (long) p * ho * wo * 4, ho * wo);
            }
        });
        return y;
    }

    /**
     * Max pooling, {@link CnnKernels#maxPoolPlanes} over ranges of planes: windows clipped to the plane, which gives
     * PyTorch's −∞ padding and ceil_mode windows. Math.max: NaN propagates as in PyTorch.
     */
    private void maxPool(MemorySegment xs, MemorySegment ys, int planes, int h, int w, int ho, int wo) {
        int grain = Math.max(1, 16384 / Math.max(1, ho * wo * kernel));
        CnnKernels ck = CnnKernels.get();
        Parallel.forRange(planes, grain, (from, to) -> ck.maxPoolPlanes(kernel, stride, padding, xs, 0, h, w, ys, 0, ho, wo, from, to));
    }

    @Override
    public String toString() {
        return kind + "Pool2d(k" + kernel + ", s" + stride + ", p" + padding + (ceilMode ? ", ceil" : "") + ")";
    }
}
