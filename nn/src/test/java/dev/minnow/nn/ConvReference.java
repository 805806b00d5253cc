package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain reference implementations (double accumulation, straight from PyTorch's definitions) and the comparison
 * used by the operator tests. Each reference also returns Σ|terms| per output for a reassociation error bound.
 */
final class ConvReference {
    static final double U = 0x1p-24;

    private ConvReference() {}

    /** out and absSum are [n][cout][ho][wo] flattened. */
    static double[][] conv2d(float[] x, int n, int cin, int h, int w, float[] wt, float[] bias, int cout, int kh, int kw,
                             int sh, int sw, int ph, int pw, int dh, int dw, int groups, int ho, int wo) {
        double[] out = new double[n * cout * ho * wo];
        double[] abs = new double[out.length];
        int inG = cin / groups, outG = cout / groups;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                int g = co / outG;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double s = bias == null ? 0 : bias[co];
                        double a = Math.abs(s);
                        for (int ci = 0; ci < inG; ci++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    double t = (double) wt[((co * inG + ci) * kh + ky) * kw + kx]
                                            * x[((b * cin + g * inG + ci) * h + iy) * w + ix];
                                    s += t;
                                    a += Math.abs(t);
                                }
                            }
                        }
                        int o = ((b * cout + co) * ho + oy) * wo + ox;
                        out[o] = s;
                        abs[o] = a;
                    }
                }
            }
        }
        return new double[][] {out, abs};
    }

    /** Scatter form straight from the definition: every input pixel adds w·x to the outputs it reaches. */
    static double[][] convTranspose2d(float[] x, int n, int cin, int h, int w, float[] wt, float[] bias, int cout, int k,
                                      int stride, int pad, int dil, int groups, int ho, int wo) {
        double[] out = new double[n * cout * ho * wo];
        double[] abs = new double[out.length];
        int inG = cin / groups, outG = cout / groups;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                for (int i = 0; i < ho * wo; i++) {
                    out[(b * cout + co) * ho * wo + i] = bias == null ? 0 : bias[co];
                    abs[(b * cout + co) * ho * wo + i] = bias == null ? 0 : Math.abs(bias[co]);
                }
            }
            for (int ci = 0; ci < cin; ci++) {
                int g = ci / inG;
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        double xv = x[((b * cin + ci) * h + iy) * w + ix];
                        for (int c = 0; c < outG; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int oy = iy * stride - pad + ky * dil, ox = ix * stride - pad + kx * dil;
                                    if (oy < 0 || oy >= ho || ox < 0 || ox >= wo) {
                                        continue;
                                    }
                                    double t = xv * wt[((ci * outG + c) * k + ky) * k + kx];
                                    int o = ((b * cout + g * outG + c) * ho + oy) * wo + ox;
                                    out[o] += t;
                                    abs[o] += Math.abs(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {out, abs};
    }

    static void assertClose(double[][] ref, float[] got, int terms, String ctx) {
        assertTrue(ref[0].length == got.length, ctx + ": length " + got.length + " vs " + ref[0].length);
        for (int i = 0; i < got.length; i++) {
            double bound = 4 * (terms + 2) * U * ref[1][i] + 1e-30;
            assertTrue(Math.abs(got[i] - ref[0][i]) <= bound,
                    ctx + " at " + i + ": got " + got[i] + " want " + ref[0][i] + " (bound " + bound + ")");
        }
    }

    static void assertShape(long[] want, long[] got, String ctx) {
        assertArrayEquals(want, got, ctx);
    }
}
