package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.Activation;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Conv2d and ConvTranspose2d against {@link ConvReference} over seeded random shapes, strides, paddings, dilations, groups. */
class Conv2dTest {

    private static void checkConv(SplittableRandom r, String ctx, int n, int cin, int cout, int groups, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int dh, int dw, int h, int w, boolean withBias) {
        float[] x = Gen.floats(r, n * cin * h * w);
        float[] wt = Gen.floats(r, cout * (cin / groups) * kh * kw);
        float[] bias = withBias ? Gen.floats(r, cout) : null;
        Conv2d conv = Conv2d.of(Tensor.of(wt, cout, cin / groups, kh, kw), bias == null ? null : Tensor.of(bias, cout),
                new int[] {sh, sw}, new int[] {ph, pw}, new int[] {dh, dw}, groups);
        int[] o = conv.outputSize(h, w);
        Tensor y = conv.forward(Buffers.f32(x, n, cin, h, w));
        ConvReference.assertShape(new long[] {n, cout, o[0], o[1]}, y.shape(), ctx);
        double[][] ref = ConvReference.conv2d(x, n, cin, h, w, wt, bias, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, o[0], o[1]);
        ConvReference.assertClose(ref, y.toFloatArray(), (cin / groups) * kh * kw, ctx + " " + conv);
    }

