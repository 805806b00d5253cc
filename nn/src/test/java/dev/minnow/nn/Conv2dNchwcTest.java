package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.Activation;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Conv2d} with its input and/or output in the channel-blocked layout ({@link Nchwc}) against
 * {@link ConvReference}: pointwise and depthwise layers (which compute in the layout) and others (which convert),
 * awkward channel counts that leave partial blocks, batches of two, a fused ReLU6, the residual. The blocked output
 * must have +0 in its padding lanes.
 */
class Conv2dNchwcTest {

    private static void check(SplittableRandom r, String ctx, int n, int cin, int cout, int groups, int k, int s, int p, int h, int w,
                              boolean withBias, boolean relu6, boolean blockedIn, boolean blockedOut, boolean residual) {
        float[] x = Gen.floats(r, n * cin * h * w);
        float[] wt = Gen.floats(r, cout * (cin / groups) * k * k);
        float[] bias = withBias ? Gen.floats(r, cout) : null;
        Conv2d conv = Conv2d.of(Tensor.of(wt, cout, cin / groups, k, k), bias == null ? null : Tensor.of(bias, cout), s, p, 1, groups)
                .withActivation(relu6 ? Activation.RELU6 : null).withNchwcOutput(blockedOut);
        int[] o = conv.outputSize(h, w);
        float[] res = residual ? Gen.floats(r, n * cout * o[0] * o[1]) : null;
        Tensor xt = Buffers.f32(x, n, cin, h, w);
        if (blockedIn) {
            xt = Nchwc.fromNchw(xt);
        }
        Tensor rt = residual ? Buffers.f32(res, n, cout, o[0], o[1]) : null;
        if (residual && r.nextBoolean()) {   // either layout, whatever the output's
            rt = Nchwc.fromNchw(rt);
        }
        Tensor y = residual ? conv.forwardAdd(xt, rt) : conv.forward(xt);
        int L = Nchwc.lanes();
        if (blockedOut) {
            assertEquals(5, y.rank(), ctx);
            float[] yb = y.toFloatArray();
            for (int i = 0; i < yb.length; i++) {
                int lane = i % L, cb = (int) (i / L / ((long) o[0] * o[1]) % ((cout + L - 1) / L));
                if (cb * L + lane >= cout) {
                    assertEquals(0f, yb[i], 0f, ctx + ": padding lane at " + i);
                }
            }
            y = Nchwc.toNchw(y, cout);
        }
        ConvReference.assertShape(new long[] {n, cout, o[0], o[1]}, y.shape(), ctx);
        double[][] ref = ConvReference.conv2d(x, n, cin, h, w, wt, bias, cout, k, k, s, s, p, p, 1, 1, groups, o[0], o[1]);
        for (int i = 0; i < ref[0].length; i++) {
            if (relu6) {
                ref[0][i] = Math.min(Math.max(ref[0][i], 0), 6);
            }
            if (res != null) {
                ref[0][i] += res[i];
                ref[1][i] += Math.abs(res[i]);
            }
        }
        ConvReference.assertClose(ref, y.toFloatArray(), (cin / groups) * k * k, ctx + " " + conv);
    }

    /**
     * Stems (a few NCHW input channels, a blocked output: {@link Conv2d#stemNchwc()}'s kernel) over planes wide enough
     * for its pixel tiles and rows whose last tile overlaps the one before, k 3 to 7, stride 1 to 3, batches of two.
     */
    @Test
    void stemsWriteBlocked() {
        long seed = Gen.seed("conv2d-nchwc-stem");
        SplittableRandom r = new SplittableRandom(seed);
        int[] outs = {3, 16, 17, 24, 32, 64};   // (1 → 1 would be depthwise)
        for (int iter = 0; iter < 24; iter++) {
            int cin = 1 + r.nextInt(4), cout = outs[r.nextInt(outs.length)], k = 3 + 2 * r.nextInt(3), s = 1 + r.nextInt(3);
            int h = k + r.nextInt(30), w = k + 8 * s + r.nextInt(40), p = r.nextInt(k / 2 + 1);
            String ctx = "stem iter " + iter + " " + cin + "->" + cout + " k" + k + " s" + s + " p" + p + " " + h + "x" + w + " seed=" + seed;
            Conv2d probe = Conv2d.of(Tensor.of(new float[cout * cin * k * k], cout, cin, k, k), null, s, p, 1, 1);
            assertTrue(probe.stemNchwc(), ctx);
            check(r, ctx, 1 + r.nextInt(2), cin, cout, 1, k, s, p, h, w, r.nextBoolean(), r.nextBoolean(), false, true, false);
        }
    }

