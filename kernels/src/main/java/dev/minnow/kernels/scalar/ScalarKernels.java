package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.BPanelSource;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.RopeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The specification: straightforward loops, accumulation in index order, single-threaded. */
public final class ScalarKernels implements Kernels {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    static float get(MemorySegment s, long i) { return s.getAtIndex(F32, i); }

    static void set(MemorySegment s, long i, float v) { s.setAtIndex(F32, i, v); }

    @Override public String name() { return "scalar"; }

    @Override public int vectorBits() { return 0; }

    @Override
    public float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += get(a, aOff + i) * get(b, bOff + i);
        }
        return s;
    }

    @Override
    public float sum(MemorySegment x, long xOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += get(x, xOff + i);
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int i = 0; i < n; i++) {
            set(y, yOff + i, get(y, yOff + i) + alpha * get(x, xOff + i));
        }
    }

    @Override
    public void scale(int n, float s, MemorySegment x, long xOff) {
        for (int i = 0; i < n; i++) {
            set(x, xOff + i, get(x, xOff + i) * s);
        }
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        for (int i = 0; i < n; i++) {
            set(out, outOff + i, get(a, aOff + i) + get(b, bOff + i));
        }
    }

    @Override
    public void mul(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        for (int i = 0; i < n; i++) {
            set(out, outOff + i, get(a, aOff + i) * get(b, bOff + i));
        }
    }

    @Override
    public void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int r = 0; r < rows; r++) {
            set(y, yOff + r, dot(w, wOff + (long) r * cols, x, xOff, cols));
        }
    }

    @Override
    public void gemvF16(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int r = 0; r < rows; r++) {
            float s = 0f;
            long row = wOff + (long) r * cols;
            for (int c = 0; c < cols; c++) {
                s += Float.float16ToFloat(w.getAtIndex(F16, row + c)) * get(x, xOff + c);
            }
            set(y, yOff + r, s);
        }
    }

    @Override
    public void convertF16(int n, MemorySegment src, long srcOff, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            set(dst, dstOff + i, Float.float16ToFloat(src.getAtIndex(F16, srcOff + i)));
        }
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     boolean bTransposed, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float bv = bTransposed ? get(b, bOff + (long) j * ldb + p) : get(b, bOff + (long) p * ldb + j);
                    s += get(a, aOff + (long) i * lda + p) * bv;
                }
                long ci = cOff + (long) i * ldc + j;
                set(c, ci, accumulate ? get(c, ci) + s : s);
            }
        }
    }

    /**
     * The specification: B's panels fetched 4 columns wide over the whole depth in {@link BPanelSource#DEPTH_ALIGN}
     * slices, then each entry summed over p in order as {@link #gemm} sums it (bit-identical to {@code gemm} on the
     * same B values).
     */
    @Override
    public void gemmPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b, MemorySegment c,
                            long cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        int width = 4;
        float[] panel = new float[Math.max(k, 1) * width];
        for (int j0 = 0; j0 < n; j0 += width) {
            int cols = Math.min(width, n - j0);
            for (int p0 = 0; p0 < k; p0 += BPanelSource.DEPTH_ALIGN) {
                b.pack(j0, cols, p0, Math.min(BPanelSource.DEPTH_ALIGN, k - p0), panel, p0 * width, width);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < cols; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += get(a, aOff + (long) i * lda + p) * panel[p * width + j];
                    }
                    long ci = cOff + (long) i * ldc + j0 + j;
                    set(c, ci, accumulate ? get(c, ci) + s : s);
                }
            }
        }
    }

    @Override
    public void rmsNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, float eps, MemorySegment out, long outOff) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            float v = get(x, xOff + i);
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            set(out, outOff + i, get(x, xOff + i) * inv * get(w, wOff + i));
        }
    }

    @Override
    public void layerNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                          float eps, MemorySegment out, long outOff) {
        float mean = 0f;
        for (int i = 0; i < n; i++) {
            mean += get(x, xOff + i);
        }
        mean /= n;
        float var = 0f;
        for (int i = 0; i < n; i++) {
            float d = get(x, xOff + i) - mean;
            var += d * d;
        }
        var /= n;
        float inv = (float) (1.0 / Math.sqrt(var + eps));
        for (int i = 0; i < n; i++) {
            float v = (get(x, xOff + i) - mean) * inv;
            if (w != null) {
                v *= get(w, wOff + i);
            }
            if (b != null) {
                v += get(b, bOff + i);
            }
            set(out, outOff + i, v);
        }
    }

    @Override
    public void softmax(int n, MemorySegment x, long xOff) {
        if (n == 0) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, get(x, xOff + i));
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(get(x, xOff + i) - max);
            set(x, xOff + i, e);
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            set(x, xOff + i, get(x, xOff + i) * inv);
        }
    }

    /** The scalar definition of each activation, shared with the vector kernels' tail loops. */
    public static float activation(Activation act, float v) {
        return switch (act) {
            case RELU -> v > 0f ? v : 0f;
            case RELU6 -> Math.min(Math.max(v, 0f), 6f);
            case SILU -> v / (1f + (float) Math.exp(-v));
            case GELU -> (float) (0.5 * v * (1.0 + erf(v / Math.sqrt(2.0))));
            case GELU_TANH -> (float) (0.5 * v * (1.0 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))));
            case SIGMOID -> 1f / (1f + (float) Math.exp(-v));
            case HARD_SIGMOID -> Math.min(Math.max(v / 6f + 0.5f, 0f), 1f);
            case HARD_SWISH -> v * Math.min(Math.max(v / 6f + 0.5f, 0f), 1f);
        };
    }

    @Override
    public void activate(Activation act, int n, MemorySegment x, long xOff) {
        for (int i = 0; i < n; i++) {
            set(x, xOff + i, activation(act, get(x, xOff + i)));
        }
    }

    @Override
    public void rope(RopeLayout layout, int nHeads, int headDim, int rotaryDim, float[] cos, float[] sin,
                     MemorySegment x, long xOff) {
        int half = rotaryDim / 2;
        for (int h = 0; h < nHeads; h++) {
            long base = xOff + (long) h * headDim;
            for (int i = 0; i < half; i++) {
                long i0 = layout == RopeLayout.INTERLEAVED ? base + 2L * i : base + i;
                long i1 = layout == RopeLayout.INTERLEAVED ? i0 + 1 : base + i + half;
                float x0 = get(x, i0);
                float x1 = get(x, i1);
                set(x, i0, x0 * cos[i] - x1 * sin[i]);
                set(x, i1, x0 * sin[i] + x1 * cos[i]);
            }
        }
    }

    @Override
    public int argmax(MemorySegment x, long xOff, int n) {
        int best = -1;
        float bv = Float.NaN;
        for (int i = 0; i < n; i++) {
            float v = get(x, xOff + i);
            if (best < 0 || (v > bv) || (Float.isNaN(bv) && !Float.isNaN(v))) {
                best = i;
                bv = v;
            }
        }
        return best;
    }

    @Override
    public int topK(MemorySegment x, long xOff, int n, int k, int[] outIdx) {
        int kk = Math.min(k, n);
        if (outIdx.length < kk) {
            throw new IllegalArgumentException("outIdx has " + outIdx.length + " slots, need " + kk);
        }
        // insertion into a sorted prefix: O(n·k), fine for the small k of sampling
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float v = get(x, xOff + i);
            if (Float.isNaN(v)) {
                continue;
            }
            if (filled == kk && !(v > get(x, xOff + outIdx[kk - 1]))) {
                continue;
            }
            int pos = filled == kk ? kk - 1 : filled++;
            while (pos > 0 && v > get(x, xOff + outIdx[pos - 1])) {
                outIdx[pos] = outIdx[pos - 1];
                pos--;
            }
            outIdx[pos] = i;
        }
        return filled;
    }

    /** erf to ~1e-7 absolute (Abramowitz–Stegun 7.1.26 is not enough for GELU tests; this uses a series/continued fraction split). */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // Maclaurin series: converges fast for |x| < 2.5 (≤ 60 terms)
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = sum * 1.1283791670955126; // 2/sqrt(pi)
        } else {
            // continued fraction for erfc, Lentz's method
            double x2 = ax * ax;
            double f = ax;
            double c = ax;
            double d = 0;
            for (int n = 1; n < 200; n++) {
                double an = n / 2.0;
                d = ax + an * d;
                d = d == 0 ? 1e-300 : 1 / d;
                c = ax + an / c;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) {
                    break;
                }
            }
            r = 1 - Math.exp(-x2) / (f * 1.7724538509055159);
        }
        return x < 0 ? -r : r;
    }
}
