package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The channel-blocked ("NCHWc") kernels of {@link CnnKernels}.
 *
 * <p>First the specification itself against the NCHW specification it re-indexes ({@code depthwiseChannels},
 * {@code pointwise}; both sum in the same order, so the results are bit-identical), through {@link CnnKernels#toNchwc}
 * and {@link CnnKernels#fromNchwc}. Then each vector implementation (128/256/512 bits, with and without FMA) against
 * the specification at its own lane count and at a foreign one (which must take the specification): without FMA
 * bit-exact, with FMA within {@code slope·2·terms·u·Σ|products| + 4u·max(1, |y|)}, the bound of
 * {@link CnnKernelsPropertyTest}. Lanes past the channels must be +0, and cells outside the range written must keep
 * their sentinel.
 */
class NchwcKernelsPropertyTest {
    static final double U = 0x1p-24;
    static final CnnKernels SPEC = CnnKernels.scalar();
    static final float SENTINEL = -7.25f;
    static final Activation[] ACTS = {null, Activation.RELU, Activation.RELU6, Activation.HARD_SWISH, Activation.HARD_SIGMOID, Activation.SILU};

    /** {@link CnnKernelsPropertyTest}'s (every width, with and without FMA, the process's choice) and the specification. */
    static List<CnnKernels> implementations() {
        List<CnnKernels> ks = new ArrayList<>(CnnKernelsPropertyTest.implementations());
        ks.add(SPEC);
        return ks;
    }

    static double slope(Activation act) {
        return act == Activation.HARD_SWISH ? 1.5 : act == null || act == Activation.RELU || act == Activation.RELU6
                || act == Activation.HARD_SIGMOID ? 1 : 1.2;
    }

    static Stream<Arguments> depthwiseCases() {
        int[][] shapes = {   // k, stride, channels, h, w
            {3, 1, 16, 7, 7}, {3, 2, 17, 14, 14}, {3, 1, 1, 1, 1}, {3, 2, 33, 15, 9}, {5, 1, 24, 14, 14}, {5, 2, 7, 17, 16},
            {3, 1, 31, 56, 3}, {1, 1, 15, 5, 5}, {7, 1, 40, 9, 9}, {3, 3, 18, 11, 12}, {5, 1, 8, 2, 3}, {3, 2, 144, 28, 28},
            {3, 1, 20, 9, 21}, {3, 2, 16, 8, 2}, {3, 2, 40, 23, 37}, {3, 1, 16, 2, 40}, {3, 1, 48, 30, 30}, {3, 2, 9, 12, 31},
        };
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int i = 0; i < shapes.length; i++) {
                out.add(Arguments.of(k, shapes[i], ACTS[i % ACTS.length], i % 3 != 2));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("depthwiseCases")
    void depthwiseMatchesSpec(CnnKernels impl, int[] shape, Activation act, boolean withBias) {
        int k = shape[0], s = shape[1], c = shape[2], h = shape[3], w = shape[4];
        String name = "nchwc-dw/" + impl.name() + "/" + java.util.Arrays.toString(shape) + "/" + act + "/" + withBias;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int pad = pad(r, k, s, h, w);
        int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
        float[] x = Gen.floats(r, c * h * w, -4, 4);
        float[] wt = Gen.floats(r, c * k * k);
        float[] bias = withBias ? Gen.floats(r, c) : null;
        try (Arena arena = Arena.ofConfined()) {
            // the NCHW specification, re-blocked, is what the blocked specification must give bit for bit
            MemorySegment xs = Gen.segment(arena, x), ref = arena.allocate((long) c * ho * wo * 4);
            SPEC.depthwiseChannels(k, s, pad, pad, c, xs, 0, h, w, wt, 0, bias, 0, act, ref, 0, ho, wo);
            int lanes = impl.blockLanes();
            for (int L : new int[] {lanes, lanes == 4 ? 8 : 4}) {
                int blocks = (c + L - 1) / L;
                long xb = 3, ob = 2;   // offsets, so that reading before or writing around the ranges shows
                MemorySegment xin = arena.allocate((xb + (long) blocks * h * w * L) * 4 + 64);
                xin.fill((byte) 0xff);   // NaN everywhere the blocked input does not define: it must not leak into the output
                CnnKernels.toNchwc(L, c, h * w, xs, 0, xin, xb);
                long outLen = (long) blocks * ho * wo * L;
                MemorySegment want = sentinel(arena, ob + outLen + 5), got = sentinel(arena, ob + outLen + 5);
                MemorySegment refB = sentinel(arena, ob + outLen + 5);
                CnnKernels.toNchwc(L, c, ho * wo, ref, 0, refB, ob);
                float[] packedDw = CnnKernels.packDepthwiseNchwc(L, c, k, wt, bias);
                SPEC.depthwiseNchwc(L, k, s, pad, pad, c, xin, xb, h, w, packedDw, act, want, ob, ho, wo, 0, blocks);
                String ctx = name + " L=" + L + " seed=" + seed;
                for (long i = 0; i < ob + outLen + 5; i++) {
                    assertEquals(refB.getAtIndex(Gen.F32, i), want.getAtIndex(Gen.F32, i), 0f, "spec vs NCHW spec at " + i + " " + ctx);
                }
                // in two calls, to check the block range
                int mid = blocks / 2;
                impl.depthwiseNchwc(L, k, s, pad, pad, c, xin, xb, h, w, packedDw, act, got, ob, ho, wo, 0, mid);
                impl.depthwiseNchwc(L, k, s, pad, pad, c, xin, xb, h, w, packedDw, act, got, ob, ho, wo, mid, blocks);
                boolean exact = impl.name().endsWith("-nofma") || impl == SPEC || L != lanes;
                for (long i = 0; i < ob + outLen + 5; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - ob;
                    if (exact || rel < 0 || rel >= outLen) {
                        assertEquals(a, b, 0f, "at " + i + " " + ctx);
                        continue;
                    }
                    int l = (int) (rel % L), px = (int) (rel / L % ((long) ho * wo)), cb = (int) (rel / L / ((long) ho * wo));
                    int ch = cb * L + l, oy = px / wo, ox = px % wo;
                    if (ch >= c) {
                        assertEquals(0f, b, 0f, "padding lane at " + i + " " + ctx);
                        continue;
                    }
                    double abs = bias == null ? 0 : Math.abs(bias[ch]);
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s + ky - pad, ix = ox * s + kx - pad;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                abs += Math.abs(wt[ch * k * k + ky * k + kx] * x[(ch * h + iy) * w + ix]);
                            }
                        }
                    }
                    assertTrue(Math.abs(a - b) <= slope(act) * 2 * k * k * U * abs + 4 * U * Math.max(1, Math.abs(a)),
                            "at " + i + " " + ctx + ": " + a + " vs " + b);
                }
            }
        }
    }

    /** A random padding up to k/2, or k/2 where a smaller one leaves no output. */
    static int pad(SplittableRandom r, int k, int s, int h, int w) {
        int pad = r.nextInt(k / 2 + 1);
        return (h + 2 * pad - k) / s + 1 <= 0 || (w + 2 * pad - k) / s + 1 <= 0 ? k / 2 : pad;
    }

    static Stream<Arguments> pointwiseCases() {
        int[][] shapes = {   // cout, cin, plane
            {16, 16, 8}, {17, 7, 9}, {1, 1, 1}, {40, 33, 49}, {144, 24, 17}, {24, 144, 15}, {33, 100, 7}, {15, 17, 196}, {64, 3, 31},
        };
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int i = 0; i < shapes.length; i++) {
                for (int io = 0; io < 4; io++) {   // bit 0: blocked input, bit 1: blocked output
                    out.add(Arguments.of(k, shapes[i], ACTS[(i + io) % ACTS.length], (io & 1) != 0, (io & 2) != 0));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} xBlocked={3} yBlocked={4}")
    @MethodSource("pointwiseCases")
    void pointwiseMatchesSpec(CnnKernels impl, int[] shape, Activation act, boolean xBlocked, boolean yBlocked) {
        int cout = shape[0], cin = shape[1], plane = shape[2];
        String name = "nchwc-pw/" + impl.name() + "/" + java.util.Arrays.toString(shape) + "/" + act + "/" + xBlocked + "/" + yBlocked;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = Gen.floats(r, cin * plane, -4, 4);
        float[] wt = Gen.floats(r, cout * cin);
        float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
        float[] res = r.nextInt(3) == 0 ? null : Gen.floats(r, cout * plane);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Gen.segment(arena, x), ref = arena.allocate((long) cout * plane * 4);
            SPEC.pointwise(cout, cin, wt, bias, act, xs, 0, plane, ref, 0, plane, 0, plane);
            if (res != null) {
                for (int i = 0; i < cout * plane; i++) {
                    ref.setAtIndex(Gen.F32, i, ref.getAtIndex(Gen.F32, i) + res[i]);
                }
            }
            int lanes = impl.blockLanes();
            for (int L : new int[] {lanes, lanes == 4 ? 8 : 4}) {
                int ib = (cin + L - 1) / L, obs = (cout + L - 1) / L;
                long xo = 5, yo = 3;
                MemorySegment xin;
                if (xBlocked) {
                    xin = arena.allocate((xo + (long) ib * plane * L) * 4);
                    xin.fill((byte) 0xff);
                    CnnKernels.toNchwc(L, cin, plane, xs, 0, xin, xo);
                } else {
                    xin = arena.allocate((xo + (long) cin * plane) * 4);
                    MemorySegment.copy(xs, 0, xin, xo * 4, (long) cin * plane * 4);
                }
                MemorySegment rs = null;
                if (res != null) {   // in the output's layout
                    MemorySegment rn = Gen.segment(arena, res);
                    rs = arena.allocate((yo + (long) (yBlocked ? obs * L : cout) * plane) * 4);
                    if (yBlocked) {
                        CnnKernels.toNchwc(L, cout, plane, rn, 0, rs, yo);
                    } else {
                        MemorySegment.copy(rn, 0, rs, yo * 4, (long) cout * plane * 4);
                    }
                }
                long outLen = yBlocked ? (long) obs * plane * L : (long) cout * plane;
                MemorySegment want = sentinel(arena, yo + outLen + 5), got = sentinel(arena, yo + outLen + 5);
                MemorySegment refB = sentinel(arena, yo + outLen + 5);
                if (yBlocked) {
                    CnnKernels.toNchwc(L, cout, plane, ref, 0, refB, yo);
                } else {
                    MemorySegment.copy(ref, 0, refB, yo * 4, (long) cout * plane * 4);
                }
                float[] packed = CnnKernels.packNchwc(L, cout, cin, wt);
                SPEC.pointwiseNchwc(L, cout, cin, packed, bias, act, xin, xo, xBlocked, plane, rs, yo, want, yo, yBlocked, 0, obs, 0, plane);
                String ctx = name + " L=" + L + " seed=" + seed;
                for (long i = 0; i < yo + outLen + 5; i++) {
                    assertEquals(refB.getAtIndex(Gen.F32, i), want.getAtIndex(Gen.F32, i), 0f, "spec vs NCHW spec at " + i + " " + ctx);
                }
                // in four calls: two output-block ranges times two pixel ranges (the first ending off the tile size)
                int om = obs / 2, pm = Math.min(plane, plane / 2 + 1);
                for (int[] part : new int[][] {{0, om, 0, pm}, {0, om, pm, plane}, {om, obs, 0, pm}, {om, obs, pm, plane}}) {
                    impl.pointwiseNchwc(L, cout, cin, packed, bias, act, xin, xo, xBlocked, plane, rs, yo, got, yo, yBlocked,
                            part[0], part[1], part[2], part[3]);
                }
                boolean exact = impl.name().endsWith("-nofma") || impl == SPEC || L != lanes;
                for (long i = 0; i < yo + outLen + 5; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - yo;
                    if (exact || rel < 0 || rel >= outLen) {
                        assertEquals(a, b, 0f, "at " + i + " " + ctx);
                        continue;
                    }
                    int o, p;
                    if (yBlocked) {
                        o = (int) (rel / L / plane) * L + (int) (rel % L);
                        p = (int) (rel / L % plane);
                    } else {
                        o = (int) (rel / plane);
                        p = (int) (rel % plane);
                    }
                    if (o >= cout) {
                        assertEquals(0f, b, 0f, "padding lane at " + i + " " + ctx);
                        continue;
                    }
                    double abs = bias == null ? 0 : Math.abs(bias[o]);
                    for (int ci = 0; ci < cin; ci++) {
                        abs += Math.abs(wt[o * cin + ci] * x[ci * plane + p]);
                    }
                    double extra = res == null ? 0 : 2 * U * Math.abs(res[o * plane + p]);
                    assertTrue(Math.abs(a - b) <= slope(act) * 2 * (cin + 1) * U * abs + 4 * U * Math.max(1, Math.abs(a)) + extra,
                            "at " + i + " " + ctx + ": " + a + " vs " + b);
                }
            }
        }
    }

    static Stream<Arguments> convCases() {
        int[][] shapes = {   // cout, cin, k, stride, h, w
            {32, 16, 3, 1, 7, 7}, {17, 3, 3, 2, 9, 9}, {64, 48, 3, 1, 13, 13}, {5, 1, 3, 1, 4, 4}, {33, 17, 5, 1, 6, 7}, {40, 20, 3, 2, 1, 1},
            {24, 40, 3, 1, 8, 3}, {16, 32, 3, 2, 16, 16}, {48, 64, 1, 2, 9, 9}, {20, 33, 7, 2, 11, 10},
        };
        return withActivations(shapes);
    }

    /**
     * {@link CnnKernels#convNchwc}: the specification bit-exact against a convolution written here over the NCHW input
     * and the unpacked weights, summing in the specification's order (block, row, column, lane); then each
     * implementation against the specification as for the pointwise kernel. NaN in the input's padding lanes must not
     * reach the output.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("convCases")
    void convMatchesSpec(CnnKernels impl, int[] shape, Activation act) {
        int cout = shape[0], cin = shape[1], k = shape[2], s = shape[3], h = shape[4], w = shape[5];
        String name = "nchwc-conv/" + impl.name() + "/" + java.util.Arrays.toString(shape) + "/" + act;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int pad = pad(r, k, s, h, w);
        int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
        int plane = ho * wo;
        float[] x = Gen.floats(r, cin * h * w, -4, 4);
        float[] wt = Gen.floats(r, cout * cin * k * k);
        float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Gen.segment(arena, x);
            int lanes = impl.blockLanes();
            for (int L : new int[] {lanes, lanes == 4 ? 8 : 4}) {
                int ib = (cin + L - 1) / L, obs = (cout + L - 1) / L;
                float[] ref = new float[cout * plane];
                double[] mag = new double[cout * plane];
                for (int o = 0; o < cout; o++) {
                    for (int oy = 0; oy < ho; oy++) {
                        for (int ox = 0; ox < wo; ox++) {
                            float acc = bias == null ? 0f : bias[o];
                            double m = Math.abs(acc);
                            for (int cb = 0; cb < ib; cb++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        for (int l = 0; l < L; l++) {
                                            int i = cb * L + l, iy = oy * s + ky - pad, ix = ox * s + kx - pad;
                                            boolean in = i < cin && iy >= 0 && iy < h && ix >= 0 && ix < w;
                                            float v = in ? x[(i * h + iy) * w + ix] : 0f, wv = i < cin ? wt[((o * cin + i) * k + ky) * k + kx] : 0f;
                                            acc += wv * v;
                                            m += Math.abs(wv * v);
                                        }
                                    }
                                }
                            }
                            ref[o * plane + oy * wo + ox] = act == null ? acc : dev.minnow.kernels.scalar.ScalarKernels.activation(act, acc);
                            mag[o * plane + oy * wo + ox] = m;
                        }
                    }
                }
                long xb = 3, yo = 2;
                MemorySegment xin = arena.allocate((xb + (long) ib * h * w * L) * 4 + 64);
                xin.fill((byte) 0xff);   // NaN in the padding lanes
                CnnKernels.toNchwc(L, cin, h * w, xs, 0, xin, xb);
                for (long i = 0; i < (long) ib * h * w * L; i++) {
                    if ((i % L) + (i / L / ((long) h * w)) * L >= cin) {
                        xin.setAtIndex(Gen.F32, xb + i, Float.NaN);
                    }
                }
                float[] packed = CnnKernels.packNchwcKxK(L, cout, cin, k, k, wt);
                long outLen = (long) obs * plane * L;
                MemorySegment want = sentinel(arena, yo + outLen + 5), got = sentinel(arena, yo + outLen + 5);
                SPEC.convNchwc(L, cout, cin, k, k, s, pad, pad, packed, bias, act, xin, xb, h, w, want, yo, ho, wo, 0, obs, 0, plane);
                String ctx = name + " L=" + L + " seed=" + seed;
                assertSpecIsPlain(want, ref, yo, outLen, plane, L, cout, ctx);
                int om = obs / 2, pm = plane / 2;   // four calls, to check the block and pixel ranges
                for (int[] part : new int[][] {{0, om, 0, pm}, {0, om, pm, plane}, {om, obs, 0, pm}, {om, obs, pm, plane}}) {
                    impl.convNchwc(L, cout, cin, k, k, s, pad, pad, packed, bias, act, xin, xb, h, w, got, yo, ho, wo, part[0], part[1], part[2], part[3]);
                }
                boolean exact = impl.name().endsWith("-nofma") || impl == SPEC || L != lanes;
                assertNearSpec(want, got, yo, outLen, plane, L, cout, exact, act, ib * k * k * L, mag, ctx);
            }
        }
    }

    /** Every implementation × each shape, the shapes taking the activations in turn. */
    private static Stream<Arguments> withActivations(int[][] shapes) {
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int i = 0; i < shapes.length; i++) {
                out.add(Arguments.of(k, shapes[i], ACTS[i % ACTS.length]));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> stemCases() {
        int[][] shapes = {   // cout, cin, k, stride, h, w
            {32, 3, 3, 2, 33, 33}, {16, 3, 3, 2, 17, 40}, {64, 3, 7, 2, 31, 30}, {64, 3, 3, 2, 23, 23}, {17, 1, 3, 1, 9, 8},
            {24, 4, 5, 3, 20, 27}, {3, 2, 1, 1, 7, 15}, {40, 3, 3, 1, 5, 9}, {33, 3, 3, 2, 12, 7}, {48, 2, 2, 2, 16, 35},
        };
        return withActivations(shapes);
    }

    /**
     * {@link CnnKernels#convStemNchwc}: the specification (reading the stride phases) bit-exact against a convolution
     * written here over the padded input and the unpacked weights, summing in the specification's order (channel, row, column); then each
     * implementation against the specification, over four calls splitting the blocks and the rows: bit-exact without
     * FMA, with FMA within the same bound as the blocked k×k convolution. Rows narrower than a tile (w 7, 9) take the
     * specification; the cells outside the output keep their sentinel, the lanes past cout are +0.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("stemCases")
    void stemMatchesSpec(CnnKernels impl, int[] shape, Activation act) {
        int cout = shape[0], cin = shape[1], k = shape[2], s = shape[3], h = shape[4], w = shape[5];
        String name = "nchwc-stem/" + impl.name() + "/" + java.util.Arrays.toString(shape) + "/" + act;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int pad = pad(r, k, s, h, w);
        int hp = h + 2 * pad, wp = w + 2 * pad + r.nextInt(3);   // rows may be longer than the windows reach
        int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
        int hq = (hp + s - 1) / s, wq = (wp + s - 1) / s;
        float[] padded = new float[cin * hp * wp], xp = new float[cin * s * s * hq * wq];
        float[] x = Gen.floats(r, cin * h * w, -4, 4);
        for (int i = 0; i < cin; i++) {
            for (int iy = 0; iy < h; iy++) {
                System.arraycopy(x, (i * h + iy) * w, padded, (i * hp + iy + pad) * wp + pad, w);
            }
            for (int y = 0; y < hp; y++) {   // the stride phases, as the kernel reads them
                for (int xx = 0; xx < wp; xx++) {
                    xp[((i * s + y % s) * s + xx % s) * hq * wq + (y / s) * wq + xx / s] = padded[(i * hp + y) * wp + xx];
                }
            }
        }
        float[] wt = Gen.floats(r, cout * cin * k * k);
        float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
        int lanes = impl.blockLanes();
        try (Arena arena = Arena.ofConfined()) {
            for (int L : new int[] {lanes, lanes == 4 ? 8 : 4}) {
                int obs = (cout + L - 1) / L, plane = ho * wo;
                float[] ref = new float[cout * plane];
                double[] mag = new double[cout * plane];
                for (int o = 0; o < cout; o++) {
                    for (int oy = 0; oy < ho; oy++) {
                        for (int ox = 0; ox < wo; ox++) {
                            float acc = bias == null ? 0f : bias[o];
                            double m = Math.abs(acc);
                            for (int i = 0; i < cin; i++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        float v = padded[(i * hp + oy * s + ky) * wp + ox * s + kx], wv = wt[((o * cin + i) * k + ky) * k + kx];
                                        acc += wv * v;
                                        m += Math.abs(wv * v);
                                    }
                                }
                            }
                            ref[o * plane + oy * wo + ox] = act == null ? acc : dev.minnow.kernels.scalar.ScalarKernels.activation(act, acc);
                            mag[o * plane + oy * wo + ox] = m;
                        }
                    }
                }
                float[] packed = CnnKernels.packStemNchwc(L, cout, cin, k, k, wt);
                long yo = 2, outLen = (long) obs * plane * L;
                MemorySegment want = sentinel(arena, yo + outLen + 5), got = sentinel(arena, yo + outLen + 5);
                SPEC.convStemNchwc(L, cout, cin, k, k, s, packed, bias, act, xp, hq, wq, want, yo, ho, wo, 0, obs, 0, ho);
                String ctx = name + " pad=" + pad + " L=" + L + " seed=" + seed;
                assertSpecIsPlain(want, ref, yo, outLen, plane, L, cout, ctx);
                int om = obs / 2, rm = ho / 2;   // four calls, to check the block and row ranges
                for (int[] part : new int[][] {{0, om, 0, rm}, {0, om, rm, ho}, {om, obs, 0, rm}, {om, obs, rm, ho}}) {
                    impl.convStemNchwc(L, cout, cin, k, k, s, packed, bias, act, xp, hq, wq, got, yo, ho, wo, part[0], part[1], part[2], part[3]);
                }
                boolean exact = impl.name().endsWith("-nofma") || impl == SPEC || L != lanes;
                assertNearSpec(want, got, yo, outLen, plane, L, cout, exact, act, cin * k * k, mag, ctx);
            }
        }
    }

    /**
     * The blocked channel means and channel scaling (squeeze-and-excitation on blocked tensors): each implementation
     * bit-exact against the specification (same sums in the same order), the means also against a sum written here,
     * and +0 in the scaled output's padding lanes whatever the input holds there (NaN here).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("conversionCases")
    void meansAndScaleMatchSpec(CnnKernels impl, int[] shape) {
        int c = shape[0], plane = shape[1];
        long seed = Gen.seed("nchwc-se/" + impl.name() + "/" + java.util.Arrays.toString(shape));
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = Gen.floats(r, c * plane, -4, 4), g = Gen.floats(r, c);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Gen.segment(arena, x);
            for (int L : new int[] {impl.blockLanes(), impl.blockLanes() == 4 ? 8 : 4}) {
                int blocks = (c + L - 1) / L;
                long len = (long) blocks * plane * L;
                MemorySegment xb = arena.allocate((len + 5) * 4);
                xb.fill((byte) 0xff);
                CnnKernels.toNchwc(L, c, plane, xs, 0, xb, 5);
                for (long i = 0; i < len; i++) {
                    if ((i / L / plane) * L + i % L >= c) {
                        xb.setAtIndex(Gen.F32, 5 + i, Float.NaN);
                    }
                }
                float[] want = new float[blocks * L], got = new float[blocks * L];
                SPEC.blockedMeans(L, blocks, plane, xb, 5, want);
                impl.blockedMeans(L, blocks, plane, xb, 5, got);
                String ctx = " L=" + L + " seed=" + seed;
                for (int ch = 0; ch < c; ch++) {
                    float sum = 0f;
                    for (int p = 0; p < plane; p++) {
                        sum += x[ch * plane + p];
                    }
                    assertEquals(sum / plane, want[ch], 0f, "spec mean of channel " + ch + ctx);
                    assertEquals(want[ch], got[ch], 0f, "mean of channel " + ch + ctx);
                }
                MemorySegment ws = sentinel(arena, len + 6), gs = sentinel(arena, len + 6);
                SPEC.blockedScale(L, c, plane, g, xb, 5, ws, 3);
                impl.blockedScale(L, c, plane, g, xb, 5, gs, 3);
                for (long i = 0; i < len + 6; i++) {
                    long rel = i - 3;
                    float e = SENTINEL;
                    if (rel >= 0 && rel < len) {
                        int ch = (int) ((rel / L / plane) * L + rel % L), p = (int) (rel / L % plane);
                        e = ch < c ? x[ch * plane + p] * g[ch] : 0f;
                    }
                    assertEquals(e, ws.getAtIndex(Gen.F32, i), 0f, "spec scale at " + i + ctx);
                    assertEquals(e, gs.getAtIndex(Gen.F32, i), 0f, "scale at " + i + ctx);
                }
            }
        }
    }

    static Stream<Arguments> conversionCases() {
        int[][] shapes = {{1, 1}, {3, 17}, {16, 16}, {17, 33}, {40, 255}, {32, 257}, {7, 1000}};   // channels, plane
        List<Arguments> out = new ArrayList<>();
        for (CnnKernels k : implementations()) {
            for (int[] sh : shapes) {
                out.add(Arguments.of(k, sh));
            }
        }
        return out.stream();
    }

    /** The implementations' layout conversions equal the static specifications bit for bit, at both lane counts. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("conversionCases")
    void conversionsMatchSpec(CnnKernels impl, int[] shape) {
        int c = shape[0], plane = shape[1];
        long seed = Gen.seed("nchwc-convert/" + impl.name() + "/" + java.util.Arrays.toString(shape));
        float[] x = Gen.floats(new SplittableRandom(seed), c * plane, -4, 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Gen.segment(arena, x);
            for (int L : new int[] {impl.blockLanes(), impl.blockLanes() == 4 ? 8 : 4}) {
                long len = (long) (c + L - 1) / L * plane * L;
                MemorySegment want = sentinel(arena, len + 7), got = sentinel(arena, len + 7);
                CnnKernels.toNchwc(L, c, plane, xs, 0, want, 3);
                impl.nchwToBlocked(L, c, plane, xs, 0, got, 3);
                for (long i = 0; i < len + 7; i++) {
                    assertEquals(want.getAtIndex(Gen.F32, i), got.getAtIndex(Gen.F32, i), 0f, "to blocked at " + i + " L=" + L + " seed=" + seed);
                }
                MemorySegment back = sentinel(arena, (long) c * plane + 4);
                impl.blockedToNchw(L, c, plane, got, 3, back, 2);
                for (long i = 0; i < (long) c * plane + 4; i++) {
                    float e = i < 2 || i >= 2 + (long) c * plane ? SENTINEL : x[(int) (i - 2)];
                    assertEquals(e, back.getAtIndex(Gen.F32, i), 0f, "back at " + i + " L=" + L + " seed=" + seed);
                }
            }
        }
    }

    /** The checks above fail for a kernel off by one ulp-scale step in one lane, or one that leaves a padding lane. */
    @Test
    void catchesBrokenKernels() {
        CnnKernels base = VectorCnnKernels.create(512, false);
        CnnKernels broken = new CnnKernels() {
            @Override public String name() { return "broken-nofma"; }
            @Override public int blockLanes() { return base.blockLanes(); }
            @Override public void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias, Activation act, MemorySegment out, long outOff, int ho, int wo) { }
            @Override public void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w, float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo) { }
            @Override public void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w, float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo) { }
            @Override public void convStemNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, float[] packed, float[] bias, Activation act,
                                                float[] xp, int hq, int wq, MemorySegment y, long yOff, int ho, int wo, int ob0, int ob1, int oy0, int oy1) {
                base.convStemNchwc(lanes, cout, cin, kh, kw, stride, packed, bias, act, xp, hq, wq, y, yOff, ho, wo, ob0, ob1, oy0, oy1);
                if (ob1 > ob0 && oy1 > oy0) {   // the last pixel of the range's last row in its first block, lane 0
                    long at = yOff + (((long) ob0 * ho + oy1 - 1) * wo + wo - 1) * lanes;
                    y.setAtIndex(Gen.F32, at, Math.nextUp(y.getAtIndex(Gen.F32, at)));
                }
            }
            @Override public void maxPoolPlanes(int k, int stride, int pad, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff,
                                                int ho, int wo, int q0, int q1) { }
            @Override public void biasActivate(int n, float bias, Activation act, MemorySegment y, long off) { }
            @Override public void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1) { }
            @Override public void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x, int xOff, int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1) { }
            @Override public void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) { }
            @Override public void winograd4Input(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff, int ldv, int slab) { }
            @Override public void winograd4Output(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act, MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) { }
            @Override public void winogradInput(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff, int ldv, int slab) { }
            @Override public void winogradOutput(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act, MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) { }

            @Override
            public void depthwiseNchwc(int lanes, int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h,
                                       int w, float[] packed, Activation act, MemorySegment out, long outOff, int ho, int wo,
                                       int cb0, int cb1) {
                base.depthwiseNchwc(lanes, k, stride, padH, padW, channels, x, xOff, h, w, packed, act, out, outOff, ho, wo, cb0, cb1);
                if (cb1 > cb0) {   // the last lane of the last pixel of the range: a padding lane where channels % lanes != 0
                    long at = outOff + ((long) cb1 * ho * wo) * lanes - 1;
                    out.setAtIndex(Gen.F32, at, out.getAtIndex(Gen.F32, at) + 0.5f);
                }
            }

            @Override
            public void convNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, int padH, int padW, float[] packed, float[] bias,
                                  Activation act, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                                  int ob0, int ob1, int p0, int p1) {
                base.convNchwc(lanes, cout, cin, kh, kw, stride, padH, padW, packed, bias, act, x, xOff, h, w, y, yOff, ho, wo, ob0, ob1, p0, p1);
                if (ob1 > ob0 && p1 > p0) {   // one ulp in the first output of the range
                    long at = yOff + ((long) ob0 * ho * wo + p0) * lanes;
                    y.setAtIndex(Gen.F32, at, Math.nextUp(y.getAtIndex(Gen.F32, at)));
                }
            }

            @Override
            public void pointwiseNchwc(int lanes, int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x,
                                       long xOff, boolean xBlocked, int plane, MemorySegment r, long rOff, MemorySegment y, long yOff,
                                       boolean yBlocked, int ob0, int ob1, int p0, int p1) {
                base.pointwiseNchwc(lanes, cout, cin, packed, bias, act, x, xOff, xBlocked, plane, r, rOff, y, yOff, yBlocked, ob0, ob1, p0, p1);
                if (ob1 > ob0 && p1 > p0) {
                    long at = yOff + (yBlocked ? ((long) ob0 * plane + p0) * lanes : (long) ob0 * lanes * plane + p0);
                    y.setAtIndex(Gen.F32, at, Math.nextUp(y.getAtIndex(Gen.F32, at)));
                }
            }
        };
        assertThrows(AssertionError.class, () -> depthwiseMatchesSpec(broken, new int[] {3, 1, 17, 7, 7}, null, true));
        assertThrows(AssertionError.class, () -> convMatchesSpec(broken, new int[] {17, 3, 3, 2, 9, 9}, null));
        assertThrows(AssertionError.class, () -> pointwiseMatchesSpec(broken, new int[] {17, 7, 9}, null, true, true));
        assertThrows(AssertionError.class, () -> pointwiseMatchesSpec(broken, new int[] {17, 7, 9}, Activation.RELU6, false, false));
        assertThrows(AssertionError.class, () -> stemMatchesSpec(broken, new int[] {32, 3, 3, 2, 33, 33}, null));
    }

    /**
     * The specification's blocked output (from {@code yo}, {@code outLen} floats) against a plain reference
     * {@code ref[o·plane + px]}: equal, +0 in the lanes past cout, the sentinels around it untouched.
     */
    private static void assertSpecIsPlain(MemorySegment want, float[] ref, long yo, long outLen, int plane, int L, int cout, String ctx) {
        for (long i = 0; i < yo + outLen + 5; i++) {
            long rel = i - yo;
            float e = SENTINEL;
            if (rel >= 0 && rel < outLen) {
                int l = (int) (rel % L), px = (int) (rel / L % plane), o = (int) (rel / L / plane) * L + l;
                e = o < cout ? ref[o * plane + px] : 0f;
            }
            assertEquals(e, want.getAtIndex(Gen.F32, i), 0f, "spec vs plain convolution at " + i + " " + ctx);
        }
    }

    /**
     * An implementation's blocked output against the specification's: bit-exact where {@code exact} and outside the
     * output, +0 in the lanes past cout, otherwise within slope·2·(depth + 1)·u·Σ|terms| + 4u·max(1, |spec|): a fused
     * multiply-add rounds once where the specification rounds the product and the sum, over {@code depth} products;
     * {@code mag[o·plane + px]} holds Σ|terms|.
     */
    private static void assertNearSpec(MemorySegment want, MemorySegment got, long yo, long outLen, int plane, int L, int cout, boolean exact,
                                       Activation act, int depth, double[] mag, String ctx) {
        for (long i = 0; i < yo + outLen + 5; i++) {
            float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
            long rel = i - yo;
            if (exact || rel < 0 || rel >= outLen) {
                assertEquals(a, b, 0f, "at " + i + " " + ctx);
                continue;
            }
            int l = (int) (rel % L), px = (int) (rel / L % plane), o = (int) (rel / L / plane) * L + l;
            if (o >= cout) {
                assertEquals(0f, b, 0f, "padding lane at " + i + " " + ctx);
                continue;
            }
            assertTrue(Math.abs(a - b) <= slope(act) * 2 * (depth + 1) * U * mag[o * plane + px] + 4 * U * Math.max(1, Math.abs(a)),
                    "at " + i + " " + ctx + ": " + a + " vs " + b);
        }
    }

    private static MemorySegment sentinel(Arena arena, long floats) {
        MemorySegment m = arena.allocate(floats * 4);
        for (long i = 0; i < floats; i++) {
            m.setAtIndex(Gen.F32, i, SENTINEL);
        }
        return m;
    }
}
