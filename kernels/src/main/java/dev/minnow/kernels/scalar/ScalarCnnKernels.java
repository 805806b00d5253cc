package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.CnnKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The specification of {@link CnnKernels}: plain loops in the documented order. */
public final class ScalarCnnKernels implements CnnKernels {
    public static final ScalarCnnKernels INSTANCE = new ScalarCnnKernels();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarCnnKernels() {}

    @Override
    public String name() { return "scalar"; }

    @Override
    public void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias,
                          Activation act, MemorySegment out, long outOff, int ho, int wo) {
        int phase = hp * pw;
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                float acc = bias;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        acc += w[wOff + ky * k + kx] * in[inOff + (kx % stride) * phase + (oy * stride + ky) * pw + ox + kx / stride];
                    }
                }
                out.setAtIndex(F32, outOff + (long) oy * wo + ox, act == null ? acc : ScalarKernels.activation(act, acc));
            }
        }
    }

    @Override
    public void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                  float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                  int ho, int wo) {
        for (int c = 0; c < channels; c++) {
            plane(k, stride, padH, padW, x, xOff + (long) c * h * w, h, w, wt, wOff + c * k * k, bias == null ? 0f : bias[biasOff + c],
                    act, out, outOff + (long) c * ho * wo, ho, wo);
        }
    }

    @Override
    public void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                 float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                 int ho, int wo) {
        depthwiseChannels(k, 1, padH, padW, channels, x, xOff, h, w, wt, wOff, bias, biasOff, act, out, outOff, ho, wo);
    }

    @Override
    public void depthwiseNchwc(int lanes, int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h,
                               int w, float[] packed, Activation act, MemorySegment out, long outOff, int ho, int wo,
                               int cb0, int cb1) {
        int taps = k * k;
        for (int cb = cb0; cb < cb1; cb++) {
            for (int l = 0; l < lanes; l++) {
                int c = cb * lanes + l;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        float v = 0f;
                        if (c < channels) {
                            float acc = packed[(cb * (taps + 1) + taps) * lanes + l];
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * stride + ky - padH;
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * stride + kx - padW;
                                    float xv = iy >= 0 && iy < h && ix >= 0 && ix < w
                                            ? x.getAtIndex(F32, xOff + (((long) cb * h + iy) * w + ix) * lanes + l) : 0f;
                                    acc += packed[(cb * (taps + 1) + ky * k + kx) * lanes + l] * xv;
                                }
                            }
                            v = act == null ? acc : ScalarKernels.activation(act, acc);
                        }
                        out.setAtIndex(F32, outOff + (((long) cb * ho + oy) * wo + ox) * lanes + l, v);
                    }
                }
            }
        }
    }

    @Override
    public void pointwiseNchwc(int lanes, int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x,
                               long xOff, boolean xBlocked, int plane, MemorySegment r, long rOff, MemorySegment y, long yOff,
                               boolean yBlocked, int ob0, int ob1, int p0, int p1) {
        for (int ob = ob0; ob < ob1; ob++) {
            for (int l = 0; l < lanes; l++) {
                int o = ob * lanes + l;
                if (o >= cout && !yBlocked) {
                    break;
                }
                for (int p = p0; p < p1; p++) {
                    float v = 0f;
                    if (o < cout) {
                        float acc = bias == null ? 0f : bias[o];
                        for (int i = 0; i < cin; i++) {
                            long xi = xBlocked ? ((long) (i / lanes) * plane + p) * lanes + i % lanes : (long) i * plane + p;
                            acc += packed[(ob * cin + i) * lanes + l] * x.getAtIndex(F32, xOff + xi);
                        }
                        v = act == null ? acc : ScalarKernels.activation(act, acc);
                    }
                    long yi = yBlocked ? ((long) ob * plane + p) * lanes + l : (long) o * plane + p;
                    if (r != null) {
                        v += r.getAtIndex(F32, rOff + yi);
                    }
                    y.setAtIndex(F32, yOff + yi, v);
                }
            }
        }
    }

    @Override
    public void convNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, int padH, int padW, float[] packed, float[] bias,
                          Activation act, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                          int ob0, int ob1, int p0, int p1) {
        int ib = (cin + lanes - 1) / lanes, taps = ib * kh * kw * lanes;
        long plane = (long) ho * wo;
        for (int ob = ob0; ob < ob1; ob++) {
            for (int lo = 0; lo < lanes; lo++) {
                int o = ob * lanes + lo;
                for (int p = p0; p < p1; p++) {
                    float v = 0f;
                    if (o < cout) {
                        int oy = p / wo, ox = p % wo;
                        float acc = bias == null ? 0f : bias[o];
                        for (int cb = 0; cb < ib; cb++) {
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * stride + ky - padH;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * stride + kx - padW;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                    for (int l = 0; l < lanes; l++) {
                                        int t = ((cb * kh + ky) * kw + kx) * lanes + l;
                                        float xv = inside && cb * lanes + l < cin
                                                ? x.getAtIndex(F32, xOff + (((long) cb * h + iy) * w + ix) * lanes + l) : 0f;
                                        acc += packed[(ob * taps + t) * lanes + lo] * xv;
                                    }
                                }
                            }
                        }
                        v = act == null ? acc : ScalarKernels.activation(act, acc);
                    }
                    y.setAtIndex(F32, yOff + (ob * plane + p) * lanes + lo, v);
                }
            }
        }
    }

    @Override
    public void convStemNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, float[] packed, float[] bias, Activation act,
                              float[] xp, int hq, int wq, MemorySegment y, long yOff, int ho, int wo, int ob0, int ob1, int oy0, int oy1) {
        int taps = cin * kh * kw;
        for (int ob = ob0; ob < ob1; ob++) {
            for (int oy = oy0; oy < oy1; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    for (int lo = 0; lo < lanes; lo++) {
                        int o = ob * lanes + lo;
                        float v = 0f;
                        if (o < cout) {
                            float acc = bias == null ? 0f : bias[o];
                            for (int i = 0; i < cin; i++) {
                                for (int ky = 0; ky < kh; ky++) {
                                    for (int kx = 0; kx < kw; kx++) {
                                        int t = (i * kh + ky) * kw + kx;
                                        acc += packed[(ob * taps + t) * lanes + lo]
                                                * xp[CnnKernels.stemPhaseIndex(stride, hq, wq, i, oy * stride + ky, ox * stride + kx)];
                                    }
                                }
                            }
                            v = act == null ? acc : ScalarKernels.activation(act, acc);
                        }
                        y.setAtIndex(F32, yOff + (((long) ob * ho + oy) * wo + ox) * lanes + lo, v);
                    }
                }
            }
        }
    }

    private static void plane(int k, int stride, int padH, int padW, MemorySegment x, long xOff, int h, int w, float[] wt, int wOff,
                              float bias, Activation act, MemorySegment out, long outOff, int ho, int wo) {
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                float acc = bias;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * stride + ky - padH;
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox * stride + kx - padW;
                        float v = iy >= 0 && iy < h && ix >= 0 && ix < w ? x.getAtIndex(F32, xOff + (long) iy * w + ix) : 0f;
                        acc += wt[wOff + ky * k + kx] * v;
                    }
                }
                out.setAtIndex(F32, outOff + (long) oy * wo + ox, act == null ? acc : ScalarKernels.activation(act, acc));
            }
        }
    }

    @Override
    public void maxPoolPlanes(int k, int stride, int pad, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                              int q0, int q1) {
        for (int q = q0; q < q1; q++) {
            long xp = xOff + (long) q * h * w, yp = yOff + (long) q * ho * wo;
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int iy = Math.max(0, oy * stride - pad); iy < Math.min(h, oy * stride - pad + k); iy++) {
                        for (int ix = Math.max(0, ox * stride - pad); ix < Math.min(w, ox * stride - pad + k); ix++) {
                            m = Math.max(m, x.getAtIndex(F32, xp + (long) iy * w + ix));
                        }
                    }
                    y.setAtIndex(F32, yp + (long) oy * wo + ox, m);
                }
            }
        }
    }

    @Override
    public void biasActivate(int n, float bias, Activation act, MemorySegment y, long off) {
        for (int i = 0; i < n; i++) {
            float v = y.getAtIndex(F32, off + i) + bias;
            y.setAtIndex(F32, off + i, act == null ? v : ScalarKernels.activation(act, v));
        }
    }

    @Override
    public void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
        for (int j = 0; j < pairs; j++) {
            even[evenOff + j] = src[srcOff + 2 * j];
            odd[oddOff + j] = src[srcOff + 2 * j + 1];
        }
    }

    @Override
    public void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                          MemorySegment y, long yOff, int ldy, int p0, int p1) {
        for (int o = 0; o < cout; o++) {
            for (int p = p0; p < p1; p++) {
                float acc = bias == null ? 0f : bias[o];
                for (int i = 0; i < cin; i++) {
                    acc += w[o * cin + i] * x.getAtIndex(F32, xOff + (long) i * ldx + p);
                }
                y.setAtIndex(F32, yOff + (long) o * ldy + p, act == null ? acc : ScalarKernels.activation(act, acc));
            }
        }
    }

    @Override
    public void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x, int xOff,
                            int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1) {
        for (int o = 0; o < cout; o++) {
            for (int p = p0; p < p1; p++) {
                float acc = bias == null ? 0f : bias[o];
                for (int i = 0; i < cin; i++) {
                    for (int t = 0; t < taps; t++) {
                        acc += w[(o * cin + i) * taps + t] * x[xOff + i * ldx + p + tapOff[t]];
                    }
                }
                y.setAtIndex(F32, yOff + (long) o * ldy + p, act == null ? acc : ScalarKernels.activation(act, acc));
            }
        }
    }

    @Override
    public void winogradInput(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff,
                              int ldv, int slab) {
        float[][] d = new float[4][4], t = new float[4][4];
        for (int c = 0; c < cin; c++) {
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) {
                            d[i][j] = x[xOff + c * ldx + (2 * (i % 2) + j % 2) * phase + (ty + i / 2) * wq + tx + j / 2];
                        }
                        t[i][0] = d[i][0] - d[i][2];
                        t[i][1] = d[i][1] + d[i][2];
                        t[i][2] = d[i][2] - d[i][1];
                        t[i][3] = d[i][1] - d[i][3];
                    }
                    int at = vOff + c * ldv + (ty - ty0) * tw + tx, xi = slab;
                    for (int b = 0; b < 4; b++) {
                        v[at + b * xi] = t[0][b] - t[2][b];
                        v[at + (4 + b) * xi] = t[1][b] + t[2][b];
                        v[at + (8 + b) * xi] = t[2][b] - t[1][b];
                        v[at + (12 + b) * xi] = t[1][b] - t[3][b];
                    }
                }
            }
        }
    }

    @Override
    public void winogradOutput(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                               MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
        float[][] mm = new float[4][4], s = new float[2][4];
        for (int o = o0; o < o1; o++) {
            float bo = bias == null ? 0f : bias[o];
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    for (int xi = 0; xi < 16; xi++) {
                        mm[xi / 4][xi % 4] = m[mOff + xi * slab + o * ldm + (ty - ty0) * tw + tx];
                    }
                    for (int b = 0; b < 4; b++) {
                        s[0][b] = (mm[0][b] + mm[1][b]) + mm[2][b];
                        s[1][b] = (mm[1][b] - mm[2][b]) - mm[3][b];
                    }
                    for (int i = 0; i < 2; i++) {
                        float[] yv = {(s[i][0] + s[i][1]) + s[i][2], (s[i][1] - s[i][2]) - s[i][3]};
                        for (int j = 0; j < 2; j++) {
                            int oy = 2 * ty + i, ox = 2 * tx + j;
                            if (oy >= ho || ox >= wo) {
                                continue;
                            }
                            long cell = (long) o * ho * wo + (long) oy * wo + ox;
                            float val = yv[j] + bo;
                            val = act == null ? val : ScalarKernels.activation(act, val);
                            y.setAtIndex(F32, yOff + cell, r == null ? val : val + r.getAtIndex(F32, rOff + cell));
                        }
                    }
                }
            }
        }
    }

    /** {@link CnnKernels#winograd4Input}'s transform of one row or column. */
    private static void bt6(float[] d, float[] t) {
        float u = d[4] - 4f * d[2], w = d[3] - 4f * d[1], p = d[4] - d[2], q = 2f * (d[3] - d[1]);
        t[0] = (4f * d[0] - 5f * d[2]) + d[4];
        t[1] = u + w;
        t[2] = u - w;
        t[3] = p + q;
        t[4] = p - q;
        t[5] = (4f * d[1] - 5f * d[3]) + d[5];
    }

    @Override
    public void winograd4Input(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff,
                               int ldv, int slab) {
        float[][] t = new float[6][6];
        float[] d = new float[6], col = new float[6], out = new float[6];
        for (int c = 0; c < cin; c++) {
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    for (int i = 0; i < 6; i++) {
                        for (int j = 0; j < 6; j++) {
                            d[j] = x[xOff + c * ldx + (j % 4) * phase + (4 * ty + i) * wq + tx + j / 4];
                        }
                        bt6(d, t[i]);
                    }
                    int at = vOff + c * ldv + (ty - ty0) * tw + tx;
                    for (int b = 0; b < 6; b++) {
                        for (int i = 0; i < 6; i++) {
                            col[i] = t[i][b];
                        }
                        bt6(col, out);
                        for (int a = 0; a < 6; a++) {
                            v[at + (6 * a + b) * slab] = out[a];
                        }
                    }
                }
            }
        }
    }

    /** {@link CnnKernels#winograd4Output}'s transform of one column or row. */
    private static void at6(float[] m, float[] y) {
        float p = m[1] + m[2], q = m[1] - m[2], s = m[3] + m[4], t = m[3] - m[4];
        y[0] = (m[0] + p) + s;
        y[1] = q + 2f * t;
        y[2] = p + 4f * s;
        y[3] = (q + 8f * t) + m[5];
    }

    @Override
    public void winograd4Output(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                                MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
        float[][] s = new float[4][6];
        float[] col = new float[6], out = new float[4];
        for (int o = o0; o < o1; o++) {
            float bo = bias == null ? 0f : bias[o];
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    for (int b = 0; b < 6; b++) {
                        for (int a = 0; a < 6; a++) {
                            col[a] = m[mOff + (6 * a + b) * slab + o * ldm + (ty - ty0) * tw + tx];
                        }
                        at6(col, out);
                        for (int i = 0; i < 4; i++) {
                            s[i][b] = out[i];
                        }
                    }
                    for (int i = 0; i < 4; i++) {
                        at6(s[i], out);
                        for (int j = 0; j < 4; j++) {
                            int oy = 4 * ty + i, ox = 4 * tx + j;
                            if (oy >= ho || ox >= wo) {
                                continue;
                            }
                            long cell = (long) o * ho * wo + (long) oy * wo + ox;
                            float val = out[j] + bo;
                            val = act == null ? val : ScalarKernels.activation(act, val);
                            y.setAtIndex(F32, yOff + cell, r == null ? val : val + r.getAtIndex(F32, rOff + cell));
                        }
                    }
                }
            }
        }
    }
}