    @Test
    void pointwiseAndDepthwiseInBothLayouts() {
        long seed = Gen.seed("conv2d-nchwc");
        SplittableRandom r = new SplittableRandom(seed);
        int[] channels = {1, 3, 8, 15, 16, 17, 24, 33, 40};
        for (int iter = 0; iter < 160; iter++) {
            int kind = iter % 4;   // 0 pointwise, 1 depthwise 3×3, 2 depthwise 5×5, 3 a 3×3 full convolution (converts)
            int cin = channels[r.nextInt(channels.length)], cout = kind == 1 || kind == 2 ? cin : channels[r.nextInt(channels.length)];
            int k = kind == 0 ? 1 : kind == 2 ? 5 : 3, s = kind == 0 ? 1 : 1 + r.nextInt(2), p = k / 2;
            int groups = kind == 1 || kind == 2 ? cin : 1;
            int h = 1 + r.nextInt(15), w = 1 + r.nextInt(15);
            boolean blockedIn = r.nextBoolean(), blockedOut = r.nextBoolean() || !blockedIn;
            boolean residual = r.nextInt(3) == 0;
            String ctx = "iter " + iter + " kind " + kind + " " + cin + "->" + cout + " k" + k + " s" + s + " " + h + "x" + w
                    + " in " + (blockedIn ? "nchwc" : "nchw") + " out " + (blockedOut ? "nchwc" : "nchw") + " seed=" + seed;
            check(r, ctx, 1 + r.nextInt(2), cin, cout, groups, k, s, p, h, w, r.nextBoolean(), r.nextInt(3) == 0, blockedIn, blockedOut,
                    residual);
        }
    }

    /**
     * Stems: a small k×k convolution from the NCHW input into the blocked layout (it computes NCHW and converts its
     * output), odd sizes and strides, batches of two.
     */
    @Test
    void stemsWriteBlockedFromNchw() {
        long seed = Gen.seed("conv2d-nchwc-stem");
        SplittableRandom r = new SplittableRandom(seed);
        int[][] shapes = {{3, 3}, {1, 3}, {7, 3}, {2, 5}, {3, 7}};   // cin, k
        for (int iter = 0; iter < 30; iter++) {
            int[] sh = shapes[iter % shapes.length];
            int cin = sh[0], k = sh[1], s = 1 + r.nextInt(2), cout = new int[] {1, 16, 17, 24, 32, 40}[r.nextInt(6)];
            int h = k / 2 + 1 + r.nextInt(20), w = k / 2 + 1 + r.nextInt(20);
            String ctx = "iter " + iter + " " + cin + "->" + cout + " k" + k + " s" + s + " " + h + "x" + w + " seed=" + seed;
            check(r, ctx, 1 + r.nextInt(2), cin, cout, 1, k, s, k / 2, h, w, r.nextBoolean(), r.nextInt(2) == 0, false, true, false);
        }
    }

    /** A depthwise layer with blocked input and output keeps running blocked over a chain; the conversions are exact. */
    @Test
    void conversionsAreExact() {
        SplittableRandom r = Gen.random("nchwc-roundtrip");
        for (int c : new int[] {1, 7, 16, 17, 40}) {
            float[] x = Gen.floats(r, 2 * c * 5 * 3);
            Tensor t = Buffers.f32(x, 2, c, 5, 3);
            Tensor back = Nchwc.toNchw(Nchwc.fromNchw(t), c);
            org.junit.jupiter.api.Assertions.assertArrayEquals(x, back.toFloatArray(), "channels " + c);
        }
    }

    @Test
    void wrongBlockedShapesAreRefused() {
        int L = Nchwc.lanes();
        Conv2d conv = Conv2d.of(Tensor.of(new float[20 * 20], 20, 20, 1, 1), null, 1, 0, 1, 1);
        Tensor wrongBlocks = Buffers.f32(new float[3 * 4 * L], 1, 3, 2, 2, L);   // 20 channels are 2 blocks
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(wrongBlocks));
        assertTrue(e.getMessage().contains("20 channels"), e.getMessage());
        Tensor wrongLanes = Buffers.f32(new float[2 * 4 * (L + 1)], 1, 2, 2, 2, L + 1);
        assertThrows(IllegalArgumentException.class, () -> conv.forward(wrongLanes));
    }
}
