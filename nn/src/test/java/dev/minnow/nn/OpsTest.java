package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.Activation;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pooling, squeeze-excitation and the structural ops against plain references. */
class OpsTest {

    /** PyTorch pooling with ceil_mode, written out independently of Pool2d. */
    private static double[] poolRef(float[] x, int planes, int h, int w, int k, int s, int p, boolean ceil, boolean max, boolean countPad,
                                    int[] outHw) {
        int ho = outLen(h, k, s, p, ceil), wo = outLen(w, k, s, p, ceil);
        outHw[0] = ho;
        outHw[1] = wo;
        double[] out = new double[planes * ho * wo];
        for (int q = 0; q < planes; q++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double m = Double.NEGATIVE_INFINITY, sum = 0;
                    int cnt = 0, valid = 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - p + ky, ix = ox * s - p + kx;
                            if (iy >= h + p || ix >= w + p) {
                                continue; // beyond the padding: ceil_mode overhang, never counted
                            }
                            cnt++;
                            if (iy < 0 || ix < 0 || iy >= h || ix >= w) {
                                continue;
                            }
                            valid++;
                            double v = x[(q * h + iy) * w + ix];
                            m = Math.max(m, v);
                            sum += v;
                        }
                    }
                    out[(q * ho + oy) * wo + ox] = max ? m : sum / (countPad ? cnt : valid);
                }
            }
        }
        return out;
    }

    private static int outLen(int len, int k, int s, int p, boolean ceil) {
        double v = (len + 2.0 * p - k) / s;
        int o = (int) (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
        if (ceil && (o - 1) * s >= len + p) {
            o--;
        }
        return o;
    }

    @Test
    void poolingMatchesReference() {
        long seed = Gen.seed("pool-random");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 200; iter++) {
            int k = 1 + r.nextInt(4), s = 1 + r.nextInt(3), p = r.nextInt(k / 2 + 1);
            int h = Math.max(1, k - 2 * p) + r.nextInt(9), w = Math.max(1, k - 2 * p) + r.nextInt(9);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(3);
            boolean ceil = r.nextBoolean(), max = r.nextBoolean(), countPad = r.nextBoolean();
            float[] x = Gen.floats(r, n * c * h * w);
            Pool2d pool = max ? Pool2d.max(k, s, p, ceil) : Pool2d.avg(k, s, p, ceil, countPad);
            int[] o = new int[2];
            double[] want = poolRef(x, n * c, h, w, k, s, p, ceil, max, countPad, o);
            Tensor y = pool.forward(Buffers.f32(x, n, c, h, w));
            String ctx = "iter " + iter + " seed=" + seed + " " + pool + " on " + h + "x" + w;
            assertArrayEquals(new long[] {n, c, o[0], o[1]}, y.shape(), ctx);
            float[] got = y.toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(want[i], got[i], 1e-6, ctx + " at " + i);
            }
        }
    }

    /** erf in double: Taylor series below 3, the asymptotic erfc series above (both far below 1e-9 here). */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double inv = 1 / (2 * a * a), t = 1, s = 1;
            for (int k = 1; k < 8; k++) {
                t *= -(2 * k - 1) * inv;
                s += t;
            }
            r = 1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * s;
        }
        return Math.copySign(r, x);
    }

    /** Every activation through Ops.activate (chunked, parallel) against its formula, over chunk boundaries. */
    @Test
    void activationsOverChunks() {
        long seed = Gen.seed("ops-activate");
        SplittableRandom r = new SplittableRandom(seed);
        int n = 40_000;
        float[] x = Gen.floats(r, n, -8, 8);
        Tensor t = Buffers.f32(x, 4, 10_000);
        for (Activation a : Activation.values()) {
            float[] y = Ops.activate(a, t).toFloatArray();
            for (int i = 0; i < n; i++) {
                double v = x[i];
                double want = switch (a) {
                    case RELU -> Math.max(v, 0);
                    case RELU6 -> Math.min(Math.max(v, 0), 6);
                    case SILU -> v / (1 + Math.exp(-v));
                    case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                    case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                    case SIGMOID -> 1 / (1 + Math.exp(-v));
                    case HARD_SIGMOID -> Math.min(Math.max(v / 6 + 0.5, 0), 1);
                    case HARD_SWISH -> v * Math.min(Math.max(v / 6 + 0.5, 0), 1);
                };
                assertEquals(want, y[i], 2e-6 * Math.max(1, Math.abs(want)), a + " at " + i + " x=" + v + " seed=" + seed);
            }
        }
        assertArrayEquals(x, t.toFloatArray(), "input untouched");
    }

    @Test
    void squeezeNetMaxPoolCeilMode() {
        // 3x3 stride 2 ceil_mode on 111 → 55, on 55 → 27, on 27 → 13 (SqueezeNet 1.1's feature sizes)
        Pool2d pool = Pool2d.max(3, 2, 0, true);
        assertEquals(55, pool.outputLength(111));
        assertEquals(27, pool.outputLength(55));
        assertEquals(13, pool.outputLength(27));
        assertEquals(56, pool.outputLength(112)); // ceil: a last window that hangs over the edge
        assertEquals(55, Pool2d.max(3, 2, 0, false).outputLength(112));
    }

    @Test
    void squeezeExcitationAndStructuralOps() {
        long seed = Gen.seed("se-ops");
        SplittableRandom r = new SplittableRandom(seed);
        int n = 2, c = 5, sq = 3, h = 4, w = 3;
        float[] x = Gen.floats(r, n * c * h * w);
        float[] w1 = Gen.floats(r, sq * c), b1 = Gen.floats(r, sq), w2 = Gen.floats(r, c * sq), b2 = Gen.floats(r, c);
        SqueezeExcitation se = new SqueezeExcitation(Tensor.of(w1, sq, c, 1, 1), Tensor.of(b1), Tensor.of(w2, c, sq, 1, 1), Tensor.of(b2),
                Activation.RELU, Activation.HARD_SIGMOID);
        float[] got = se.forward(Buffers.f32(x, n, c, h, w)).toFloatArray();
        for (int b = 0; b < n; b++) {
            double[] mean = new double[c];
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h * w; i++) {
                    mean[ch] += x[(b * c + ch) * h * w + i] / (double) (h * w);
                }
            }
            double[] s = new double[sq];
            for (int j = 0; j < sq; j++) {
                s[j] = b1[j];
                for (int ch = 0; ch < c; ch++) {
                    s[j] += w1[j * c + ch] * mean[ch];
                }
                s[j] = Math.max(0, s[j]);
            }
            for (int ch = 0; ch < c; ch++) {
                double g = b2[ch];
                for (int j = 0; j < sq; j++) {
                    g += w2[ch * sq + j] * s[j];
                }
                g = Math.min(1, Math.max(0, g / 6 + 0.5));
                for (int i = 0; i < h * w; i++) {
                    int at = (b * c + ch) * h * w + i;
                    assertEquals(x[at] * g, got[at], 1e-6, "SE at " + at + " seed=" + seed);
                }
            }
        }
        // the same on the channel-blocked layout: a blocked output, the same values, +0 in the padding lanes
        Tensor yb = se.forward(Nchwc.fromNchw(Buffers.f32(x, n, c, h, w)));
        assertTrue(Nchwc.isBlocked(yb), "blocked in, blocked out");
        float[] blockedLanes = yb.toFloatArray();
        int lanes = (int) yb.dim(4);
        for (int i = 0; i < blockedLanes.length; i++) {
            if ((i / lanes / (h * w)) % yb.dim(1) * lanes + i % lanes >= c) {
                assertEquals(0f, blockedLanes[i], 0f, "padding lane at " + i);
            }
        }
        float[] back = Nchwc.toNchw(yb, c).toFloatArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(got[i], back[i], 1e-6 * (1 + Math.abs(got[i])), "blocked SE at " + i + " seed=" + seed);
        }
        Tensor a = Buffers.f32(Gen.floats(r, 2 * 2 * 3), 2, 2, 3, 1), b = Buffers.f32(Gen.floats(r, 2 * 1 * 3), 2, 1, 3, 1);
        Tensor cat = Ops.concatChannels(a, b);
        assertArrayEquals(new long[] {2, 3, 3, 1}, cat.shape());
        assertEquals(a.getFloat(1, 1, 2, 0), cat.getFloat(1, 1, 2, 0));
        assertEquals(b.getFloat(1, 0, 2, 0), cat.getFloat(1, 2, 2, 0));
        assertEquals(a.getFloat(0, 0, 0, 0) * 2, Ops.add(a, a).getFloat(0, 0, 0, 0));
        assertArrayEquals(new long[] {2, 6}, Ops.flatten(a).shape());
        Tensor gap = Ops.globalAveragePool(a);
        assertEquals((a.getFloat(1, 1, 0, 0) + a.getFloat(1, 1, 1, 0) + a.getFloat(1, 1, 2, 0)) / 3, gap.getFloat(1, 1, 0, 0), 1e-6);
        Tensor sm = Ops.softmax(Tensor.of(new float[] {1, 2, 3, 0, 0, 0}, 2, 3));
        assertEquals(1.0, sm.getFloat(0, 0) + sm.getFloat(0, 1) + sm.getFloat(0, 2), 1e-6);
        assertEquals(1 / 3.0, sm.getFloat(1, 2), 1e-6);
        Tensor act = Ops.activate(Activation.RELU6, Tensor.of(new float[] {-1, 3, 9}));
        assertArrayEquals(new float[] {0, 3, 6}, act.toFloatArray());
    }
    /** Global average pooling over planes of awkward sizes against a double-precision mean, within n·2⁻²³ relative. */
    @Test
    void globalAveragePoolMatchesDoubleMean() {
        long seed = Gen.seed("ops-global-average-pool");
        SplittableRandom r = new SplittableRandom(seed);
        for (int[] s : new int[][] {{1, 1, 1, 1}, {2, 3, 7, 5}, {1, 4, 37, 29}, {1, 2, 112, 112}}) {
            int planes = s[0] * s[1], plane = s[2] * s[3];
            float[] v = Gen.floats(r, planes * plane, -2, 3);
            float[] got = Ops.globalAveragePool(Buffers.f32(v, s[0], s[1], s[2], s[3])).toFloatArray();
            for (int p = 0; p < planes; p++) {
                double sum = 0, abs = 0;
                for (int i = 0; i < plane; i++) {
                    sum += v[p * plane + i];
                    abs += Math.abs(v[p * plane + i]);
                }
                assertEquals(sum / plane, got[p], plane * 0x1p-23 * abs / plane + 1e-7, java.util.Arrays.toString(s) + " plane " + p + " seed=" + seed);
            }
        }
    }
}
