package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.kernels.vector.VectorCnnKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector {@link CnnKernels} against the scalar specification at 128/256/512 bits, with and without FMA.
 * Depthwise: kernel sizes 1, 3, 5, 7, strides 1..3, awkward output widths, every activation; without FMA the sums
 * are bit-exact before the activation, with FMA each of the k² steps skips one product rounding: bound
 * 2·k²·u·(|bias| + Σ|w·x|) before the activation, times its largest slope (1.5 for hard-swish on the values the bound
 * allows, 1 for the others; 1.2 for GELU, SiLU and the rest, computed in scalar on the vector's sums), plus 4u·max(1, |y|)
 * for the activation's own roundings of a different input. Pointwise: see {@link #pointwiseMatchesSpec}. Bias+activation
 * and deinterleave: bit-exact.
 */
class CnnKernelsPropertyTest {
    static final double U = 0x1p-24;
    static final CnnKernels SPEC = CnnKernels.scalar();
    static final int[] SIZES = {0, 1, 7, 15, 16, 17, 31, 33, 255, 257, 1000};

    static List<CnnKernels> implementations() {
        List<CnnKernels> ks = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            ks.add(VectorCnnKernels.create(bits, true));
            ks.add(VectorCnnKernels.create(bits, false));
        }
        ks.add(CnnKernels.get());
        return ks;
    }

    static Stream<Arguments> depthwiseCases() {
        int[] widths = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 112};
        Activation[] acts = {null, Activation.RELU, Activation.RELU6, Activation.HARD_SWISH, Activation.HARD_SIGMOID, Activation.SILU};
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int ks : new int[] {1, 3, 5, 7}) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int i = 0; i < widths.length; i++) {
                        out.add(Arguments.of(k, ks, stride, widths[i], acts[(i + ks + stride) % acts.length]));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} k={1} s={2} wo={3} {4}")
    @MethodSource("depthwiseCases")
    void depthwiseMatchesSpec(CnnKernels impl, int k, int stride, int wo, Activation act) {
        String name = "cnn-depthwise/" + impl.name() + "/" + k + "/" + stride + "/" + wo + "/" + act;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int ho = 1 + r.nextInt(5);
        int pw = wo + (k - 1) / stride + r.nextInt(3);       // columns per phase: at least what the taps reach
        int hp = (ho - 1) * stride + k + r.nextInt(2);
        int inOff = r.nextInt(4);
        // exactly as long as the taps need (or a little more): the kernels must not read past the array either way
        float[] in = Gen.floats(r, inOff + stride * hp * pw + r.nextInt(2) * 40, -4, 4);
        float[] w = Gen.floats(r, k * k + 2);
        int wOff = r.nextInt(2);
        float bias = (float) r.nextDouble(-1, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment want = arena.allocate(ho * wo * 4L + 8), got = arena.allocate(ho * wo * 4L + 8);
            SPEC.depthwise(k, stride, in, inOff, hp, pw, w, wOff, bias, act, want, 1, ho, wo);
            impl.depthwise(k, stride, in, inOff, hp, pw, w, wOff, bias, act, got, 1, ho, wo);
            boolean exact = impl.name().endsWith("-nofma");
            double slope = act == null || act == Activation.RELU || act == Activation.RELU6 || act == Activation.HARD_SIGMOID ? 1
                    : act == Activation.HARD_SWISH ? 1.5 : 1.2;
            int phase = hp * pw;
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double abs = Math.abs(bias);
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            abs += Math.abs(w[wOff + ky * k + kx] * in[inOff + (kx % stride) * phase + (oy * stride + ky) * pw + ox + kx / stride]);
                        }
                    }
                    int i = 1 + oy * wo + ox;
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    String ctx = name + " at (" + oy + "," + ox + ") seed=" + seed;
                    if (exact) {
                        assertEquals(a, b, 0f, ctx);
                    } else {
                        assertTrue(Math.abs(a - b) <= slope * 2 * k * k * U * abs + 4 * U * Math.max(1, Math.abs(a)), ctx + ": " + a + " vs " + b);
                    }
                }
            }
            assertEquals(0f, got.getAtIndex(Gen.F32, 0), "wrote before outOff");
            assertEquals(0f, got.getAtIndex(Gen.F32, 1 + ho * wo), "wrote past the output");
        }
    }

    static Stream<Arguments> depthwiseChannelsCases() {
        int[] widths = {1, 2, 3, 7, 8, 14, 15, 16, 17, 28, 31, 33, 112};
        Activation[] acts = {null, Activation.RELU, Activation.RELU6, Activation.HARD_SWISH, Activation.HARD_SIGMOID, Activation.SILU};
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int ks : new int[] {1, 3, 5, 7}) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int i = 0; i < widths.length; i++) {
                        out.add(Arguments.of(k, ks, stride, widths[i], acts[(i + ks + stride) % acts.length]));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * depthwiseChannels against the specification: 1 to 20 channels (whole vectors of channels and a partial one at
     * every width), unpadded planes of width {@code w}, random padding (0 to k, each axis), output as large as the
     * padding allows or smaller, bias or none; bounds as {@link #depthwiseMatchesSpec}. Cells around the output must
     * stay untouched.
     */
    @ParameterizedTest(name = "{0} k={1} s={2} w={3} {4}")
    @MethodSource("depthwiseChannelsCases")
    void depthwiseChannelsMatchesSpec(CnnKernels impl, int k, int stride, int w, Activation act) {
        checkDepthwiseChannels(impl, k, stride, w, act, false);
    }

    static Stream<Arguments> depthwiseStride1Cases() {
        int[] widths = {1, 2, 3, 7, 8, 9, 14, 15, 16, 17, 28, 31, 33, 56, 65, 80, 112, 150};
        Activation[] acts = {null, Activation.RELU, Activation.RELU6, Activation.HARD_SWISH, Activation.HARD_SIGMOID, Activation.SILU};
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int ks : new int[] {1, 3, 5, 7}) {
                for (int i = 0; i < widths.length; i++) {
                    out.add(Arguments.of(k, ks, widths[i], acts[(i + ks) % acts.length]));
                }
            }
        }
        return out.stream();
    }

    /**
     * depthwiseStride1 against the specification of depthwiseChannels at stride 1, as {@link #depthwiseChannelsMatchesSpec}
     * (random padding 0 to k per axis, output as large as it allows or smaller, 1 to 20 channels); widths up to 150
     * reach the kernels' four-vector blocks at every species, narrow ones their masked single vectors.
     */
    @ParameterizedTest(name = "{0} k={1} w={2} {3}")
    @MethodSource("depthwiseStride1Cases")
    void depthwiseStride1MatchesSpec(CnnKernels impl, int k, int w, Activation act) {
        checkDepthwiseChannels(impl, k, 1, w, act, true);
    }

    static Stream<Arguments> tallDepthwiseCases() {
        List<Arguments> out = new ArrayList<>();
        int[][] planes = {{30, 17}, {61, 57}, {117, 112}, {90, 31}};
        Activation[] acts = {null, Activation.RELU6, Activation.HARD_SWISH};
        int i = 0;
        for (CnnKernels k : implementations()) {
            for (int ks : new int[] {3, 5}) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int[] p : planes) {
                        out.add(Arguments.of(k, ks, stride, p[0], p[1], acts[i++ % acts.length]));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * depthwiseChannels on tall planes (30 to 117 rows; the cases above have at most 9), as
     * {@link #depthwiseChannelsMatchesSpec}: a kernel that works on the plane in strips of rows (tried in session 16: it
     * failed here when a later strip was written one cell off, or kept the previous channel's rows as padding) must get
     * every strip, the last partial one and the padding rows at both ends right.
     */
    @ParameterizedTest(name = "{0} k={1} s={2} {3}x{4} {5}")
    @MethodSource("tallDepthwiseCases")
    void tallDepthwiseChannelsMatchSpec(CnnKernels impl, int k, int stride, int h, int w, Activation act) {
        checkDepthwiseChannels(impl, k, stride, h, w, act, false);
    }

    static void checkDepthwiseChannels(CnnKernels impl, int k, int stride, int w, Activation act, boolean stride1) {
        checkDepthwiseChannels(impl, k, stride, 0, w, act, stride1);
    }

    /** As below with {@code h} rows (0: 1 to 9 at random). */
    static void checkDepthwiseChannels(CnnKernels impl, int k, int stride, int hRows, int w, Activation act, boolean stride1) {
        String name = (stride1 ? "cnn-depthwise-stride1/" : "cnn-depthwise-channels/") + impl.name() + "/" + k + "/" + stride + "/"
                + (hRows > 0 ? hRows + "x" : "") + w + "/" + act;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int h = hRows > 0 ? hRows : 1 + r.nextInt(9), channels = 1 + r.nextInt(hRows > 0 ? 4 : 20);
        int padH = r.nextInt(k + 1), padW = r.nextInt(k + 1);
        if (h + 2 * padH < k || w + 2 * padW < k) {   // the kernel must fit: widen the padding
            padH = k;
            padW = k;
        }
        int hoMax = (h + 2 * padH - k) / stride + 1, woMax = (w + 2 * padW - k) / stride + 1;
        int ho = r.nextInt(4) == 0 ? 1 + r.nextInt(hoMax) : hoMax, wo = r.nextInt(4) == 0 ? 1 + r.nextInt(woMax) : woMax;
        int plane = h * w, oplane = ho * wo;
        long xOff = r.nextInt(3);
        float[] x = Gen.floats(r, (int) xOff + channels * plane, -4, 4);   // exactly the planes: no reads past them
        int wOff = r.nextInt(2), biasOff = r.nextInt(2);
        float[] wt = Gen.floats(r, wOff + channels * k * k);
        float[] bias = r.nextBoolean() ? Gen.floats(r, biasOff + channels, -1, 1) : null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Gen.segment(arena, x);
            MemorySegment want = arena.allocate(channels * oplane * 4L + 8), got = arena.allocate(channels * oplane * 4L + 8);
            SPEC.depthwiseChannels(k, stride, padH, padW, channels, xs, xOff, h, w, wt, wOff, bias, biasOff, act, want, 1, ho, wo);
            if (stride1) {
                impl.depthwiseStride1(k, padH, padW, channels, xs, xOff, h, w, wt, wOff, bias, biasOff, act, got, 1, ho, wo);
            } else {
                impl.depthwiseChannels(k, stride, padH, padW, channels, xs, xOff, h, w, wt, wOff, bias, biasOff, act, got, 1, ho, wo);
            }
            boolean exact = impl.name().endsWith("-nofma");
            double slope = act == null || act == Activation.RELU || act == Activation.RELU6 || act == Activation.HARD_SIGMOID ? 1
                    : act == Activation.HARD_SWISH ? 1.5 : 1.2;
            for (int c = 0; c < channels; c++) {
                float b0 = bias == null ? 0f : bias[biasOff + c];
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double abs = Math.abs(b0);
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * stride + ky - padH, ix = ox * stride + kx - padW;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    abs += Math.abs(wt[wOff + c * k * k + ky * k + kx] * x[(int) xOff + c * plane + iy * w + ix]);
                                }
                            }
                        }
                        int i = 1 + c * oplane + oy * wo + ox;
                        float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                        String ctx = name + " channels=" + channels + " h=" + h + " pad=" + padH + "x" + padW + " out=" + ho + "x" + wo
                                + " at (" + c + "," + oy + "," + ox + ") seed=" + seed;
                        if (exact) {
                            assertEquals(a, b, 0f, ctx);
                        } else {
                            assertTrue(Math.abs(a - b) <= slope * 2 * k * k * U * abs + 4 * U * Math.max(1, Math.abs(a)), ctx + ": " + a + " vs " + b);
                        }
                    }
                }
            }
            assertEquals(0f, got.getAtIndex(Gen.F32, 0), "wrote before outOff");
            assertEquals(0f, got.getAtIndex(Gen.F32, 1 + channels * oplane), "wrote past the output");
        }
    }

    /** The scalar specification of depthwiseChannels against a direct double-precision convolution of the padded plane. */
    @Test
    void depthwisePlaneSpecIsAConvolution() {
        long seed = Gen.seed("cnn-depthwise-plane-spec");
        SplittableRandom r = new SplittableRandom(seed);
        int k = 3, s = 2, h = 9, w = 11, p = 1;
        int ho = (h + 2 * p - k) / s + 1, wo = (w + 2 * p - k) / s + 1;
        float[] x = Gen.floats(r, h * w, -2, 2), wt = Gen.floats(r, 9);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ho * wo * 4L);
            SPEC.depthwiseChannels(k, s, p, p, 1, Gen.segment(arena, x), 0, h, w, wt, 0, new float[] {0.25f}, 0, null, out, 0, ho, wo);
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double want = 0.25;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s + ky - p, ix = ox * s + kx - p;
                            want += iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : (double) wt[ky * k + kx] * x[iy * w + ix];
                        }
                    }
                    assertEquals(want, out.getAtIndex(Gen.F32, oy * wo + ox), 1e-5, "at (" + oy + "," + ox + ") seed=" + seed);
                }
            }
        }
    }

    static Stream<Arguments> maxPoolCases() {
        int[] widths = {1, 2, 3, 7, 8, 13, 15, 16, 17, 27, 33, 55, 111};
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int ks : new int[] {1, 2, 3, 5}) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int w : widths) {
                        if (w >= ks) {
                            out.add(Arguments.of(k, ks, stride, w));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * maxPoolPlanes against windows clipped to the plane, written plainly here, and against the specification,
     * bit-exact: random padding (up to k/2) and ceil_mode with PyTorch's output size, some −∞ and NaN cells, a range of
     * planes inside a larger tensor whose other output cells must stay untouched.
     */
    @ParameterizedTest(name = "{0} k={1} s={2} w={3}")
    @MethodSource("maxPoolCases")
    void maxPoolPlanesIsExact(CnnKernels impl, int k, int stride, int w) {
        String name = "cnn-maxpool/" + impl.name() + "/" + k + "/" + stride + "/" + w;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int h = k + r.nextInt(6), pad = r.nextInt(k / 2 + 1);
        boolean ceil = r.nextBoolean();
        int ho = pooledLength(h, k, stride, pad, ceil), wo = pooledLength(w, k, stride, pad, ceil);
        int planes = 1 + r.nextInt(3), q0 = r.nextInt(planes), q1 = q0 + 1 + r.nextInt(planes - q0);
        int xOff = r.nextInt(3), yOff = r.nextInt(3);
        float[] xv = Gen.floats(r, xOff + planes * h * w, -5, 5);
        for (int i = 0; i < xv.length; i++) {
            int u = r.nextInt(50);
            xv[i] = u == 0 ? Float.NEGATIVE_INFINITY : u == 1 ? Float.NaN : xv[i];
        }
        float[] want = new float[yOff + planes * ho * wo + 2];
        java.util.Arrays.fill(want, -7f);
        for (int q = q0; q < q1; q++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                m = Math.max(m, xv[xOff + (q * h + iy) * w + ix]);
                            }
                        }
                    }
                    want[yOff + (q * ho + oy) * wo + ox] = m;
                }
            }
        }
        String what = name + " h=" + h + " pad=" + pad + " ceil=" + ceil + " planes [" + q0 + ", " + q1 + ") seed=" + seed;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = Gen.segment(arena, xv);
            float[] init = new float[want.length];
            java.util.Arrays.fill(init, -7f);
            MemorySegment got = Gen.segment(arena, init), spec = Gen.segment(arena, init);
            impl.maxPoolPlanes(k, stride, pad, x, xOff, h, w, got, yOff, ho, wo, q0, q1);
            SPEC.maxPoolPlanes(k, stride, pad, x, xOff, h, w, spec, yOff, ho, wo, q0, q1);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got.getAtIndex(Gen.F32, i), 0f, what + " at " + i);
                assertEquals(want[i], spec.getAtIndex(Gen.F32, i), 0f, "spec " + what + " at " + i);
            }
        }
    }

    /** PyTorch's pooling output length (pooling_output_shape), with the ceil_mode rule that a last window must start inside. */
    private static int pooledLength(int len, int k, int stride, int pad, boolean ceil) {
        int span = len + 2 * pad - k;
        int o = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (o - 1) * stride >= len + pad) {
            o--;
        }
        return o;
    }

    static Stream<Arguments> sizeCases() {
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int n : SIZES) {
                out.add(Arguments.of(k, n));
            }
            out.add(Arguments.of(k, 1 + new SplittableRandom(Gen.seed(k.name())).nextInt(3000)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizeCases")
    void biasActivateIsExact(CnnKernels impl, int n) {
        for (Activation act : new Activation[] {null, Activation.RELU, Activation.RELU6, Activation.HARD_SIGMOID, Activation.HARD_SWISH,
            Activation.SIGMOID, Activation.GELU}) {
            String name = "cnn-biasact/" + impl.name() + "/" + n + "/" + act;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            float[] y = Gen.floats(r, n + 2, -8, 8);
            float bias = (float) r.nextDouble(-2, 2);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment want = Gen.segment(arena, y), got = Gen.segment(arena, y);
                SPEC.biasActivate(n, bias, act, want, 1);
                impl.biasActivate(n, bias, act, got, 1);
                for (int i = 0; i < n + 2; i++) {
                    float expect = i == 0 || i == n + 1 ? y[i]
                            : act == null ? y[i] + bias : ScalarKernels.activation(act, y[i] + bias);
                    assertEquals(expect, want.getAtIndex(Gen.F32, i), 0f, "spec " + name + " at " + i + " seed=" + seed);
                    assertEquals(expect, got.getAtIndex(Gen.F32, i), 0f, name + " at " + i + " seed=" + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizeCases")
    void deinterleaveIsExact(CnnKernels impl, int pairs) {
        String name = "cnn-deinterleave/" + impl.name() + "/" + pairs;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int srcOff = r.nextInt(3);
        float[] src = Gen.floats(r, srcOff + 2 * pairs + r.nextInt(2));
        int evenOff = 1 + r.nextInt(3), oddOff = evenOff + pairs + r.nextInt(3);
        float[] want = new float[oddOff + pairs + 2], got = new float[want.length];
        java.util.Arrays.fill(want, -7f);
        java.util.Arrays.fill(got, -7f);
        for (int j = 0; j < pairs; j++) {
            want[evenOff + j] = src[srcOff + 2 * j];
            want[oddOff + j] = src[srcOff + 2 * j + 1];
        }
        impl.deinterleave(src, srcOff, pairs, got, evenOff, got, oddOff);
        assertArrayEquals(want, got, name + " seed=" + seed);
        float[] spec = new float[want.length];
        java.util.Arrays.fill(spec, -7f);
        SPEC.deinterleave(src, srcOff, pairs, spec, evenOff, spec, oddOff);
        assertArrayEquals(want, spec, "spec " + name + " seed=" + seed);
    }

    /** Winograd F(2×2, 3×3)'s Bᵀ. */
    private static final double[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};

    static Stream<Arguments> winogradCases() {
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int tw : new int[] {0, 1, 2, 7, 15, 16, 17, 31, 33}) {
                out.add(Arguments.of(k, tw));
            }
        }
        return out.stream();
    }

    /**
     * The Winograd input transform, bit for bit against the specification: 1–4 channels, tile-row ranges inside 1–4
     * rows, phase planes exactly as long as the windows need (rows of tw + 1 to tw + 3), channel and row strides with
     * slack, offsets; every float of the output segment compared, so nothing outside the tiles may be written.
     */
    @ParameterizedTest(name = "{0} tw={1}")
    @MethodSource("winogradCases")
    void winogradInputIsExact(CnnKernels impl, int tw) {
        checkWinogradInput(impl, tw, 2);
    }

    /** {@link #winogradInputIsExact} for tiles of n × n outputs (2: four stride-2 phases; 4: four column phases). */
    static void checkWinogradInput(CnnKernels impl, int tw, int n) {
        String name = (n == 2 ? "cnn-winograd-in/" : "cnn-winograd4-in/") + impl.name() + "/" + tw;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int slack = CnnKernels.WINOGRAD_SLACK, xis = (n + 2) * (n + 2);
        for (int iter = 0; iter < 4; iter++) {
            int cin = 1 + r.nextInt(4), th = 1 + r.nextInt(4), ty0 = r.nextInt(th), ty1 = ty0 + 1 + r.nextInt(th - ty0);
            int wq = tw + 1 + r.nextInt(3), phase = (n == 2 ? th + 1 : 4 * th + 2) * wq + r.nextInt(3), ldx = 4 * phase + r.nextInt(5);
            int xOff = r.nextInt(4);
            float[] x = Gen.floats(r, xOff + (cin - 1) * ldx + 4 * phase + slack, -4, 4);
            int nt = (ty1 - ty0) * tw, ldv = nt + slack + r.nextInt(3), vOff = r.nextInt(4), slab = cin * ldv + r.nextInt(20);
            float[] want = Gen.floats(r, vOff + xis * slab + 3), got = want.clone();
            if (n == 2) {
                SPEC.winogradInput(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, want, vOff, ldv, slab);
                impl.winogradInput(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, got, vOff, ldv, slab);
            } else {
                SPEC.winograd4Input(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, want, vOff, ldv, slab);
                impl.winograd4Input(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, got, vOff, ldv, slab);
            }
            for (int i = 0; i < want.length; i++) {
                int inSlab = (i - vOff) % slab, inRow = inSlab % ldv;
                if (i >= vOff && i < vOff + xis * slab && inSlab < cin * ldv && inRow >= nt && inRow < nt + slack) {
                    continue;   // the slack after a row's tiles: unspecified
                }
                assertEquals(want[i], got[i], 0f, name + " iter " + iter + " at " + i + " seed=" + seed);
            }
        }
    }

    /**
     * The Winograd output transform, bit for bit against the specification: channel ranges, tile-row ranges, outputs of
     * odd and even height and width (the last tiles' spare row and column dropped), with and without bias, no residual,
     * a separate one and one read from the output itself, identity, ReLU, ReLU6 and hard-swish (the vector kernel's
     * fallback); every float of the output segment compared.
     */
    @ParameterizedTest(name = "{0} tw={1}")
    @MethodSource("winogradCases")
    void winogradOutputIsExact(CnnKernels impl, int tw) {
        checkWinogradOutput(impl, tw, 2);
    }

    /** {@link #winogradOutputIsExact} for tiles of n × n outputs. */
    static void checkWinogradOutput(CnnKernels impl, int tw, int n) {
        Activation[] acts = {null, Activation.RELU, Activation.RELU6, Activation.HARD_SWISH};
        int xis = (n + 2) * (n + 2);
        for (int iter = 0; iter < 8; iter++) {
            String name = (n == 2 ? "cnn-winograd-out/" : "cnn-winograd4-out/") + impl.name() + "/" + tw + "/" + iter;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            Activation act = acts[iter % acts.length];
            int cout = 1 + r.nextInt(5), o0 = r.nextInt(cout), o1 = o0 + 1 + r.nextInt(cout - o0);
            int th = 1 + r.nextInt(4), ty0 = r.nextInt(th), ty1 = ty0 + 1 + r.nextInt(th - ty0);
            int ho = n * th - r.nextInt(n), wo = tw == 0 ? 0 : n * tw - r.nextInt(n);
            int nt = (ty1 - ty0) * tw, ldm = nt + CnnKernels.WINOGRAD_SLACK + r.nextInt(3), mOff = r.nextInt(4), yOff = r.nextInt(4);
            int slab = cout * ldm + r.nextInt(20);
            float[] m = Gen.floats(r, mOff + xis * slab, -4, 4);
            float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
            float[] y0 = Gen.floats(r, yOff + cout * ho * wo + 2), res = Gen.floats(r, yOff + cout * ho * wo);
            int mode = (iter / 2) % 3;   // 0: no residual, 1: a separate one, 2: the output itself
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment want = Gen.segment(arena, y0), got = Gen.segment(arena, y0);
                MemorySegment rw = mode == 0 ? null : mode == 1 ? Gen.segment(arena, res) : want;
                MemorySegment rg = mode == 0 ? null : mode == 1 ? rw : got;
                if (n == 2) {
                    SPEC.winogradOutput(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, rw, yOff, want, yOff, ho, wo, o0, o1);
                    impl.winogradOutput(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, rg, yOff, got, yOff, ho, wo, o0, o1);
                } else {
                    SPEC.winograd4Output(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, rw, yOff, want, yOff, ho, wo, o0, o1);
                    impl.winograd4Output(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, rg, yOff, got, yOff, ho, wo, o0, o1);
                }
                for (int i = 0; i < y0.length; i++) {
                    assertEquals(want.getAtIndex(Gen.F32, i), got.getAtIndex(Gen.F32, i), 0f, name + " " + act + " residual " + mode
                            + " at " + i + " seed=" + seed);
                }
            }
        }
    }

    /**
     * The specification's two transforms with the transformed weights {@code G·g·Gᵀ} in between compute the 3×3
     * correlation: against a direct double sum over random channels, paddings and odd/even sizes, within
     * 16·u·T, where T sums |G|·|g|·|G|ᵀ times |B|ᵀ·|d|·|B| over the input channels and the 9 products an output reads
     * (the roundings: 2 in V, 1 in U, 1 per product, 1 in the channel sum, 4 in the output transform).
     */
    @Test
    void winogradSpecIsAConvolution() {
        long seed = Gen.seed("cnn-winograd-spec");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 20; iter++) {
            int cin = 1 + r.nextInt(4), cout = 1 + r.nextInt(3), pad = r.nextInt(3), h = 1 + r.nextInt(9), w = 1 + r.nextInt(9);
            int ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
            if (ho < 1 || wo < 1) {
                continue;
            }
            int th = (ho + 1) / 2, tw = (wo + 1) / 2, hq = th + 1, wq = tw + 1, phase = hq * wq, nt = th * tw;
            float[] x = Gen.floats(r, cin * h * w), g = Gen.floats(r, cout * cin * 9), xp = new float[cin * 4 * phase];
            for (int c = 0; c < cin; c++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        int py = iy + pad, px = ix + pad;
                        xp[c * 4 * phase + (2 * (py % 2) + px % 2) * phase + (py / 2) * wq + px / 2] = x[(c * h + iy) * w + ix];
                    }
                }
            }
            double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
            try (Arena arena = Arena.ofConfined()) {
                float[] v = new float[16 * cin * nt], m = new float[16 * cout * nt];
                MemorySegment y = arena.allocate(4L * cout * ho * wo);
                SPEC.winogradInput(cin, xp, 0, 4 * phase, phase, wq, tw, 0, th, v, 0, nt, cin * nt);
                for (int xi = 0; xi < 16; xi++) {
                    int a = xi / 4, b = xi % 4;
                    for (int o = 0; o < cout; o++) {
                        for (int t = 0; t < nt; t++) {
                            double acc = 0;
                            for (int c = 0; c < cin; c++) {
                                double u = 0;
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        u += gm[a][ky] * g[(o * cin + c) * 9 + ky * 3 + kx] * gm[b][kx];
                                    }
                                }
                                acc += (float) u * v[(xi * cin + c) * nt + t];
                            }
                            m[(xi * cout + o) * nt + t] = (float) acc;
                        }
                    }
                }
                SPEC.winogradOutput(cout, m, 0, nt, cout * nt, tw, 0, th, null, null, null, 0, y, 0, ho, wo, 0, cout);
                for (int o = 0; o < cout; o++) {
                    for (int oy = 0; oy < ho; oy++) {
                        for (int ox = 0; ox < wo; ox++) {
                            double want = 0, mag = 0;
                            for (int c = 0; c < cin; c++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = oy + ky - pad, ix = ox + kx - pad;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            want += (double) g[(o * cin + c) * 9 + ky * 3 + kx] * x[(c * h + iy) * w + ix];
                                        }
                                    }
                                }
                                // T: the window's |d| through |B|, the kernel's |g| through |G|, over the ξ = (a, b) that
                                // output (oy % 2, ox % 2) reads (a, b in {0, 1, 2} for an even coordinate, {1, 2, 3} for an odd one)
                                int ty = oy / 2, tx = ox / 2;
                                for (int a = oy % 2; a < oy % 2 + 3; a++) {
                                    for (int b = ox % 2; b < ox % 2 + 3; b++) {
                                        double ua = 0, va = 0;
                                        for (int ky = 0; ky < 3; ky++) {
                                            for (int kx = 0; kx < 3; kx++) {
                                                ua += Math.abs(gm[a][ky] * g[(o * cin + c) * 9 + ky * 3 + kx] * gm[b][kx]);
                                            }
                                        }
                                        for (int i = 0; i < 4; i++) {
                                            for (int j = 0; j < 4; j++) {
                                                int py = 2 * ty + i, px = 2 * tx + j;
                                                va += Math.abs(BT[a][i] * BT[b][j] * xp[c * 4 * phase + (2 * (py % 2) + px % 2) * phase + (py / 2) * wq + px / 2]);
                                            }
                                        }
                                        mag += ua * va;
                                    }
                                }
                            }
                            float got = y.getAtIndex(Gen.F32, ((long) o * ho + oy) * wo + ox);
                            assertEquals(want, got, 16 * U * mag + 1e-30, "iter " + iter + " o " + o + " (" + oy + ", " + ox + ") seed=" + seed);
                        }
                    }
                }
            }
        }
    }

    /**
     * The F(4×4, 3×3) input transform, bit for bit against the specification, on cases shaped as
     * {@link #winogradInputIsExact}'s (four column phases, windows six rows tall).
     */
    @ParameterizedTest(name = "{0} tw={1}")
    @MethodSource("winogradCases")
    void winograd4InputIsExact(CnnKernels impl, int tw) {
        checkWinogradInput(impl, tw, 4);
    }

    /** The F(4×4, 3×3) output transform, bit for bit against the specification, as {@link #winogradOutputIsExact}. */
    @ParameterizedTest(name = "{0} tw={1}")
    @MethodSource("winogradCases")
    void winograd4OutputIsExact(CnnKernels impl, int tw) {
        checkWinogradOutput(impl, tw, 4);
    }

    /** Winograd F(4×4, 3×3)'s Bᵀ, G and Aᵀ (points 0, ±1, ±2, ∞). */
    private static final double[][] BT6 = {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    private static final double[][] G6 = {{0.25, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
    private static final double[][] AT6 = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

    /**
     * The F(4×4, 3×3) specification with {@code U = G·g·Gᵀ} between its transforms computes the 3×3 correlation:
     * against a direct double sum, within 64·u·T, T summing |Aᵀ|·(|G|·|g|·|G|ᵀ ⊙ |B|ᵀ·|d|·|B|)·|A| over the channels
     * (the transforms' roundings grow with their coefficients up to 8).
     */
    @Test
    void winograd4SpecIsAConvolution() {
        long seed = Gen.seed("cnn-winograd4-spec");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 20; iter++) {
            int cin = 1 + r.nextInt(4), cout = 1 + r.nextInt(3), pad = r.nextInt(3), h = 1 + r.nextInt(13), w = 1 + r.nextInt(13);
            int ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
            if (ho < 1 || wo < 1) {
                continue;
            }
            int th = (ho + 3) / 4, tw = (wo + 3) / 4, wq = tw + 1, phase = (4 * th + 2) * wq, nt = th * tw;
            float[] x = Gen.floats(r, cin * h * w), g = Gen.floats(r, cout * cin * 9), xp = new float[cin * 4 * phase];
            double[][] pd = new double[cin][(4 * th + 2) * 4 * wq];   // the padded planes, for the bound
            for (int c = 0; c < cin; c++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        int py = iy + pad, px = ix + pad;
                        xp[c * 4 * phase + (px % 4) * phase + py * wq + px / 4] = x[(c * h + iy) * w + ix];
                        pd[c][py * 4 * wq + px] = x[(c * h + iy) * w + ix];
                    }
                }
            }
            float[] v = new float[36 * cin * nt], m = new float[36 * cout * nt];
            double[][][] ua = new double[cout][cin][36];
            SPEC.winograd4Input(cin, xp, 0, 4 * phase, phase, wq, tw, 0, th, v, 0, nt, cin * nt);
            for (int xi = 0; xi < 36; xi++) {
                int a = xi / 6, b = xi % 6;
                for (int o = 0; o < cout; o++) {
                    for (int t = 0; t < nt; t++) {
                        double acc = 0;
                        for (int c = 0; c < cin; c++) {
                            double u = 0, uAbs = 0;
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    u += G6[a][ky] * g[(o * cin + c) * 9 + ky * 3 + kx] * G6[b][kx];
                                    uAbs += Math.abs(G6[a][ky] * g[(o * cin + c) * 9 + ky * 3 + kx] * G6[b][kx]);
                                }
                            }
                            ua[o][c][xi] = uAbs;
                            acc += (float) u * v[(xi * cin + c) * nt + t];
                        }
                        m[(xi * cout + o) * nt + t] = (float) acc;
                    }
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment y = arena.allocate(4L * cout * ho * wo);
                SPEC.winograd4Output(cout, m, 0, nt, cout * nt, tw, 0, th, null, null, null, 0, y, 0, ho, wo, 0, cout);
                for (int o = 0; o < cout; o++) {
                    for (int oy = 0; oy < ho; oy++) {
                        for (int ox = 0; ox < wo; ox++) {
                            double want = 0, mag = 0;
                            int ty = oy / 4, tx = ox / 4, i = oy % 4, j = ox % 4;
                            for (int c = 0; c < cin; c++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = oy + ky - pad, ix = ox + kx - pad;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            want += (double) g[(o * cin + c) * 9 + ky * 3 + kx] * x[(c * h + iy) * w + ix];
                                        }
                                    }
                                }
                                for (int a = 0; a < 6; a++) {
                                    for (int b = 0; b < 6; b++) {
                                        double va = 0;
                                        for (int p = 0; p < 6; p++) {
                                            for (int q = 0; q < 6; q++) {
                                                va += Math.abs(BT6[a][p] * BT6[b][q] * pd[c][(4 * ty + p) * 4 * wq + 4 * tx + q]);
                                            }
                                        }
                                        mag += Math.abs(AT6[i][a] * AT6[j][b]) * ua[o][c][6 * a + b] * va;
                                    }
                                }
                            }
                            float got = y.getAtIndex(Gen.F32, ((long) o * ho + oy) * wo + ox);
                            assertEquals(want, got, 64 * U * mag + 1e-30, "iter " + iter + " o " + o + " (" + oy + ", " + ox + ") seed=" + seed);
                        }
                    }
                }
            }
        }
    }

    /** A broken Winograd input transform: the last tile (of {@code nt} from {@code row}) of the last row one step up. */
    private static void nudgeLastTile(float[] v, int row, int nt) {
        if (nt > 0) {
            v[row + nt - 1] = Math.nextUp(v[row + nt - 1]);
        }
    }

    /**
     * A broken Winograd output transform: output channel o's (none when negative) last cell of tile row ty1 − 1 (tiles
     * of n × n outputs) one step up.
     */
    private static void nudgeLastCell(MemorySegment y, long yOff, int n, int o, int ty1, int ho, int wo) {
        if (wo > 0 && o >= 0) {
            long at = yOff + ((long) o * ho + Math.min(n * ty1 - 1, ho - 1)) * wo + wo - 1;
            y.setAtIndex(Gen.F32, at, Math.nextUp(y.getAtIndex(Gen.F32, at)));
        }
    }

    /** The depthwise check catches a kernel that is off in its last output. */
    @Test
    void catchesABrokenKernel() {
        CnnKernels base = VectorCnnKernels.create(256, false);
        CnnKernels broken = new CnnKernels() {
            @Override public String name() { return "broken-nofma"; }

            @Override
            public void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias,
                                  Activation act, MemorySegment out, long outOff, int ho, int wo) {
                base.depthwise(k, stride, in, inOff, hp, pw, w, wOff, bias, act, out, outOff, ho, wo);
                out.setAtIndex(Gen.F32, outOff + ho * wo - 1, out.getAtIndex(Gen.F32, outOff + ho * wo - 1) + 1e-3f);
            }

            @Override
            public void biasActivate(int n, float bias, Activation act, MemorySegment y, long off) {
                base.biasActivate(n, bias, act, y, off);
            }

            @Override
            public void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                          float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                          int ho, int wo) {
                base.depthwiseChannels(k, stride, padH, padW, channels, x, xOff, h, w, wt, wOff, bias, biasOff, act, out, outOff, ho, wo);
                out.setAtIndex(Gen.F32, outOff, out.getAtIndex(Gen.F32, outOff) + 1e-3f);
            }

            @Override
            public void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                         float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                         int ho, int wo) {
                base.depthwiseStride1(k, padH, padW, channels, x, xOff, h, w, wt, wOff, bias, biasOff, act, out, outOff, ho, wo);
                long last = outOff + (long) channels * ho * wo - 1;
                out.setAtIndex(Gen.F32, last, out.getAtIndex(Gen.F32, last) + 1e-3f);
            }

            @Override
            public void depthwiseNchwc(int lanes, int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h,
                                       int w, float[] packed, Activation act, MemorySegment out, long outOff, int ho, int wo,
                                       int cb0, int cb1) {
                base.depthwiseNchwc(lanes, k, stride, padH, padW, channels, x, xOff, h, w, packed, act, out, outOff, ho, wo, cb0, cb1);
            }

            @Override
            public void convNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, int padH, int padW, float[] packed, float[] bias,
                                  Activation act, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                                  int ob0, int ob1, int p0, int p1) {
                base.convNchwc(lanes, cout, cin, kh, kw, stride, padH, padW, packed, bias, act, x, xOff, h, w, y, yOff, ho, wo, ob0, ob1, p0, p1);
            }

            @Override
            public void pointwiseNchwc(int lanes, int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x,
                                       long xOff, boolean xBlocked, int plane, MemorySegment r, long rOff, MemorySegment y, long yOff,
                                       boolean yBlocked, int ob0, int ob1, int p0, int p1) {
                base.pointwiseNchwc(lanes, cout, cin, packed, bias, act, x, xOff, xBlocked, plane, r, rOff, y, yOff, yBlocked, ob0, ob1, p0, p1);
            }

            @Override
            public void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
                base.deinterleave(src, srcOff, pairs, even, evenOff, odd, oddOff);
            }

            @Override
            public void convStemNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, float[] packed, float[] bias, Activation act,
                                      float[] xp, int hq, int wq, MemorySegment y, long yOff, int ho, int wo, int ob0, int ob1, int oy0, int oy1) {
                base.convStemNchwc(lanes, cout, cin, kh, kw, stride, packed, bias, act, xp, hq, wq, y, yOff, ho, wo, ob0, ob1, oy0, oy1);
            }

            @Override
            public void maxPoolPlanes(int k, int stride, int pad, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff,
                                      int ho, int wo, int q0, int q1) {
                base.maxPoolPlanes(k, stride, pad, x, xOff, h, w, y, yOff, ho, wo, q0, q1);
                y.setAtIndex(Gen.F32, yOff + (long) q1 * ho * wo - 1, 1e6f);   // the last output wrong (inputs are in ±5, ±∞, NaN)
            }

            @Override
            public void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x,
                                    int xOff, int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1) {
                base.convShifted(cout, cin, taps, tapOff, w, bias, act, x, xOff, ldx, y, yOff, ldy, p0, p1);
                y.setAtIndex(Gen.F32, yOff + p0, y.getAtIndex(Gen.F32, yOff + p0) - 1e-3f);
            }

            @Override
            public void winogradInput(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v,
                                      int vOff, int ldv, int slab) {
                base.winogradInput(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, v, vOff, ldv, slab);
                nudgeLastTile(v, vOff + 15 * slab + (cin - 1) * ldv, (ty1 - ty0) * tw);
            }

            @Override
            public void winogradOutput(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias,
                                       Activation act, MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
                base.winogradOutput(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, r, rOff, y, yOff, ho, wo, o0, o1);
                nudgeLastCell(y, yOff, 2, ty1 > ty0 && o1 > o0 ? o1 - 1 : -1, ty1, ho, wo);
            }

            @Override
            public void winograd4Input(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v,
                                       int vOff, int ldv, int slab) {
                base.winograd4Input(cin, x, xOff, ldx, phase, wq, tw, ty0, ty1, v, vOff, ldv, slab);
                nudgeLastTile(v, vOff + 35 * slab + (cin - 1) * ldv, (ty1 - ty0) * tw);
            }

            @Override
            public void winograd4Output(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias,
                                        Activation act, MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
                base.winograd4Output(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, r, rOff, y, yOff, ho, wo, o0, o1);
                nudgeLastCell(y, yOff, 4, ty1 > ty0 && o1 > o0 ? o1 - 1 : -1, ty1, ho, wo);
            }

            @Override
            public void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                                  MemorySegment y, long yOff, int ldy, int p0, int p1) {
                base.pointwise(cout, cin, w, bias, act, x, xOff, ldx, y, yOff, ldy, p0, p1);
                y.setAtIndex(Gen.F32, yOff + (long) (cout - 1) * ldy + p1 - 1, y.getAtIndex(Gen.F32, yOff + (long) (cout - 1) * ldy + p1 - 1) + 1e-3f);
            }
        };
        assertThrows(AssertionError.class, () -> depthwiseMatchesSpec(broken, 3, 2, 17, null));
        assertThrows(AssertionError.class, () -> winogradInputIsExact(broken, 17));
        assertThrows(AssertionError.class, () -> winogradOutputIsExact(broken, 17));
        assertThrows(AssertionError.class, () -> winograd4InputIsExact(broken, 17));
        assertThrows(AssertionError.class, () -> winograd4OutputIsExact(broken, 17));
        assertThrows(AssertionError.class, () -> depthwiseChannelsMatchesSpec(broken, 5, 2, 9, null));
        assertThrows(AssertionError.class, () -> depthwiseStride1MatchesSpec(broken, 3, 56, null));
        assertThrows(AssertionError.class, () -> maxPoolPlanesIsExact(broken, 3, 2, 13));
        assertThrows(AssertionError.class, () -> pointwiseMatchesSpec(broken, 7, 5, 33));
        assertThrows(AssertionError.class, () -> convShiftedMatchesSpec(broken, 5, 3, 9, 40));
    }

    static Stream<Arguments> pointwiseCases() {
        int[] couts = {1, 3, 4, 5, 17};
        int[] cins = {0, 1, 7, 16, 33};
        int[] pixels = {0, 1, 15, 16, 17, 31, 33, 65, 257};
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int i = 0; i < pixels.length; i++) {
                out.add(Arguments.of(k, couts[i % couts.length], cins[(i + 2) % cins.length], pixels[i]));
            }
            out.add(Arguments.of(k, 24, 96, 64));
            out.add(Arguments.of(k, 5, 40, 300));   // several L1 sub-blocks, a one-vector last one, a scalar tail
        }
        return out.stream();
    }

    /**
     * The depthwise kernels before the flat phase planes ({@code minnow.cnn.dwFlat=false}: ring rows, channels in the lanes,
     * row pairs at every width), on the same cases as {@link #depthwiseChannelsMatchesSpec}.
     */
    @ParameterizedTest(name = "{0} k={1} stride={2} w={3} {4}")
    @MethodSource("depthwiseChannelsCases")
    void depthwiseChannelsWithoutFlatPlanesMatchesSpec(CnnKernels impl, int k, int stride, int w, Activation act) {
        withoutFlatPlanes(() -> checkDepthwiseChannels(impl, k, stride, w, act, false));
    }

    /** {@link #depthwiseStride1MatchesSpec} with {@code minnow.cnn.dwFlat=false}. */
    @ParameterizedTest(name = "{0} k={1} w={2} {3}")
    @MethodSource("depthwiseStride1Cases")
    void depthwiseStride1WithoutFlatPlanesMatchesSpec(CnnKernels impl, int k, int w, Activation act) {
        withoutFlatPlanes(() -> checkDepthwiseChannels(impl, k, 1, w, act, true));
    }

    /**
     * The flat phase planes at every width ({@code minnow.cnn.dwInterleaved=false}: outputs up to 32 wide otherwise run
     * with the channels in the lanes), on the same cases as {@link #depthwiseChannelsMatchesSpec}.
     */
    @ParameterizedTest(name = "{0} k={1} stride={2} w={3} {4}")
    @MethodSource("depthwiseChannelsCases")
    void depthwiseChannelsFlatOnlyMatchesSpec(CnnKernels impl, int k, int stride, int w, Activation act) {
        withProperty("minnow.cnn.dwInterleaved", "false", () -> checkDepthwiseChannels(impl, k, stride, w, act, false));
    }

    /**
     * Channels in the lanes moved in and out element by element ({@code minnow.cnn.dwTranspose=false}, the loops before
     * the vector transposes), on the same cases as {@link #depthwiseChannelsMatchesSpec}.
     */
    @ParameterizedTest(name = "{0} k={1} stride={2} w={3} {4}")
    @MethodSource("depthwiseChannelsCases")
    void depthwiseChannelsScalarTransposeMatchesSpec(CnnKernels impl, int k, int stride, int w, Activation act) {
        withProperty("minnow.cnn.dwTranspose", "false", () -> checkDepthwiseChannels(impl, k, stride, w, act, false));
    }

    static Stream<Arguments> depthwise5Cases() {
        return depthwiseChannelsCases().filter(a -> (int) a.get()[1] == 5);
    }

    /**
     * 5×5 with the channels in the lanes through the generic four-pixel kernel ({@code minnow.cnn.il5=false}, the one
     * before the written-out 5×5 kernels), on the 5×5 cases of {@link #depthwiseChannelsMatchesSpec}.
     */
    @ParameterizedTest(name = "{0} k={1} stride={2} w={3} {4}")
    @MethodSource("depthwise5Cases")
    void depthwise5WithoutWrittenOutKernelMatchesSpec(CnnKernels impl, int k, int stride, int w, Activation act) {
        withProperty("minnow.cnn.il5", "false", () -> checkDepthwiseChannels(impl, k, stride, w, act, false));
    }

    /** Runs {@code check} with a system property set (the kernels read these per call), then clears it. */
    private static void withProperty(String key, String value, Runnable check) {
        System.setProperty(key, value);
        try {
            check.run();
        } finally {
            System.clearProperty(key);
        }
    }

    /** Runs {@code check} with {@code minnow.cnn.dwFlat=false} (the kernels read it per call). */
    private static void withoutFlatPlanes(Runnable check) {
        System.setProperty("minnow.cnn.dwFlat", "false");
        try {
            check.run();
        } finally {
            System.clearProperty("minnow.cnn.dwFlat");
        }
    }

    /** The pointwise loop order before the L1 sub-blocks ({@code minnow.cnn.pwChannelsOuter=false}), on the same cases. */
    @ParameterizedTest(name = "{0} cout={1} cin={2} pixels={3}")
    @MethodSource("pointwiseCases")
    void pointwiseWithPixelBlocksOuterMatchesSpec(CnnKernels impl, int cout, int cin, int pixels) {
        System.setProperty("minnow.cnn.pwChannelsOuter", "false");
        try {
            pointwiseMatchesSpec(impl, cout, cin, pixels);
        } finally {
            System.clearProperty("minnow.cnn.pwChannelsOuter");
        }
    }

    /**
     * Pointwise against the specification: a pixel range [p0, p1) inside wider rows (ldx, ldy > pixels), every
     * activation in turn, bias or none. Without FMA bit-exact; with it within 2·cin·u·(|b| + Σ|w·x|) (times the
     * activation's slope) plus 4u·max(1, |y|). Cells outside the range must stay untouched.
     */
    @ParameterizedTest(name = "{0} cout={1} cin={2} pixels={3}")
    @MethodSource("pointwiseCases")
    void pointwiseMatchesSpec(CnnKernels impl, int cout, int cin, int pixels) {
        Activation[] acts = {null, Activation.RELU6, Activation.HARD_SWISH, Activation.RELU, Activation.SIGMOID};
        for (int ai = 0; ai < acts.length; ai++) {
            Activation act = acts[ai];
            String name = "cnn-pointwise/" + impl.name() + "/" + cout + "/" + cin + "/" + pixels + "/" + act;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int p0 = r.nextInt(3), ldx = p0 + pixels + 1 + r.nextInt(5), ldy = p0 + pixels + 1 + r.nextInt(5);
            long xOff = r.nextInt(3), yOff = r.nextInt(3);
            float[] x = Gen.floats(r, (int) xOff + Math.max(1, cin) * ldx, -3, 3);
            float[] w = Gen.floats(r, cout * cin + 1);
            float[] bias = ai % 2 == 0 ? Gen.floats(r, cout, -1, 1) : null;
            float[] y0 = Gen.floats(r, (int) yOff + cout * ldy + 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment xs = Gen.segment(arena, x), want = Gen.segment(arena, y0), got = Gen.segment(arena, y0);
                SPEC.pointwise(cout, cin, w, bias, act, xs, xOff, ldx, want, yOff, ldy, p0, p0 + pixels);
                impl.pointwise(cout, cin, w, bias, act, xs, xOff, ldx, got, yOff, ldy, p0, p0 + pixels);
                boolean exact = impl.name().endsWith("-nofma");
                double slope = act == Activation.HARD_SWISH ? 1.5 : act == Activation.SIGMOID ? 1.2 : 1;
                for (int i = 0; i < y0.length; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - yOff;
                    boolean inside = rel >= 0 && rel / ldy < cout && rel % ldy >= p0 && rel % ldy < p0 + pixels;
                    String ctx = name + " at " + i + " seed=" + seed;
                    if (KernelChecks.outsideOrExact(y0[i], a, b, inside, exact, ctx)) {
                        continue;
                    }
                    int o = (int) (rel / ldy), q = (int) (rel % ldy);
                    double abs = bias == null ? 0 : Math.abs(bias[o]);
                    for (int c = 0; c < cin; c++) {
                        abs += Math.abs(w[o * cin + c] * x[(int) xOff + c * ldx + q]);
                    }
                    assertTrue(Math.abs(a - b) <= slope * 2 * Math.max(1, cin) * U * abs + 4 * U * Math.max(1, Math.abs(a)),
                            ctx + ": " + a + " vs " + b);
                }
            }
        }
    }

    static Stream<Arguments> shiftedCases() {
        int[][] shapes = {{1, 1, 9, 1}, {4, 3, 9, 16}, {5, 2, 9, 33}, {8, 16, 9, 64}, {3, 1, 49, 17}, {7, 5, 9, 40}, {4, 4, 4, 31}, {2, 3, 25, 0},
            {5, 3, 9, 300},    // several L1 sub-blocks, a one-vector last one, a scalar tail
            {4, 3, 9, 112}, {6, 2, 9, 176}};   // three vectors left after the four-vector tiles at 512 bits (cs43)
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int[] s : shapes) {
                out.add(Arguments.of(k, s[0], s[1], s[2], s[3]));
            }
        }
        return out.stream();
    }

    /** convShifted in the loop order before the L1 sub-blocks ({@code minnow.cnn.pwChannelsOuter=false}). */
    @ParameterizedTest(name = "{0} cout={1} cin={2} taps={3} pixels={4}")
    @MethodSource("shiftedCases")
    void convShiftedWithPixelBlocksOuterMatchesSpec(CnnKernels impl, int cout, int cin, int taps, int pixels) {
        System.setProperty("minnow.cnn.pwChannelsOuter", "false");
        try {
            convShiftedMatchesSpec(impl, cout, cin, taps, pixels);
        } finally {
            System.clearProperty("minnow.cnn.pwChannelsOuter");
        }
    }

    /**
     * convShifted against the specification: random tap offsets (any non-negative shifts), a pixel range inside wider
     * output rows, each activation in turn, bias or none. Bounds as {@link #pointwiseMatchesSpec} with cin·taps terms.
     */
    @ParameterizedTest(name = "{0} cout={1} cin={2} taps={3} pixels={4}")
    @MethodSource("shiftedCases")
    void convShiftedMatchesSpec(CnnKernels impl, int cout, int cin, int taps, int pixels) {
        Activation[] acts = {null, Activation.RELU, Activation.HARD_SWISH, Activation.SIGMOID};
        for (int ai = 0; ai < acts.length; ai++) {
            Activation act = acts[ai];
            String name = "cnn-shifted/" + impl.name() + "/" + cout + "/" + cin + "/" + taps + "/" + pixels + "/" + act;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int[] tapOff = new int[taps];
            int maxTap = 0;
            for (int t = 0; t < taps; t++) {
                tapOff[t] = r.nextInt(40);
                maxTap = Math.max(maxTap, tapOff[t]);
            }
            int p0 = r.nextInt(3), xOff = r.nextInt(3);
            int ldx = p0 + pixels + maxTap + r.nextInt(4), ldy = p0 + pixels + 1 + r.nextInt(4);
            float[] x = Gen.floats(r, xOff + cin * ldx, -2, 2);   // exactly what the taps reach (or a little more)
            float[] w = Gen.floats(r, cout * cin * taps);
            float[] bias = ai % 2 == 0 ? Gen.floats(r, cout, -1, 1) : null;
            long yOff = r.nextInt(3);
            float[] y0 = Gen.floats(r, (int) yOff + cout * ldy + 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment want = Gen.segment(arena, y0), got = Gen.segment(arena, y0);
                SPEC.convShifted(cout, cin, taps, tapOff, w, bias, act, x, xOff, ldx, want, yOff, ldy, p0, p0 + pixels);
                impl.convShifted(cout, cin, taps, tapOff, w, bias, act, x, xOff, ldx, got, yOff, ldy, p0, p0 + pixels);
                boolean exact = impl.name().endsWith("-nofma");
                double slope = act == Activation.HARD_SWISH ? 1.5 : act == Activation.SIGMOID ? 1.2 : 1;
                for (int i = 0; i < y0.length; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - yOff;
                    boolean inside = rel >= 0 && rel / ldy < cout && rel % ldy >= p0 && rel % ldy < p0 + pixels;
                    String ctx = name + " at " + i + " seed=" + seed;
                    if (KernelChecks.outsideOrExact(y0[i], a, b, inside, exact, ctx)) {
                        continue;
                    }
                    int o = (int) (rel / ldy), q = (int) (rel % ldy);
                    double abs = bias == null ? 0 : Math.abs(bias[o]);
                    for (int c = 0; c < cin; c++) {
                        for (int t = 0; t < taps; t++) {
                            abs += Math.abs(w[(o * cin + c) * taps + t] * x[xOff + c * ldx + q + tapOff[t]]);
                        }
                    }
                    assertTrue(Math.abs(a - b) <= slope * 2 * cin * taps * U * abs + 4 * U * Math.max(1, Math.abs(a)),
                            ctx + ": " + a + " vs " + b);
                }
            }
        }
    }
}