    @Test
    void randomGeneralConvolutions() {
        long seed = Gen.seed("conv2d-random");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 150; iter++) {
            int groups = 1 + r.nextInt(3);
            int cin = groups * (1 + r.nextInt(4)), cout = groups * (1 + r.nextInt(4));
            int kh = 1 + r.nextInt(5), kw = r.nextInt(4) == 0 ? 1 + r.nextInt(5) : kh;
            int sh = 1 + r.nextInt(3), sw = r.nextBoolean() ? sh : 1 + r.nextInt(3);
            int dh = r.nextInt(4) == 0 ? 2 : 1, dw = r.nextInt(4) == 0 ? 2 : 1;
            int ph = r.nextInt(kh), pw = r.nextInt(kw);
            int h = Math.max(1, dh * (kh - 1) + 1 - 2 * ph) + r.nextInt(12), w = Math.max(1, dw * (kw - 1) + 1 - 2 * pw) + r.nextInt(12);
            checkConv(r, "iter " + iter + " seed=" + seed, 1 + r.nextInt(2), cin, cout, groups, kh, kw, sh, sw, ph, pw, dh, dw, h, w,
                    r.nextBoolean());
        }
    }

    /**
     * Planes large enough for the pixel-block paths: convolutions as shifted products (any kernel, padding,
     * dilation, strides 1–3 per axis, odd and even widths) and pointwise convolutions as pixel blocks (direct kernel and, past 256 input channels, GEMM), with
     * pixel counts that leave partial vectors and channel counts that leave partial 4-channel blocks.
     */
    @Test
    void largePlaneFastPaths() {
        long seed = Gen.seed("conv2d-large-planes");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 12; iter++) {
            String ctx = "iter " + iter + " seed=" + seed;
            int kh = 1 + r.nextInt(5), kw = r.nextInt(3) == 0 ? 1 + r.nextInt(5) : kh;
            int dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int ph = r.nextInt(kh), pw = r.nextInt(kw);
            int h = 18 + r.nextInt(20), w = 18 + r.nextInt(20);
            checkConv(r, ctx + " shifted", 1 + r.nextInt(2), 1 + r.nextInt(9), 1 + r.nextInt(11), 1, kh, kw, 1, 1, ph, pw, dh, dw, h, w,
                    r.nextBoolean());
            int sh = 1 + r.nextInt(3), sw = r.nextBoolean() ? sh : 1 + r.nextInt(3);   // strided: phase-split planes
            checkConv(r, ctx + " shifted strided", 1, 1 + r.nextInt(5), 1 + r.nextInt(9), 1, kh, kw, sh, sw, ph, pw, dh, dw,
                    h * sh, w * sw + r.nextInt(2), r.nextBoolean());
            // output rows a multiple of 16 wide: the shifted products written row by row straight into the output
            checkConv(r, ctx + " shifted rows direct", 1 + r.nextInt(2), 1 + r.nextInt(4), 1 + r.nextInt(11), 1, 3, 3, 2, 2, 1, 1, 1, 1,
                    32 + r.nextInt(2), 64 + r.nextInt(2), r.nextBoolean());
            checkConv(r, ctx + " shifted rows direct s1", 1, 1 + r.nextInt(5), 1 + r.nextInt(9), 1, kh, kh, 1, 1, kh / 2, kh / 2, 1, 1,
                    9 + r.nextInt(9), 32 - 2 * (kh / 2) + kh - 1, r.nextBoolean());
            // strided 1×1: the subsampled input through the packed pointwise kernel
            checkConv(r, ctx + " strided 1x1", 1 + r.nextInt(2), 1 + r.nextInt(20), 1 + r.nextInt(13), 1, 1, 1, sh, sw, 0, 0, 1, 1,
                    h * sh + r.nextInt(2), w * sw + r.nextInt(2), r.nextBoolean());
            int cin = iter % 4 == 0 ? 257 + r.nextInt(20) : 1 + r.nextInt(40);
            checkConv(r, ctx + " pointwise blocks", 1, cin, 1 + r.nextInt(13), 1, 1, 1, 1, 1, 0, 0, 1, 1, 23 + r.nextInt(9), 24 + r.nextInt(9),
                    r.nextBoolean());
        }
    }

    /**
     * The paths chosen by size: stride-2 3×3 depthwise with outputs wider than 16 (flat phase planes, and with
     * {@code minnow.cnn.dwFlat=false} phase-split heap planes), and
     * pointwise on the packed kernel at 1 and 2 threads (small planes split by output channels, planes of 256 pixels or
     * more by pixels, more than 256 inputs on a large plane), with ReLU6 fused (the reference clamped).
     */
    @Test
    void wideStridedDepthwiseAndPackedPointwise() {
        long seed = Gen.seed("conv2d-wide-dw-s2-packed-pw");
        SplittableRandom r = new SplittableRandom(seed);
        for (String flat : new String[] {"true", "false"}) {   // the flat phase planes (default), and the phased heap planes
            System.setProperty("minnow.cnn.dwFlat", flat);
            try {
                for (int iter = 0; iter < 12; iter++) {
                    String ctx = "iter " + iter + " dwFlat=" + flat + " seed=" + seed;
                    int c = 1 + r.nextInt(12), p = r.nextInt(3);
                    int hh = 3 + r.nextInt(18), ww = 33 + r.nextInt(90);
                    checkConv(r, ctx + " depthwise s2 wide", 1 + r.nextInt(2), c, c, c, 3, 3, 2, 2, p, p, 1, 1, hh, ww, r.nextBoolean());
                    checkActivated(r, ctx + " depthwise s2 wide relu6", c, c, c, 3, 2, p, hh, ww);
                }
            } finally {
                System.clearProperty("minnow.cnn.dwFlat");
            }
        }
        // (at 2 threads: 7² and 14² split by pixels; 5² and 3×7 have one pixel chunk, so their outputs are split too)
        int[][] pointwise = {{64, 100, 7, 7}, {96, 30, 14, 14}, {300, 20, 20, 17}, {17, 13, 1, 1}, {40, 9, 3, 5},
                {300, 64, 5, 5}, {256, 100, 3, 7}};
        for (int threads : new int[] {1, 2}) {
            for (int[] pw : pointwise) {
                String ctx = "pointwise " + java.util.Arrays.toString(pw) + " threads " + threads + " seed=" + seed;
                dev.minnow.kernels.Parallel.withThreads(threads, () -> {
                    checkConv(r, ctx, 1, pw[0], pw[1], 1, 1, 1, 1, 1, 0, 0, 1, 1, pw[2], pw[3], true);
                    checkActivated(r, ctx + " relu6", pw[0], pw[1], 1, 1, 1, 0, pw[2], pw[3]);
                });
            }
        }
    }

    /**
     * k×k convolutions (one group, dilation 1) at strides 1 and 2 on the implicit-im2col packed kernel (opt-in,
     * {@code minnow.cnn.packedKxK=true}, set here) at 1 and 2 threads: padded and unpadded (odd and even padding at stride 2), square and not, 1×1 at stride 2, planes split by rows (large) and by output channels (small), batches of two, with
     * ReLU6 fused and, through {@link Conv2d#forwardAdd}, a residual fused into the same pass.
     */
    @Test
    void packedKxKConvolutions() {
        long seed = Gen.seed("conv2d-packed-kxk");
        SplittableRandom r = new SplittableRandom(seed);
        // {cin, cout, kh, kw, ph, pw, h, w, stride}
        int[][] shapes = {{16, 13, 3, 3, 1, 1, 14, 14, 1}, {64, 10, 3, 3, 1, 1, 18, 18, 1}, {3, 8, 5, 5, 2, 2, 9, 12, 1}, {40, 70, 3, 3, 1, 1, 7, 7, 1}, {7, 9, 1, 3, 0, 1, 6, 33, 1},
            {5, 6, 3, 3, 0, 0, 10, 17, 1}, {64, 24, 3, 3, 1, 1, 4, 4, 1}, {16, 13, 3, 3, 1, 1, 20, 21, 2}, {3, 8, 7, 7, 3, 3, 30, 31, 2},
            {9, 11, 1, 1, 0, 0, 14, 14, 2}, {6, 7, 3, 3, 0, 1, 9, 10, 2}};
        System.setProperty("minnow.cnn.packedKxK", "true");
        System.setProperty("minnow.cnn.blockedKxK", "false");
        try {
            packedKxKCases(r, seed, shapes);
        } finally {
            System.clearProperty("minnow.cnn.packedKxK");
            System.clearProperty("minnow.cnn.blockedKxK");
        }
    }

    /**
     * The same shapes through the channel-blocked k×k kernel ({@code minnow.cnn.blockedKxK=always}: NCHW converted in and
     * out around {@code CnnKernels.convNchwc}), at 1 and 2 threads, with ReLU6 and the residual.
     */
    @Test
    void blockedKxKConvolutions() {
        long seed = Gen.seed("conv2d-blocked-kxk");
        SplittableRandom r = new SplittableRandom(seed);
        // {cin, cout, kh, kw, ph, pw, h, w, stride}
        int[][] shapes = {{16, 13, 3, 3, 1, 1, 14, 14, 1}, {64, 10, 3, 3, 1, 1, 18, 18, 1}, {3, 8, 5, 5, 2, 2, 9, 12, 1}, {40, 70, 3, 3, 1, 1, 7, 7, 1},
            {5, 6, 3, 3, 0, 0, 10, 17, 1}, {64, 24, 3, 3, 1, 1, 4, 4, 1}, {16, 13, 3, 3, 1, 1, 20, 21, 2}, {3, 8, 7, 7, 3, 3, 30, 31, 2},
            {6, 7, 3, 3, 1, 1, 9, 10, 2}, {48, 192, 3, 3, 1, 1, 13, 13, 1}, {7, 9, 1, 3, 0, 1, 6, 33, 1}};
        System.setProperty("minnow.cnn.blockedKxK", "always");
        try {
            packedKxKCases(r, seed, shapes);
        } finally {
            System.clearProperty("minnow.cnn.blockedKxK");
        }
    }

    /**
     * 3×3 stride-1 convolutions through Winograd F(2×2, 3×3) and F(4×4, 3×3) ({@code minnow.cnn.winograd=always},
     * {@code minnow.cnn.winogradTile=2} and {@code 4}) at 1 and 2 threads:
     * paddings 0–2, odd and even heights and widths (the last tiles' spare row and column), planes of one tile row to
     * several tasks, channel counts that leave partial register tiles, batches of two, ReLU6 fused, and the residual
     * through {@link Conv2d#forwardAdd}; against the double reference within its bound. Then the default condition:
     * ResNet's 64→64 at 56² takes it, gives the same result as {@code always}, and is within 1e-5 of the largest output
     * of the direct one; bad switch values are refused.
     */
    @Test
    void winogradConvolutions() {
        long seed = Gen.seed("conv2d-winograd");
        SplittableRandom r = new SplittableRandom(seed);
        // {cin, cout, kh, kw, ph, pw, h, w, stride}
        int[][] shapes = {{16, 13, 3, 3, 1, 1, 14, 14, 1}, {64, 10, 3, 3, 1, 1, 18, 18, 1}, {40, 70, 3, 3, 1, 1, 7, 7, 1}, {5, 6, 3, 3, 0, 0, 10, 17, 1},
            {3, 4, 3, 3, 2, 2, 1, 1, 1}, {7, 9, 3, 3, 1, 1, 3, 40, 1}, {33, 17, 3, 3, 1, 1, 37, 29, 1}, {8, 8, 3, 3, 0, 0, 3, 3, 1}};
        System.setProperty("minnow.cnn.winograd", "always");
        try {
            for (String split : new String[] {"false", "true"}) { // with 2 threads: tile-row tasks, or also channel parts
                System.setProperty("minnow.cnn.winogradSplit", split);
                for (String tile : new String[] {"2", "4"}) {
                    System.setProperty("minnow.cnn.winogradTile", tile);
                    packedKxKCases(r, seed, shapes);
                }
            }
        } finally {
            System.clearProperty("minnow.cnn.winograd");
            System.clearProperty("minnow.cnn.winogradTile");
            System.clearProperty("minnow.cnn.winogradSplit");
        }
        Conv2d conv = Conv2d.of(Tensor.of(Gen.floats(r, 64 * 64 * 9), 64, 64, 3, 3), Tensor.of(Gen.floats(r, 64), 64), 1, 1, 1, 1)
                .withActivation(Activation.RELU);
        float[] x = Gen.floats(r, 64 * 56 * 56);
        float[] dflt = forwardWith(conv, x, "true"), always = forwardWith(conv, x, "always"), direct = forwardWith(conv, x, "false");
        boolean differs = false;
        float scale = 0;
        for (float v : direct) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < dflt.length; i++) {
            assertEquals(always[i], dflt[i], 0f, "default against always at " + i + " seed=" + seed);
            assertEquals(direct[i], dflt[i], 1e-5f * scale, "against direct at " + i + " seed=" + seed);
            differs |= dflt[i] != direct[i];
        }
        assertTrue(differs, "the default did not take the Winograd path (bit-identical to the direct one)");
        for (String[] bad : new String[][] {{"minnow.cnn.winograd", "yes"}, {"minnow.cnn.winogradTile", "3"}}) {
            System.setProperty(bad[0], bad[1]);
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Buffers.f32(x, 1, 64, 56, 56)));
                assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
            } finally {
                System.clearProperty(bad[0]);
            }
        }
    }

    /** ResNet's 64→64 layer at 56² on {@code x} with {@code minnow.cnn.winograd} set to {@code value}. */
    private static float[] forwardWith(Conv2d conv, float[] x, String value) {
        System.setProperty("minnow.cnn.winograd", value);
        try {
            return conv.forward(Buffers.f32(x, 1, 64, 56, 56)).toFloatArray();
        } finally {
            System.clearProperty("minnow.cnn.winograd");
        }
    }

    /** The A/B switch's condition list: a condition that holds picks the packed path (same result), a bad one is refused. */
    @Test
    void packedKxKSwitchConditions() {
        long seed = Gen.seed("conv2d-packed-kxk-switch");
        SplittableRandom r = new SplittableRandom(seed);
        Conv2d conv = Conv2d.of(Tensor.of(Gen.floats(r, 8 * 64 * 9), 8, 64, 3, 3), Tensor.of(Gen.floats(r, 8), 8), new int[] {2, 2},
                new int[] {1, 1}, new int[] {1, 1}, 1);
        float[] x = Gen.floats(r, 64 * 10 * 10);
        System.setProperty("minnow.cnn.blockedKxK", "false");
        try {
            float[] off = conv.forward(Buffers.f32(x, 1, 64, 10, 10)).toFloatArray();
            for (String v : new String[] {"s2", "small", "deep", "deep:576", " deep:100000 , s2 "}) {
                System.setProperty("minnow.cnn.packedKxK", v);
                float[] on = conv.forward(Buffers.f32(x, 1, 64, 10, 10)).toFloatArray();
                for (int i = 0; i < off.length; i++) {
                    assertEquals(off[i], on[i], 1e-4f * (1 + Math.abs(off[i])), v + " at " + i + " seed=" + seed);
                }
            }
            for (String bad : new String[] {"yes", "deep:", "deep:x", "s2,wide"}) {
                System.setProperty("minnow.cnn.packedKxK", bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Buffers.f32(x, 1, 64, 10, 10)), bad);
                assertTrue(e.getMessage().contains("minnow.cnn.packedKxK"), e.getMessage());
            }
        } finally {
            System.clearProperty("minnow.cnn.packedKxK");
            System.clearProperty("minnow.cnn.blockedKxK");
        }
    }

    private void packedKxKCases(SplittableRandom r, long seed, int[][] shapes) {
        for (int threads : new int[] {1, 2}) {
            for (int[] sh : shapes) {
                String ctx = "kxk " + java.util.Arrays.toString(sh) + " threads " + threads + " seed=" + seed;
                dev.minnow.kernels.Parallel.withThreads(threads, () -> {
                    int st = sh[8];
                    checkConv(r, ctx, 2, sh[0], sh[1], 1, sh[2], sh[3], st, st, sh[4], sh[5], 1, 1, sh[6], sh[7], r.nextBoolean());
                    if (sh[2] == sh[3] && sh[4] == sh[5]) {
                        checkActivated(r, ctx + " relu6", sh[0], sh[1], 1, sh[2], st, sh[4], sh[6], sh[7]);
                    }
                    Conv2d conv = Conv2d.of(Tensor.of(Gen.floats(r, sh[1] * sh[0] * sh[2] * sh[3]), sh[1], sh[0], sh[2], sh[3]),
                            Tensor.of(Gen.floats(r, sh[1]), sh[1]), new int[] {st, st}, new int[] {sh[4], sh[5]}, new int[] {1, 1}, 1);
                    int[] o = conv.outputSize(sh[6], sh[7]);
                    float[] x = Gen.floats(r, sh[0] * sh[6] * sh[7]), res = Gen.floats(r, sh[1] * o[0] * o[1]);
                    float[] want = conv.forward(Buffers.f32(x, 1, sh[0], sh[6], sh[7])).toFloatArray();
                    float[] got = conv.forwardAdd(Buffers.f32(x, 1, sh[0], sh[6], sh[7]), Buffers.f32(res, 1, sh[1], o[0], o[1])).toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i] + res[i], got[i], 0f, ctx + " residual at " + i);
                    }
                });
            }
        }
    }

    /**
     * {@link Conv2d#forwardAdd}: the residual fused into the packed pointwise kernel (small plane, identity or ReLU6),
     * added after an unfused activation (SiLU), and added in a separate pass on the other paths (large-plane pointwise,
     * depthwise, 3×3), against forward(x) + residual; a residual of the wrong shape is rejected.
     */
    @Test
    void forwardAddMatchesForwardPlusResidual() {
        long seed = Gen.seed("conv2d-forward-add");
        SplittableRandom r = new SplittableRandom(seed);
        // {cin, cout, k, groups, h, w}
        int[][] shapes = {{24, 24, 1, 1, 7, 7}, {40, 16, 1, 1, 14, 14}, {16, 16, 1, 1, 30, 30}, {12, 12, 3, 12, 9, 11}, {6, 5, 3, 1, 20, 20},
            {96, 24, 1, 1, 1, 1}};
        Activation[] acts = {null, Activation.RELU6, Activation.SILU};
        for (int[] sh : shapes) {
            for (Activation act : acts) {
                String ctx = java.util.Arrays.toString(sh) + " " + act + " seed=" + seed;
                int cin = sh[0], cout = sh[1], k = sh[2], g = sh[3], h = sh[4], w = sh[5];
                Conv2d conv = Conv2d.of(Tensor.of(Gen.floats(r, cout * (cin / g) * k * k), cout, cin / g, k, k),
                        Tensor.of(Gen.floats(r, cout), cout), 1, k / 2, 1, g).withActivation(act);
                float[] x = Gen.floats(r, cin * h * w), res = Gen.floats(r, cout * h * w);
                float[] want = conv.forward(Buffers.f32(x, 1, cin, h, w)).toFloatArray();
                float[] got = conv.forwardAdd(Buffers.f32(x, 1, cin, h, w), Buffers.f32(res, 1, cout, h, w)).toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i] + res[i], got[i], 0f, ctx + " at " + i);
                }
            }
        }
        for (Activation act : acts) {   // strided 1×1 (a ResNet shortcut): the residual fused after the subsampling
            String ctx = "1x1 stride 2 " + act + " seed=" + seed;
            int cin = 16, cout = 24, h = 14, w = 15, ho = 7, wo = 8;
            Conv2d conv = Conv2d.of(Tensor.of(Gen.floats(r, cout * cin), cout, cin, 1, 1), Tensor.of(Gen.floats(r, cout), cout), 2, 0, 1, 1)
                    .withActivation(act);
            float[] x = Gen.floats(r, cin * h * w), res = Gen.floats(r, cout * ho * wo);
            float[] want = conv.forward(Buffers.f32(x, 1, cin, h, w)).toFloatArray();
            float[] got = conv.forwardAdd(Buffers.f32(x, 1, cin, h, w), Buffers.f32(res, 1, cout, ho, wo)).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i] + res[i], got[i], 0f, ctx + " at " + i);
            }
        }
        Conv2d conv = Conv2d.of(Tensor.of(new float[8], 4, 2, 1, 1), null, 1, 0, 1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> conv.forwardAdd(Buffers.f32(new float[2 * 9], 1, 2, 3, 3), Buffers.f32(new float[4 * 8], 1, 4, 2, 4)));
    }

    /** A square convolution with ReLU6 fused against the reference, clamped. */
    private static void checkActivated(SplittableRandom r, String ctx, int cin, int cout, int groups, int k, int s, int p, int h, int w) {
        float[] x = Gen.floats(r, cin * h * w);
        float[] wt = Gen.floats(r, cout * (cin / groups) * k * k);
        float[] bias = Gen.floats(r, cout);
        Conv2d conv = Conv2d.of(Tensor.of(wt, cout, cin / groups, k, k), Tensor.of(bias, cout), s, p, 1, groups)
                .withActivation(Activation.RELU6);
        int[] o = conv.outputSize(h, w);
        double[][] ref = ConvReference.conv2d(x, 1, cin, h, w, wt, bias, cout, k, k, s, s, p, p, 1, 1, groups, o[0], o[1]);
        for (int i = 0; i < ref[0].length; i++) {
            ref[0][i] = Math.min(Math.max(ref[0][i], 0), 6);
        }
        ConvReference.assertClose(ref, conv.forward(Buffers.f32(x, 1, cin, h, w)).toFloatArray(), (cin / groups) * k * k, ctx + " " + conv);
    }

    @Test
    void pointwiseAndDepthwiseFastPaths() {
        long seed = Gen.seed("conv2d-fast-paths");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 60; iter++) {
            int c = 1 + r.nextInt(20);
            int h = 1 + r.nextInt(20), w = 1 + r.nextInt(40);
            String ctx = "iter " + iter + " seed=" + seed;
            // pointwise: one GEMM
            checkConv(r, ctx + " pointwise", 1 + r.nextInt(2), c, 1 + r.nextInt(20), 1, 1, 1, 1, 1, 0, 0, 1, 1, h, w, r.nextBoolean());
            // depthwise 3x3 / 5x5 / 7x7, stride 1..2, any padding
            int k = new int[] {3, 5, 7}[r.nextInt(3)];
            int s = 1 + r.nextInt(2);
            int p = r.nextInt(k / 2 + 1);
            int hh = Math.max(h, k), ww = Math.max(w, k);
            checkConv(r, ctx + " depthwise", 1 + r.nextInt(2), c, c, c, k, k, s, s, p, p, 1, 1, hh, ww, r.nextBoolean());
        }
    }

    /**
     * Small planes: pointwise on a 1×1 plane (squeeze-and-excitation) and on planes up to 8×8 with at least 512
     * outputs, with output counts that leave partial vectors, with and without bias, in batches of one and two; and
     * deep 3×3 convolutions of small planes (shifted products).
     */
    @Test
    void smallPlanePaths() {
        long seed = Gen.seed("conv2d-small-plane-pointwise");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 6; iter++) {
            String ctx = "iter " + iter + " seed=" + seed;
            checkConv(r, ctx + " 1x1 plane", 1 + r.nextInt(2), 1 + r.nextInt(300), 1 + r.nextInt(300), 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1,
                    r.nextBoolean());
            checkActivated(r, ctx + " 1x1 plane, ReLU6", 1 + r.nextInt(600), 1 + r.nextInt(200), 1, 1, 1, 0, 1, 1);
            int hw = 1 + r.nextInt(8);
            checkConv(r, ctx + " transposed", 1 + r.nextInt(2), 1 + r.nextInt(70), 512 + r.nextInt(40), 1, 1, 1, 1, 1, 0, 0, 1, 1, hw,
                    1 + r.nextInt(64 / hw), r.nextBoolean());
            // deep 3×3 on a small plane (depth ≥ 1152, ≥ 32 outputs): the shifted path, stride 1 and 2
            int s = 1 + iter % 2;
            checkConv(r, ctx + " deep shifted", 1, 128 + r.nextInt(20), 1 + r.nextInt(9), 1, 3, 3, s, s, 1, 1, 1, 1, 6 * s + r.nextInt(4),
                    6 * s + r.nextInt(4), r.nextBoolean());
            // deep and small at two threads with enough outputs that the threads split the output channels (16 to 69: parts
            // of four channels, some empty or short), batches of one and two
            int cout = 16 + r.nextInt(54), cin = 128 + r.nextInt(40), hh = 6 * s + r.nextInt(4), ww = 6 * s + r.nextInt(4);
            boolean bias = r.nextBoolean();
            int batch = 1 + r.nextInt(2);
            dev.minnow.kernels.Parallel.withThreads(2, () -> checkConv(r, ctx + " shifted, channels split over 2 threads", batch, cin, cout, 1,
                    3, 3, s, s, 1, 1, 1, 1, hh, ww, bias));
        }
    }

    @Test
    void fusedActivationAndBatchNormFolding() {
        long seed = Gen.seed("conv2d-bn");
        SplittableRandom r = new SplittableRandom(seed);
        int cin = 4, cout = 6, h = 7, w = 9;
        float[] x = Gen.floats(r, cin * h * w), wt = Gen.floats(r, cout * cin * 9), bias = Gen.floats(r, cout);
        float[] gamma = Gen.floats(r, cout, 0.75, 1.25), beta = Gen.floats(r, cout), mean = Gen.floats(r, cout), var = Gen.floats(r, cout, 0.5, 1.5);
        Conv2d conv = Conv2d.of(Tensor.of(wt, cout, cin, 3, 3), Tensor.of(bias, cout), 1, 1, 1, 1)
                .foldBatchNorm(Tensor.of(gamma), Tensor.of(beta), Tensor.of(mean), Tensor.of(var), 1e-5)
                .withActivation(Activation.RELU6);
        float[] got = conv.forward(Buffers.f32(x, 1, cin, h, w)).toFloatArray();
        double[] ref = ConvReference.conv2d(x, 1, cin, h, w, wt, bias, cout, 3, 3, 1, 1, 1, 1, 1, 1, 1, h, w)[0];
        for (int i = 0; i < got.length; i++) {
            int c = i / (h * w);
            double bn = (ref[i] - mean[c]) / Math.sqrt(var[c] + 1e-5) * gamma[c] + beta[c];
            double want = Math.min(Math.max(bn, 0), 6);
            assertEquals(want, got[i], 1e-5, "at " + i + " seed=" + seed);
        }
    }

    @Test
    void rejectsBadShapes() {
        Conv2d conv = Conv2d.of(Tensor.of(new float[2 * 3 * 9], 2, 3, 3, 3), null, 1, 0, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Buffers.f32(1, 4, 5, 5)));
        assertTrue(e.getMessage().contains("3 input channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> conv.forward(Buffers.f32(1, 3, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(Tensor.of(new float[9], 3, 1, 3, 1), null, 1, 0, 1, 2));
    }

    @Test
    void randomTransposedConvolutions() {
        long seed = Gen.seed("convtranspose2d-random");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 100; iter++) {
            int groups = 1 + r.nextInt(2);
            int cin = groups * (1 + r.nextInt(4)), cout = groups * (1 + r.nextInt(4));
            int k = 1 + r.nextInt(4), stride = 1 + r.nextInt(3), dil = r.nextInt(4) == 0 ? 2 : 1;
            int pad = r.nextInt(k), op = r.nextInt(Math.max(stride, dil));
            int h = 1 + r.nextInt(6), w = 1 + r.nextInt(6), n = 1 + r.nextInt(2);
            float[] x = Gen.floats(r, n * cin * h * w), wt = Gen.floats(r, cin * (cout / groups) * k * k);
            float[] bias = r.nextBoolean() ? Gen.floats(r, cout) : null;
            ConvTranspose2d ct;
            int[] o;
            try {
                ct = ConvTranspose2d.of(Tensor.of(wt, cin, cout / groups, k, k), bias == null ? null : Tensor.of(bias), stride, pad, op, dil, groups);
                o = ct.outputSize(h, w);
            } catch (IllegalArgumentException empty) {
                continue;
            }
            String ctx = "iter " + iter + " seed=" + seed + " " + ct;
            Tensor y = ct.forward(Buffers.f32(x, n, cin, h, w));
            ConvReference.assertShape(new long[] {n, cout, o[0], o[1]}, y.shape(), ctx);
            ConvReference.assertClose(ConvReference.convTranspose2d(x, n, cin, h, w, wt, bias, cout, k, stride, pad, dil, groups, o[0], o[1]),
                    y.toFloatArray(), (cin / groups) * k * k, ctx);
        }
    }
}
