package dev.minnow.kernels.vector;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.PointwiseConvKernels;
import dev.minnow.kernels.scalar.ScalarKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarPointwiseConvKernels}: a register-tiled product in the style of {@link GemmF32}
 * (MR = 6 pixels × NR = 2 vectors of output channels per micro-kernel, weights packed once into NR-column panels),
 * with the bias, activation and residual add applied while the MC = 12-pixel output tile is still in L1.
 *
 * <p>Two micro-kernels. Wide outputs (more than two panels): the tile's input pixels are packed pre-broadcast (each
 * value a full vector, gathered over the taps) in KC-deep slices, then every panel runs over the packed slice, as in
 * {@link GemmF32}. Narrow outputs (one or two panels, e.g. 16 channels): packing would cost as much as the product, so
 * the micro-kernel broadcasts three pixels' inputs in place, tap by tap.
 *
 * <p>The width is a static final fixed at class initialization ({@code minnow.vectorBits}, else the preferred width,
 * as in {@code VectorSparseKernels}); tests load copies at other widths.
 */
public final class VectorPointwiseConvKernels implements PointwiseConvKernels {
    /** Width fixed at class initialization. */
    public static final int BITS = configuredBits();
    private static final VectorSpecies<Float> SPECIES = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    private static final int LANES = SPECIES.length();
    private static final int MR = 6;
    private static final int NR = 2 * LANES;
    /** Pixels per output tile: two MR micro-blocks share each weight panel while it is in L1. */
    private static final int MC = 12;
    /** Depth of a packed slice (a KC × NR weight panel stays in L1). */
    private static final int KC = 256;

    /** Per thread: [0] packed pre-broadcast inputs, [1] output tile, [2] bias padded to the panels. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC * LANES], new float[0], new float[0]});

    private final boolean fma;

    public VectorPointwiseConvKernels(boolean fma) {
        this.fma = fma;
    }

    private static int configuredBits() {
        String p = System.getProperty("minnow.vectorBits", "").trim();
        int bits = p.isEmpty() ? Math.max(128, Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize())) : Integer.parseInt(p);
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("minnow.vectorBits must be 128, 256 or 512, got " + bits);
        }
        return bits;
    }

    @Override public String name() { return "vector-" + BITS + (fma ? "" : "-nofma"); }

    @Override public int vectorBits() { return BITS; }

    /** Panels of NR output channels, each k × NR (row p holds w[panel·NR + c][p]), zero past cout. */
    @Override
    public float[] pack(int cout, int k, float[] w) {
        if (w.length < (long) cout * k) {
            throw new IllegalArgumentException("weights hold " + w.length + " values, expected " + cout + "×" + k);
        }
        int panels = (cout + NR - 1) / NR;
        float[] pw = new float[panels * k * NR];
        for (int co = 0; co < cout; co++) {
            int panel = co / NR, c = co % NR;
            for (int p = 0; p < k; p++) {
                pw[(panel * k + p) * NR + c] = w[co * k + p];
            }
        }
        return pw;
    }

    @Override
    public void conv(int n, int cin, int taps, float[] in, int[] tapOff, int inStride, float[] packed, int cout, float[] bias,
                     Activation act, boolean residual, float[] out, int outOff, int outStride) {
        if (n <= 0 || cout <= 0) {
            return;
        }
        int k = taps * cin;
        int panels = (cout + NR - 1) / NR;
        int cpad = panels * NR;
        if (packed.length < panels * k * NR) {
            throw new IllegalArgumentException("packed weights hold " + packed.length + " values, expected " + panels * k * NR);
        }
        float[][] s = SCRATCH.get();
        if (s[1].length < MC * cpad) {
            s[1] = new float[MC * cpad];
        }
        if (s[2].length < cpad) {
            s[2] = new float[cpad];
        }
        float[] pa = s[0], tile = s[1], b = s[2];
        java.util.Arrays.fill(b, 0, cpad, 0f);
        if (bias != null) {
            System.arraycopy(bias, 0, b, 0, cout);
        }
        boolean direct = panels <= 2;
        boolean f = fma;
        for (int j0 = 0; j0 < n; j0 += MC) {
            int rows = Math.min(MC, n - j0);
            for (int r = 0; r < MC; r++) {
                System.arraycopy(b, 0, tile, r * cpad, cpad);
            }
            if (k > 0 && direct) {
                for (int t = 0; t < taps; t++) {
                    int base = tapOff[t] + j0 * inStride;
                    for (int g = 0; g < rows; g += 3) {
                        int r0 = base + g * inStride;
                        int r1 = base + Math.min(g + 1, rows - 1) * inStride;
                        int r2 = base + Math.min(g + 2, rows - 1) * inStride;
                        for (int p = 0; p < panels; p++) {
                            micro3(cin, in, r0, r1, r2, packed, (p * k + t * cin) * NR, tile, g * cpad + p * NR, cpad, f);
                        }
                    }
                }
            } else if (k > 0) {
                int halves = rows > MR ? 2 : 1;
                for (int k0 = 0; k0 < k; k0 += KC) {
                    int kc = Math.min(KC, k - k0);
                    packA(pa, kc, k0, cin, tapOff, in, j0, rows, inStride);
                    for (int p = 0; p < panels; p++) {
                        for (int h = 0; h < halves; h++) {
                            micro(kc, pa, h * kc * MR * LANES, packed, (p * k + k0) * NR, tile, h * MR * cpad + p * NR, cpad, f);
                        }
                    }
                }
            }
            epilogue(rows, tile, cpad, cout, act, residual, out, outOff + j0 * outStride, outStride);
        }
    }

