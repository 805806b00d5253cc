package dev.minnow.models.lightfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.Parallel;
import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsWriter;
import dev.minnow.tensor.testing.Gen;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused NHWC forward pass ({@link MobileR2L#forward}) against the layer-by-layer NCHW network
 * ({@link MobileR2L#forwardLayers}) on random networks: every ConvTranspose2d kind MobileR2L uses (k4 s2 p1, k3 s3,
 * k2 s2, and none), widths that are not multiples of a vector, ray grids with partial pixel tiles, a batch of two, 1 and 2
 * threads. Both paths are float; they differ only in summation order and the GELU's erf approximation: ≤ 1e-4.
 */
class NhwcR2LTest {
    @TempDir
    Path dir;

    @Test
    void fusedPathMatchesLayers() {
        int[][][] stageSets = {{{8, 4}, {4, 3}}, {{16, 4}, {16, 4}, {8, 2}}, {{5, 3}}, {{20, 2}, {3, 4}}, {}};
        int[] widths = {12, 32, 17, 40, 9};
        int[][] grids = {{5, 7}, {3, 13}, {1, 1}, {6, 25}, {4, 5}};
        for (int i = 0; i < stageSets.length; i++) {
            String name = "nhwc-r2l/" + i;
            long seed = Gen.seed(name);
            Map<String, Tensor> sd = LightFieldDemo.randomStateDict(widths[i], 1 + i % 3, stageSets[i], seed);
            Path p = dir.resolve("m" + i + ".safetensors");
            SafetensorsWriter.write(p, sd, Map.of());
            try (LightField lf = LightField.load(p)) {
                MobileR2L net = lf.network();
                SplittableRandom r = new SplittableRandom(seed);
                int n = i == 1 ? 2 : 1;
                Tensor x = Buffers.f32(Gen.floats(r, n * 312 * grids[i][0] * grids[i][1]), n, 312, grids[i][0], grids[i][1]);
                Tensor want = net.forwardLayers(x);
                for (int threads : new int[] {1, 2}) {
                    Tensor[] got = new Tensor[1];
                    Parallel.withThreads(threads, () -> got[0] = net.forward(x));
                    assertArrayEquals(want.shape(), got[0].shape(), name);
                    float[] a = want.toFloatArray(), b = got[0].toFloatArray();
                    double worst = 0;
                    for (int j = 0; j < a.length; j++) {
                        worst = Math.max(worst, Math.abs(a[j] - b[j]));
                    }
                    assertTrue(worst <= 1e-4, name + " seed " + seed + " threads " + threads + ": max abs error " + worst);
                }
            }
        }
    }

    /** The pixel-major encoding the render path uses is exactly the transpose of the NCHW one. */
    @Test
    void pixelMajorEncodingIsTheTranspose() {
        Camera cam = Camera.orbit(4, 33, 12, 5, 7, 6, 2, 6, 8, 6);
        float[] planar = Rays.encode(cam).toFloatArray(), pm = Rays.encodePixelMajor(cam);
        int c = cam.encodedChannels(), plane = 5 * 7;
        assertTrue(pm.length == planar.length && c == 312, "sizes");
        for (int px = 0; px < plane; px++) {
            for (int ch = 0; ch < c; ch++) {
                if (pm[px * c + ch] != planar[ch * plane + px]) {
                    throw new AssertionError("pixel " + px + " channel " + ch + ": " + pm[px * c + ch] + " vs " + planar[ch * plane + px]);
                }
            }
        }
    }
}
