package dev.minnow.models.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import dev.minnow.tensor.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fixtures' opset-13 ONNX exports run through {@link OnnxGraph} against the PyTorch outputs. */
@Tag("conformance")
class OnnxConformanceTest {

    @ParameterizedTest
    @CsvSource({
        "cnn/squeezenet1_1, input.npy, logits.npy, 1e-3",
        "cnn/mobilenet_v2, input.npy, logits.npy, 1e-3",
        "digits, test_x0.npy, test_logits0.npy, 1e-4",
        "lightfield, rays_encoded.npy, rgb.npy, 1e-4"})
    void matchesReference(String dir, String input, String expected, double tol) {
        Path d = Fixtures.path(dir);
        try (OnnxModel m = OnnxModel.open(d.resolve("model.onnx"))) {
            OnnxGraph g = new OnnxGraph(m);
            Tensor x = Npy.read(d.resolve(input));
            if (x.rank() == 3) {
                x = x.reshape(1, x.dim(0), x.dim(1), x.dim(2));
            }
            float[] got = g.run(x).toFloatArray();
            // later runs hand dead values' buffers back to the pass's pool (the first one learnt which step reads each
            // value last): the same outputs bit for bit, with buffers actually released
            for (int rep = 0; rep < 2; rep++) {
                assertArrayEquals(got, g.run(x).toFloatArray(), dir + ": run " + (rep + 2) + " differs from the first");
                assertTrue(g.releasedLastRun() > 0, dir + ": no buffer released early");
            }
            if (dir.equals("cnn/mobilenet_v2")) { // 52 Conv(+BN+Clip; 10 of them with their residual Add) + pool, flatten, Gemm
                assertTrue(g.stepCount() == 55, "Conv+BN+Clip(+Add) fusion: " + g.stepCount() + " steps");
                // the layout pass (this is MobileNetV2 x0.5): the stem writes blocked straight from the image, so every
                // block runs expand, depthwise and project channel-blocked, with the shortcuts between them; only the
                // last 1×1 (global pooling reads it) stays NCHW. Without the blocked stem, 44: the stem and the first two
                // blocks (16 and 8 channels in) stayed NCHW
                assertTrue(g.nchwcChains() == (Boolean.parseBoolean(System.getProperty("minnow.onnx.stemBlocked", "true")) ? 51 : 44),
                        "channel-blocked Conv chains: " + g.nchwcChains());
            }
            float[] want = Npy.read(d.resolve(expected)).toFloatArray();
            assertArrayEquals(new int[] {want.length}, new int[] {got.length});
            double err = 0, scale = 0;
            for (int i = 0; i < want.length; i++) {
                err = Math.max(err, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
            System.out.printf("onnx %s: max abs error %.3g (max|ref| %.3g)%n", dir, err, scale);
            double bound = dir.startsWith("cnn") ? tol * scale : tol;
            assertTrue(err <= bound, dir + ": max abs error " + err + " > " + bound);
        }
    }
}
