package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.kernels.vector.VectorPointwiseConvKernels;
import dev.minnow.tensor.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector pointwise / gathered convolution against the scalar specification at 128/256/512 bits, with and
 * without FMA: awkward pixel counts (MR and MC edges), input depths (1 to 300), output widths (partial panels and
 * vectors, one to many panels), 1, 2, 4 and 9 taps, strided input and output, every fused epilogue. Sums differ by order and FMA only:
 * bound per output 2·(k+2)·u·Σ|terms| (times GELU's slope bound 1.13), plus the activations' own error (erf
 * polynomial: ≤ 1.4e-7·|x|; exp a few ulps) and the residual add's rounding.
 */
class PointwiseConvKernelsPropertyTest {
    static final double U = 0x1p-24;
    static final PointwiseConvKernels SPEC = PointwiseConvKernels.scalar();
    private static final Map<String, PointwiseConvKernels> AT = new ConcurrentHashMap<>();

    static PointwiseConvKernels vector(int bits, boolean fma) {
        if (bits == VectorPointwiseConvKernels.BITS) {
            return new VectorPointwiseConvKernels(fma);
        }
        return AT.computeIfAbsent(bits + "/" + fma, key -> {
            Class<?> c = ClassAtWidth.load("dev.minnow.kernels.vector.VectorPointwiseConvKernels", bits);
            try {
                return (PointwiseConvKernels) c.getConstructor(boolean.class).newInstance(fma);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static List<PointwiseConvKernels> implementations() {
        List<PointwiseConvKernels> ks = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            ks.add(vector(bits, true));
            ks.add(vector(bits, false));
        }
        ks.add(PointwiseConvKernels.get());
        return ks;
    }

    static Stream<Arguments> cases() {
        int[][] shapes = { // n, cin, taps, cout
            {0, 3, 1, 8}, {1, 1, 1, 1}, {1, 7, 1, 3}, {5, 16, 1, 16}, {6, 16, 4, 16}, {7, 15, 1, 17}, {11, 17, 4, 31},
            {12, 33, 1, 33}, {13, 64, 4, 64}, {25, 31, 1, 100}, {37, 257, 1, 48}, {100, 64, 4, 16}, {24, 300, 1, 64},
            {19, 65, 4, 200}, {257, 8, 1, 3}, {33, 256, 1, 256}, {6, 2, 9, 7},
        };
        Activation[] acts = {null, Activation.GELU, Activation.SIGMOID, Activation.RELU};
        List<Arguments> out = new ArrayList<>();
        for (PointwiseConvKernels k : implementations()) {
            int i = 0;
            for (int[] s : shapes) {
                out.add(Arguments.of(k, s[0], s[1], s[2], s[3], acts[i % acts.length], (i / 2) % 2 == 1));
                i++;
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} n={1} cin={2} taps={3} cout={4} {5} residual={6}")
    @MethodSource("cases")
    void convMatchesSpec(PointwiseConvKernels impl, int n, int cin, int taps, int cout, Activation act, boolean residual) {
        String name = "pointwise/" + impl.name() + "/" + n + "/" + cin + "/" + taps + "/" + cout + "/" + act + "/" + residual;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int inStride = cin + r.nextInt(3);
        int outStride = cout + r.nextInt(3);
        int[] tapOff = new int[taps];
        int inLen = 0;
        for (int t = 0; t < taps; t++) {
            tapOff[t] = r.nextInt(40);
            inLen = Math.max(inLen, tapOff[t] + Math.max(0, n - 1) * inStride + cin);
        }
        float[] in = Gen.floats(r, inLen + 1);
        int k = taps * cin;
        float[] w = Gen.floats(r, cout * k);
        float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
        int outOff = r.nextInt(5);
        float[] init = Gen.floats(r, outOff + Math.max(0, n - 1) * outStride + cout + 2);
        float[] want = init.clone(), got = init.clone();
        SPEC.conv(n, cin, taps, in, tapOff, inStride, SPEC.pack(cout, k, w), cout, bias, act, residual, want, outOff, outStride);
        impl.conv(n, cin, taps, in, tapOff, inStride, impl.pack(cout, k, w), cout, bias, act, residual, got, outOff, outStride);
        for (int i = 0; i < init.length; i++) {
            int rel = i - outOff;
            boolean written = rel >= 0 && rel / outStride < n && rel % outStride < cout;
            if (!written) {
                assertEquals(init[i], got[i], name + " seed " + seed + ": wrote outside the outputs at " + i);
                continue;
            }
            int j = rel / outStride, co = rel % outStride;
            double abs = bias == null ? 0 : Math.abs(bias[co]);
            for (int t = 0; t < taps; t++) {
                for (int ci = 0; ci < cin; ci++) {
                    abs += Math.abs(in[tapOff[t] + j * inStride + ci] * w[co * k + t * cin + ci]);
                }
            }
            double tol = 1.13 * 2 * (k + 2) * U * abs + 3e-7 * (1 + Math.abs(want[i])) + 2e-7 * abs + (residual ? 2 * U * Math.abs(init[i]) : 0);
            assertTrue(Math.abs(want[i] - got[i]) <= tol, name + " seed " + seed + " at pixel " + j + " channel " + co
                    + ": want " + want[i] + " got " + got[i] + " (bound " + tol + ")");
        }
    }

    static Stream<Arguments> planeCases() {
        int[][] shapes = {{0, 3, 3}, {1, 1, 1}, {7, 16, 3}, {8, 16, 3}, {17, 5, 4}, {33, 16, 5}, {257, 17, 9}, {1000, 64, 3}};
        Activation[] acts = {Activation.SIGMOID, null, Activation.GELU, Activation.RELU};
        List<Arguments> out = new ArrayList<>();
        for (PointwiseConvKernels k : implementations()) {
            int i = 0;
            for (int[] s : shapes) {
                out.add(Arguments.of(k, s[0], s[1], s[2], acts[i++ % acts.length]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} n={1} cin={2} cout={3} {4}")
    @MethodSource("planeCases")
    void convToPlanesMatchesSpec(PointwiseConvKernels impl, int n, int cin, int cout, Activation act) {
        String name = "planes/" + impl.name() + "/" + n + "/" + cin + "/" + cout + "/" + act;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int inOff = r.nextInt(4), outOff = r.nextInt(4), plane = Math.max(1, n + r.nextInt(3));
        float[] in = Gen.floats(r, inOff + n * cin + 1);
        float[] w = Gen.floats(r, cout * cin);
        float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
        float[] init = Gen.floats(r, outOff + Math.max(0, cout - 1) * plane + n + 2);
        float[] want = init.clone(), got = init.clone();
        SPEC.convToPlanes(n, cin, in, inOff, w, cout, bias, act, want, outOff, plane);
        impl.convToPlanes(n, cin, in, inOff, w, cout, bias, act, got, outOff, plane);
        for (int i = 0; i < init.length; i++) {
            int rel = i - outOff;
            boolean written = rel >= 0 && rel / plane < cout && rel % plane < n;
            if (!written) {
                assertEquals(init[i], got[i], name + " seed " + seed + ": wrote outside the outputs at " + i);
                continue;
            }
            int co = rel / plane, j = rel % plane;
            double abs = bias == null ? 0 : Math.abs(bias[co]);
            for (int ci = 0; ci < cin; ci++) {
                abs += Math.abs(in[inOff + j * cin + ci] * w[co * cin + ci]);
            }
            double tol = 1.13 * 2 * (cin + 2) * U * abs + 3e-7 * (1 + Math.abs(want[i])) + 2e-7 * abs;
            assertTrue(Math.abs(want[i] - got[i]) <= tol, name + " seed " + seed + " at pixel " + j + " channel " + co
                    + ": want " + want[i] + " got " + got[i] + " (bound " + tol + ")");
        }
    }

    /** The fused GELU over x in [−10, 10] (and the masked last vector, 3 channels) against the exact erf form. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void geluIsCloseToErfForm(PointwiseConvKernels impl) {
        int n = 4001;
        float[] in = new float[n];
        for (int j = 0; j < n; j++) {
            in[j] = -10f + 20f * j / (n - 1);
        }
        for (int cout : new int[] {3, 16}) {
            float[] w = new float[cout];
            java.util.Arrays.fill(w, 1f);
            float[] out = new float[n * cout];
            impl.conv(n, 1, 1, in, new int[] {0}, 1, impl.pack(cout, 1, w), cout, null, Activation.GELU, false, out, 0, cout);
            for (int j = 0; j < n; j++) {
                double x = in[j];
                double want = 0.5 * x * (1 + erf(x / Math.sqrt(2)));
                for (int co = 0; co < cout; co++) {
                    double err = Math.abs(out[j * cout + co] - want);
                    assertTrue(err <= 1.5e-7 * Math.abs(x) + 2 * U * Math.abs(want) + 1e-12,
                            impl.name() + " gelu(" + x + ") = " + out[j * cout + co] + ", want " + want + " (channel " + co + " of " + cout + ")");
                }
            }
        }
    }

    /** erf to ~1e-15 (series for |x| < 3, continued fraction beyond), independent of the kernels' own forms. */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int k = 1; k < 200 && Math.abs(term) > 1e-17 * sum; k++) {
                term *= -a * a / k;
                sum += term / (2 * k + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 60; k >= 1; k--) {
                f = k / 2.0 / (a + f);
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return x < 0 ? -r : r;
    }

    @Test
    void scalarIsTheDefinition() {
        // one pixel, two taps, by hand: out = gelu(b + Σ) + previous
        float[] in = {1, 2, 9, 3, 4};
        float[] w = {0.5f, -1f, 2f, 0.25f}; // cout 1, k = 4: tap 0 reads in[0..1], tap 1 reads in[3..4]
        float[] out = {10f};
        SPEC.conv(1, 2, 2, in, new int[] {0, 3}, 2, SPEC.pack(1, 4, w), 1, new float[] {0.5f}, Activation.GELU, true, out, 0, 1);
        float pre = 0.5f + 0.5f * 1 - 1f * 2 + 2f * 3 + 0.25f * 4;
        assertEquals(10f + ScalarKernels.activation(Activation.GELU, pre), out[0], 1e-6f);
    }
}