    /**
     * pa[h][kk][r][·] = in[tapOff[t] + (j0 + min(h·MR + r, rows − 1))·inStride + ci] broadcast, for the slice's kk,
     * with t·cin + ci = k0 + kk.
     */
    private static void packA(float[] pa, int kc, int k0, int cin, int[] tapOff, float[] in, int j0, int rows, int inStride) {
        int halves = rows > MR ? 2 : 1;
        for (int h = 0; h < halves; h++) {
            int[] rowBase = new int[MR];
            for (int r = 0; r < MR; r++) {
                rowBase[r] = (j0 + Math.min(h * MR + r, rows - 1)) * inStride;
            }
            int dst = h * kc * MR * LANES;
            int t = k0 / cin, ci = k0 % cin;
            for (int kk = 0; kk < kc; kk++) {
                int src = tapOff[t] + ci;
                for (int r = 0; r < MR; r++) {
                    FloatVector.broadcast(SPECIES, in[src + rowBase[r]]).intoArray(pa, dst);
                    dst += LANES;
                }
                if (++ci == cin) {
                    ci = 0;
                    t++;
                }
            }
        }
    }

    /**
     * tile[6 rows × NR at t0, row stride ld] += packed pre-broadcast A slice · weight panel, over kc steps. Small
     * and call-free so that C2 keeps the twelve accumulators in registers (see {@link GemmF32#micro}).
     */
    private static void micro(int kc, float[] pa, int aBase, float[] pb, int bBase, float[] tile, int t0, int ld, boolean fma) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, tile, t0), c01 = FloatVector.fromArray(SPECIES, tile, t0 + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, tile, t0 + ld), c11 = FloatVector.fromArray(SPECIES, tile, t0 + ld + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, tile, t0 + 2 * ld), c21 = FloatVector.fromArray(SPECIES, tile, t0 + 2 * ld + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, tile, t0 + 3 * ld), c31 = FloatVector.fromArray(SPECIES, tile, t0 + 3 * ld + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, tile, t0 + 4 * ld), c41 = FloatVector.fromArray(SPECIES, tile, t0 + 4 * ld + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, tile, t0 + 5 * ld), c51 = FloatVector.fromArray(SPECIES, tile, t0 + 5 * ld + LANES);
        if (fma) {
            for (int p = 0; p < kc; p++) {
                int ai = aBase + p * MR * LANES;
                int bi = bBase + p * NR;
                FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
                FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
                FloatVector a0 = FloatVector.fromArray(SPECIES, pa, ai);
                FloatVector a1 = FloatVector.fromArray(SPECIES, pa, ai + LANES);
                FloatVector a2 = FloatVector.fromArray(SPECIES, pa, ai + 2 * LANES);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.fromArray(SPECIES, pa, ai + 3 * LANES);
                FloatVector a4 = FloatVector.fromArray(SPECIES, pa, ai + 4 * LANES);
                FloatVector a5 = FloatVector.fromArray(SPECIES, pa, ai + 5 * LANES);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int ai = aBase + p * MR * LANES;
                int bi = bBase + p * NR;
                FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
                FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
                FloatVector a0 = FloatVector.fromArray(SPECIES, pa, ai);
                FloatVector a1 = FloatVector.fromArray(SPECIES, pa, ai + LANES);
                FloatVector a2 = FloatVector.fromArray(SPECIES, pa, ai + 2 * LANES);
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
                FloatVector a3 = FloatVector.fromArray(SPECIES, pa, ai + 3 * LANES);
                FloatVector a4 = FloatVector.fromArray(SPECIES, pa, ai + 4 * LANES);
                FloatVector a5 = FloatVector.fromArray(SPECIES, pa, ai + 5 * LANES);
                c30 = a3.mul(b0).add(c30);
                c31 = a3.mul(b1).add(c31);
                c40 = a4.mul(b0).add(c40);
                c41 = a4.mul(b1).add(c41);
                c50 = a5.mul(b0).add(c50);
                c51 = a5.mul(b1).add(c51);
            }
        }
        c00.intoArray(tile, t0);
        c01.intoArray(tile, t0 + LANES);
        c10.intoArray(tile, t0 + ld);
        c11.intoArray(tile, t0 + ld + LANES);
        c20.intoArray(tile, t0 + 2 * ld);
        c21.intoArray(tile, t0 + 2 * ld + LANES);
        c30.intoArray(tile, t0 + 3 * ld);
        c31.intoArray(tile, t0 + 3 * ld + LANES);
        c40.intoArray(tile, t0 + 4 * ld);
        c41.intoArray(tile, t0 + 4 * ld + LANES);
        c50.intoArray(tile, t0 + 5 * ld);
        c51.intoArray(tile, t0 + 5 * ld + LANES);
    }

    /** tile[3 rows × NR at t0, stride ld] += (in rows r0, r1, r2, kc values each, broadcast in place) · panel. */
    private static void micro3(int kc, float[] in, int r0, int r1, int r2, float[] pb, int bBase, float[] tile, int t0, int ld,
                               boolean fma) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, tile, t0), c01 = FloatVector.fromArray(SPECIES, tile, t0 + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, tile, t0 + ld), c11 = FloatVector.fromArray(SPECIES, tile, t0 + ld + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, tile, t0 + 2 * ld), c21 = FloatVector.fromArray(SPECIES, tile, t0 + 2 * ld + LANES);
        if (fma) {
            for (int p = 0; p < kc; p++) {
                int bi = bBase + p * NR;
                FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
                FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
                FloatVector a0 = FloatVector.broadcast(SPECIES, in[r0 + p]);
                FloatVector a1 = FloatVector.broadcast(SPECIES, in[r1 + p]);
                FloatVector a2 = FloatVector.broadcast(SPECIES, in[r2 + p]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int bi = bBase + p * NR;
                FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
                FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
                FloatVector a0 = FloatVector.broadcast(SPECIES, in[r0 + p]);
                FloatVector a1 = FloatVector.broadcast(SPECIES, in[r1 + p]);
                FloatVector a2 = FloatVector.broadcast(SPECIES, in[r2 + p]);
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
            }
        }
        c00.intoArray(tile, t0);
        c01.intoArray(tile, t0 + LANES);
        c10.intoArray(tile, t0 + ld);
        c11.intoArray(tile, t0 + ld + LANES);
        c20.intoArray(tile, t0 + 2 * ld);
        c21.intoArray(tile, t0 + 2 * ld + LANES);
    }

    /** out rows (stride outStride) = act(tile) (+ out): full vectors, then the last channels one by one. */
    private static void epilogue(int rows, float[] tile, int cpad, int cout, Activation act, boolean residual, float[] out,
                                 int o0, int outStride) {
        int full = cout - cout % LANES;
        for (int r = 0; r < rows; r++) {
            int t = r * cpad, o = o0 + r * outStride;
            int c = 0;
            for (; c < full; c += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + c);
                if (act != null) {
                    v = activate(act, v);
                }
                if (residual) {
                    v = v.add(FloatVector.fromArray(SPECIES, out, o + c));
                }
                v.intoArray(out, o + c);
            }
            for (; c < cout; c++) {
                float v = tile[t + c];
                if (act != null) {
                    v = ScalarKernels.activation(act, v);
                }
                out[o + c] = residual ? out[o + c] + v : v;
            }
        }
    }

    private static FloatVector activate(Activation act, FloatVector v) {
        return switch (act) {
            case RELU -> v.max(0f);
            case RELU6 -> v.max(0f).min(6f);
            case SILU -> v.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
            case GELU -> v.mul(0.5f).mul(erf(v.mul(0.70710678118654752f)).add(1f));
            case GELU_TANH -> v.mul(0.5f).mul(v.mul(v).mul(v).mul(0.044715f).add(v).mul(0.7978845608028654f)
                    .lanewise(VectorOperators.TANH).add(1f));
            case SIGMOID -> FloatVector.broadcast(SPECIES, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
            case HARD_SIGMOID -> v.div(6f).add(0.5f).max(0f).min(1f);
            case HARD_SWISH -> v.mul(v.div(6f).add(0.5f).max(0f).min(1f));
        };
    }

    /** erf(x), Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7), as in the dense GELU kernel. */
    private static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(ax.mul(0.3275911f).add(1f));
        FloatVector poly = t.mul(1.061405429f).add(-1.453152027f);
        poly = poly.mul(t).add(1.421413741f);
        poly = poly.mul(t).add(-0.284496736f);
        poly = poly.mul(t).add(0.254829592f);
        poly = poly.mul(t);
        FloatVector y = poly.mul(ax.mul(ax).neg().lanewise(VectorOperators.EXP)).neg().add(1f);
        VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
        return y.blend(y.neg(), neg);
    }
}
