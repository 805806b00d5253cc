package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Buffers;
import dev.minnow.nn.Int8Quantization;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import dev.minnow.tensor.testing.Fixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Minnow's own post-training int8 quantization on the fixtures. The digits fixture ships only the 360 test images
 * (the 1437 training images are not in it), so calibration uses the first 180 test images and accuracy is measured
 * on the other 180 (held out) and on all 360.
 */
@Tag("conformance")
class Int8PtqConformanceTest {

    private static Tensor rows(Tensor x, int from, int to) {
        int per = (int) (x.elementCount() / x.dim(0));
        float[] all = x.toFloatArray();
        return Buffers.f32(Arrays.copyOfRange(all, from * per, to * per), to - from, x.dim(1), x.dim(2), x.dim(3));
    }

    private static int correct(float[] logits, float[] labels, int from, int to) {
        int c = 0;
        for (int r = from; r < to; r++) {
            int best = 0;
            for (int j = 1; j < 10; j++) {
                if (logits[r * 10 + j] > logits[r * 10 + best]) {
                    best = j;
                }
            }
            if (best == (int) labels[r]) {
                c++;
            }
        }
        return c;
    }

    @Test
    void digitsInt8WithinOnePointOfFloat() {
        Path dir = Fixtures.path("digits");
        Tensor x = Npy.read(dir.resolve("test_x.npy"));
        float[] labels = Npy.read(dir.resolve("test_y.npy")).toFloatArray();
        try (CnnModel m = CnnModel.load(dir.resolve("model.safetensors"), "digits")) {
            UnaryOperator<Tensor> net = m::forward;
            float[] f = net.apply(x).toFloatArray();
            int floatHeld = correct(f, labels, 180, 360), floatAll = correct(f, labels, 0, 360);
            for (Int8Quantization.Range range : Int8Quantization.Range.values()) {
                Int8Quantization.Plan plan = Int8Ptq.calibrate(net, rows(x, 0, 180), 64, range, 99.99);
                assertEquals(4, plan.layers(), "conv1, conv2, dw, pw");
                float[] q = Int8Ptq.int8(net, plan).apply(x).toFloatArray();
                int held = correct(q, labels, 180, 360), all = correct(q, labels, 0, 360);
                double maxErr = 0;
                for (int i = 0; i < q.length; i++) {
                    maxErr = Math.max(maxErr, Math.abs(q[i] - f[i]));
                }
                System.out.printf("digits PTQ %s: held-out %d/180 (float %d/180), all %d/360 (float %d/360), max |logit diff| %.3g%n",
                        range, held, floatHeld, all, floatAll, maxErr);
                assertTrue(maxErr > 0, "int8 must change the logits");
                assertTrue(floatHeld - held <= 1, range + ": held-out accuracy " + held + "/180 vs float " + floatHeld + "/180");
                assertTrue(floatAll - all <= 3, range + ": accuracy " + all + "/360 vs float " + floatAll + "/360");
            }
        }
    }

    @Test
    void mobilenetV2Int8KeepsTheTopClass() {
        Path dir = Fixtures.path("cnn/mobilenet_v2");
        Tensor x = Npy.read(dir.resolve("input.npy"));
        try (CnnModel m = CnnModel.load(dir.resolve("model.safetensors"), null)) {
            UnaryOperator<Tensor> net = m::forward;
            float[] f = net.apply(x).toFloatArray();
            Int8Quantization.Plan plan = Int8Ptq.calibrate(net, x, 8, Int8Quantization.Range.MIN_MAX, 100);
            float[] q = Int8Ptq.int8(net, plan).apply(x).toFloatArray();
            int bf = 0, bq = 0;
            double se = 0, sm = 0;
            for (int i = 0; i < f.length; i++) {
                bf = f[i] > f[bf] ? i : bf;
                bq = q[i] > q[bq] ? i : bq;
                se += (f[i] - q[i]) * (double) (f[i] - q[i]);
                sm += f[i] * (double) f[i];
            }
            System.out.printf("mobilenet_v2 x0.5 PTQ: %d convs, top-1 float %d int8 %d, relative RMS logit error %.3g%n",
                    plan.layers(), bf, bq, Math.sqrt(se / sm));
            assertEquals(52, plan.layers());
            assertTrue(Math.sqrt(se / sm) < 0.3, "relative RMS logit error " + Math.sqrt(se / sm));
        }
    }
}
