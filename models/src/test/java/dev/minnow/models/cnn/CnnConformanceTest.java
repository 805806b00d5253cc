package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import dev.minnow.tensor.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fixture CNNs (PyTorch 1.13 outputs): logits within 1e-3·max|logit| and the same top-5 order. */
@Tag("conformance")
class CnnConformanceTest {

    static int[] top(float[] v, int k) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> v[b] != v[a] ? Float.compare(v[b], v[a]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet1_1", "mobilenet_v2"})
    void matchesPyTorchLogits(String name) {
        check(name);
    }

    /** {@link #matchesPyTorchLogits}' checks; returns the logits. */
    private static float[] check(String name) {
        Path dir = Fixtures.path("cnn/" + name);
        float[] want = Npy.read(dir.resolve("logits.npy")).toFloatArray();
        try (CnnModel m = CnnModel.load(dir.resolve("model.safetensors"), name)) {
            Tensor logits = m.forward(Npy.read(dir.resolve("input.npy")));
            assertArrayEquals(new long[] {1, 1000}, logits.shape());
            float[] got = logits.toFloatArray();
            double maxErr = 0, maxAbs = 0;
            for (int i = 0; i < want.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            }
            System.out.printf("%s: max abs error %.3g, max|logit| %.3g, ratio %.3g%n", name, maxErr, maxAbs, maxErr / maxAbs);
            assertTrue(maxErr <= 1e-3 * maxAbs, name + ": max abs error " + maxErr + " > 1e-3 x " + maxAbs);
            assertArrayEquals(top(want, 5), top(got, 5), name + " top-5");
            return got;
        }
    }

    /**
     * SqueezeNet's stride-1 3×3 layers (16→64 at 55², 32→128 at 27², 48→192 and 64→256 at 13²), which take the direct
     * kernels by default, through Winograd F(2×2, 3×3) and F(4×4, 3×3) ({@code minnow.cnn.winograd=always}): the same
     * bound against PyTorch's logits, and the same top-5; and the logits differ from the direct kernels' somewhere, so
     * the path did run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2", "4"})
    void matchesPyTorchLogitsByWinograd(String tile) {
        float[] direct = check("squeezenet1_1");
        System.setProperty("minnow.cnn.winograd", "always");
        System.setProperty("minnow.cnn.winogradTile", tile);
        try {
            float[] got = check("squeezenet1_1");
            assertTrue(!java.util.Arrays.equals(direct, got), "F(" + tile + "x" + tile + ") gave the direct kernels' logits bit for bit");
        } finally {
            System.clearProperty("minnow.cnn.winograd");
            System.clearProperty("minnow.cnn.winogradTile");
        }
    }

    @Test
    void detectsArchitectureFromNames() {
        try (CnnModel m = CnnModel.load(Fixtures.path("cnn/mobilenet_v2/model.safetensors"), null)) {
            assertEquals(CnnArch.MOBILENET_V2, m.arch());
        }
        try (CnnModel m = CnnModel.load(Fixtures.path("cnn/squeezenet1_1/model.safetensors"), null)) {
            assertEquals(CnnArch.SQUEEZENET, m.arch());
        }
    }

    @Test
    void demoStateDictHasTorchvisionNamesAndShapes() {
        var sd = CnnDemo.randomMobileNetV2(0.5, 1000, 1);
        try (var f = dev.minnow.tensor.io.SafetensorsFile.open(Fixtures.path("cnn/mobilenet_v2/model.safetensors"))) {
            assertEquals(new java.util.TreeSet<>(f.names()), new java.util.TreeSet<>(sd.keySet()));
            for (String n : f.names()) {
                assertArrayEquals(f.entry(n).shape(), sd.get(n).shape(), n);
            }
        }
    }

    @Test
    void digitsFloatLogitsAndAccuracy() {
        Path dir = Fixtures.path("digits");
        Tensor x = Npy.read(dir.resolve("test_x.npy"));
        float[] want = Npy.read(dir.resolve("test_logits.npy")).toFloatArray();
        float[] labels = Npy.read(dir.resolve("test_y.npy")).toFloatArray();
        try (CnnModel m = CnnModel.load(dir.resolve("model.safetensors"), "digits")) {
            float[] got = m.forward(x).toFloatArray();
            double maxErr = 0;
            for (int i = 0; i < want.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
            }
            int correct = 0;
            for (int r = 0; r < 360; r++) {
                if (top(java.util.Arrays.copyOfRange(got, r * 10, r * 10 + 10), 1)[0] == (int) labels[r]) {
                    correct++;
                }
            }
            System.out.printf("digits float: max abs error %.3g, accuracy %d/360%n", maxErr, correct);
            assertTrue(maxErr <= 1e-4, "digits float logits off by " + maxErr);
            assertEquals(357, correct, "float accuracy 99.17%");
        }
    }

    @Test
    void digitsInt8ReproducesLogitsExactly() {
        Path dir = Fixtures.path("digits");
        DigitsInt8 q = DigitsInt8.load(dir.resolve("model_int8.safetensors"));
        float[] got = q.forward(Npy.read(dir.resolve("test_x.npy"))).toFloatArray();
        float[] want = Npy.read(dir.resolve("test_logits_int8.npy")).toFloatArray();
        float[] labels = Npy.read(dir.resolve("test_y.npy")).toFloatArray();
        int mismatched = 0, correct = 0;
        for (int i = 0; i < want.length; i++) {
            if (got[i] != want[i]) {
                mismatched++;
            }
        }
        for (int r = 0; r < 360; r++) {
            if (top(java.util.Arrays.copyOfRange(got, r * 10, r * 10 + 10), 1)[0] == (int) labels[r]) {
                correct++;
            }
        }
        System.out.printf("digits int8: %d of %d logits differ, accuracy %d/360%n", mismatched, want.length, correct);
        assertEquals(0, mismatched, "int8 logits must match test_logits_int8.npy exactly");
        assertEquals(357, correct);
    }
}
