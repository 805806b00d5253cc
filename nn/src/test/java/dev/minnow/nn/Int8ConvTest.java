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
 * The int8 convolution against a double reference of the documented scheme (dequantized per-channel weights times
 * fake-quantized inputs, plus bias, then the activation): only float rounding of the epilogue may differ. Random
 * shapes cover the depthwise, pointwise and im2col paths, strides, paddings, dilations and groups.
 */
class Int8ConvTest {

    private static void check(SplittableRandom r, String ctx, int n, int cin, int cout, int groups, int k, int s, int p, int d,
                              int h, int w, Activation act) {
        float[] x = Gen.floats(r, n * cin * h * w);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 3 + 0.7f;       // an asymmetric range: a non-trivial zero point
        }
        float[] wt = Gen.floats(r, cout * (cin / groups) * k * k);
        float[] bias = Gen.floats(r, cout);
        Conv2d conv = Conv2d.of(Tensor.of(wt, cout, cin / groups, k, k), Tensor.of(bias, cout), s, p, d, groups).withActivation(act);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        Int8Conv q = Int8Conv.of(conv, min * 0.9f, max * 0.9f);    // some inputs saturate
        float[] xs = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xs[i] = (Int8Conv.quantize(x[i], q.inputScale(), q.inputZeroPoint()) - q.inputZeroPoint()) * q.inputScale();
        }
        int[] o = conv.outputSize(h, w);
        double[][] ref = ConvReference.conv2d(xs, n, cin, h, w, q.dequantizedWeights(), bias, cout, k, k, s, s, p, p, d, d, groups, o[0], o[1]);
        float[] got = q.forward(Buffers.f32(x, n, cin, h, w)).toFloatArray();
        assertEquals(ref[0].length, got.length, ctx);
        for (int i = 0; i < got.length; i++) {
            double want = ref[0][i];
            if (act == Activation.RELU) {
                want = Math.max(0, want);
            } else if (act == Activation.RELU6) {
                want = Math.min(6, Math.max(0, want));
            }
            assertTrue(Math.abs(got[i] - want) <= 1e-5 * (ref[1][i] + 1), ctx + " " + conv + " at " + i + ": " + got[i] + " vs " + want);
        }
    }

    @Test
    void randomConvolutionsMatchTheScheme() {
        long seed = Gen.seed("int8conv-random");
        SplittableRandom r = new SplittableRandom(seed);
        Activation[] acts = {null, Activation.RELU, Activation.RELU6};
        for (int iter = 0; iter < 120; iter++) {
            int kind = r.nextInt(3);    // 0 general, 1 depthwise, 2 pointwise
            int groups = kind == 1 ? 1 + r.nextInt(9) : (kind == 2 ? 1 : 1 + r.nextInt(3));
            int cin = kind == 1 ? groups : groups * (1 + r.nextInt(6));
            int cout = kind == 1 ? groups : groups * (1 + r.nextInt(6));
            int k = kind == 2 ? 1 : 1 + r.nextInt(5);
            int s = kind == 2 ? 1 : 1 + r.nextInt(3), p = kind == 2 ? 0 : r.nextInt(k), d = kind == 0 && r.nextInt(4) == 0 ? 2 : 1;
            int h = d * (k - 1) + 1 + r.nextInt(12), w = d * (k - 1) + 1 + r.nextInt(12);
            check(r, "iter " + iter + " seed=" + seed, 1 + r.nextInt(2), cin, cout, groups, k, s, p, d, h, w, acts[r.nextInt(3)]);
        }
    }

    @Test
    void calibrationAndPlanQuantizeEveryConvolution() {
        long seed = Gen.seed("int8-plan");
        SplittableRandom r = new SplittableRandom(seed);
        Conv2d c1 = Conv2d.of(Tensor.of(Gen.floats(r, 8 * 3 * 9), 8, 3, 3, 3), Tensor.of(Gen.floats(r, 8), 8), 2, 1, 1, 1)
                .withActivation(Activation.RELU6);
        Conv2d dw = Conv2d.of(Tensor.of(Gen.floats(r, 8 * 9), 8, 1, 3, 3), null, 1, 1, 1, 8).withActivation(Activation.RELU6);
        Conv2d pw = Conv2d.of(Tensor.of(Gen.floats(r, 16 * 8), 16, 8, 1, 1), Tensor.of(Gen.floats(r, 16), 16), 1, 0, 1, 1);
        Layer net = Layer.sequence(c1, dw, pw);
        Tensor x = Buffers.f32(Gen.floats(r, 4 * 3 * 20 * 20), 4, 3, 20, 20);
        Int8Quantization.Calibration cal = Int8Quantization.calibration();
        Tensor f = cal.run(() -> net.forward(x));
        assertEquals(3, cal.layers());
        for (Int8Quantization.Range range : Int8Quantization.Range.values()) {
            Int8Quantization.Plan plan = cal.quantize(range, 99.9);
            assertEquals(3, plan.layers());
            Tensor q = plan.run(() -> net.forward(x));
            float[] a = f.toFloatArray(), b = q.toFloatArray();
            double err = 0, mag = 0, se = 0, sm = 0;
            for (int i = 0; i < a.length; i++) {
                err = Math.max(err, Math.abs(a[i] - b[i]));
                mag = Math.max(mag, Math.abs(a[i]));
                se += (a[i] - b[i]) * (double) (a[i] - b[i]);
                sm += a[i] * (double) a[i];
            }
            assertTrue(err > 0, "the plan must change the arithmetic");
            // percentile clipping saturates a few outliers, so only min/max bounds the worst case
            assertTrue(range == Int8Quantization.Range.PERCENTILE || err < 0.05 * mag,
                    range + ": int8 error " + err + " vs max |y| " + mag + " seed=" + seed);
            assertTrue(Math.sqrt(se / sm) < 0.05, range + ": relative RMS error " + Math.sqrt(se / sm) + " seed=" + seed);
        }
        // outside run() the network is float again
        assertEquals(0f, maxDiff(f, net.forward(x)));
        assertThrows(IllegalStateException.class, () -> Int8Quantization.calibration().quantize(Int8Quantization.Range.MIN_MAX, 0));
        assertThrows(IllegalArgumentException.class, () -> cal.quantize(Int8Quantization.Range.PERCENTILE, 40));
    }

    private static float maxDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        float m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
