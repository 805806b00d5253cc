package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsFile;
import dev.minnow.tensor.io.SafetensorsWriter;
import dev.minnow.tensor.testing.Gen;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patch-based MobileNetV2 against whole-tensor execution (random weights, width 0.35, even and odd image sizes,
 * 2..4 patches per side), the executor's MAC and memory counts against the static planner, and the planner's
 * per-layer peak for MobileNetV2 1.0 at 224² (1372 kB, the figure MCUNetV2 quotes).
 */
class PatchInferenceTest {
    @TempDir
    Path dir;

    private SafetensorsFile write(double width, long seed) {
        Path p = dir.resolve("mbv2_" + width + ".safetensors");
        SafetensorsWriter.write(p, CnnDemo.randomMobileNetV2(width, 10, seed), Map.of("format", "pt"));
        return SafetensorsFile.open(p);
    }

    private static double maxRelDiff(float[] a, float[] b) {
        double d = 0, m = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            m = Math.max(m, Math.abs(a[i]));
        }
        return d / Math.max(m, 1e-30);
    }

    @Test
    void patchesEqualWholeTensorExecution() {
        try (SafetensorsFile f = write(0.35, 11)) {
            StateDict sd = new StateDict(f, "mobilenet_v2");
            SplittableRandom r = Gen.random("patch-mbv2");
            for (int size : new int[] {96, 101, 144}) {
                Tensor x = Buffers.f32(Gen.floats(r, 3 * size * size), 1, 3, size, size);
                for (int p = 2; p <= 4; p++) {
                    for (int split : new int[] {3, 6}) {
                        PatchInference pi = PatchInference.mobileNetV2(sd, split, p);
                        float[] whole = pi.stageWhole(x).toFloatArray();
                        float[] patched = pi.stagePatches(x).toFloatArray();
                        assertEquals(whole.length, patched.length);
                        double rel = maxRelDiff(whole, patched);
                        String ctx = size + "² p=" + p + " split=" + split;
                        assertTrue(rel <= 1e-5, ctx + ": relative difference " + rel);
                        PatchInference.Plan plan = pi.plan(size, size);
                        assertEquals(plan.patchMacs(), pi.lastMacs(), ctx + ": executed MACs vs planned");
                        assertEquals(plan.patchStagePeak(), pi.lastPeakBytes(), ctx + ": measured live bytes vs planned");
                        assertTrue(plan.patchMacs() > plan.stageMacs(), ctx + ": halos cost MACs");
                    }
                }
            }
        }
    }

    @Test
    void wholeNetworkLogitsMatchTheLayerByLayerModel() {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter.write(p, CnnDemo.randomMobileNetV2(0.35, 10, 5), Map.of("format", "pt"));
        SplittableRandom r = Gen.random("patch-logits");
        Tensor x = Buffers.f32(Gen.floats(r, 3 * 97 * 97), 1, 3, 97, 97);
        try (CnnModel m = CnnModel.load(p, "mobilenet_v2"); SafetensorsFile f = SafetensorsFile.open(p)) {
            float[] want = m.forward(x).toFloatArray();
            float[] got = PatchInference.mobileNetV2(new StateDict(f, "mobilenet_v2"), 6, 3).forward(x).toFloatArray();
            assertTrue(maxRelDiff(want, got) <= 1e-4, "logits differ by " + maxRelDiff(want, got));
        }
    }

    @Test
    void oneByOnePatchCostsNoExtraMacs() {
        try (SafetensorsFile f = write(0.35, 3)) {
            PatchInference pi = PatchInference.mobileNetV2(new StateDict(f, "mobilenet_v2"), 6, 1);
            PatchInference.Plan plan = pi.plan(96, 96);
            assertEquals(plan.stageMacs(), plan.patchMacs());
            assertThrows(IllegalArgumentException.class, () -> PatchInference.mobileNetV2(new StateDict(f, "mobilenet_v2"), 19, 2));
        }
    }

    @Test
    void mobileNetV2PlannerReproducesThe1372kBPeak() {
        try (SafetensorsFile f = write(1.0, 1)) {
            StateDict sd = new StateDict(f, "mobilenet_v2");
            PatchInference.Plan base = PatchInference.mobileNetV2(sd, 6, 4).plan(224, 224);
            // with TinyEngine's in-place depthwise the block 2 expansion sets the peak (MCUNetV2's 1372 kB); without it
            // the block 2 depthwise (112·112·96 in + 56·56·96 out) does
            assertEquals(1_404_928, base.perLayerPeakInPlaceDepthwise(), "block 2 expansion: 112·112·16 + 112·112·96 bytes");
            assertEquals(1_505_280, base.perLayerPeak(), "block 2 depthwise: 112·112·96 + 56·56·96 bytes");
            System.out.printf("MobileNetV2 1.0 224²: per-layer peak %d B (%.0f kB), with in-place depthwise %d B (%.0f kB)%n",
                    base.perLayerPeak(), base.perLayerPeak() / 1024.0, base.perLayerPeakInPlaceDepthwise(), base.perLayerPeakInPlaceDepthwise() / 1024.0);
            PatchInference.Plan best = null;
            for (int split = 2; split <= 7; split++) {
                for (int p = 2; p <= 6; p++) {
                    PatchInference.Plan pl = PatchInference.mobileNetV2(sd, split, p).plan(224, 224);
                    System.out.printf("split features.%d p=%d: patch stage %d B, tail %d B, peak %d B (%.0f kB, %.2fx / %.2fx lower), extra MACs %.1f%% (%d -> %d)%n",
                            split, p, pl.patchStagePeak(), pl.tailPeak(), pl.patchPeak(), pl.patchPeak() / 1024.0,
                            (double) pl.perLayerPeak() / pl.patchPeak(), (double) pl.perLayerPeakInPlaceDepthwise() / pl.patchPeak(),
                            100 * pl.overhead(), pl.stageMacs(), pl.patchMacs());
                    if (best == null || pl.patchPeak() < best.patchPeak()) {
                        best = pl;
                    }
                }
            }
            assertTrue(best.perLayerPeakInPlaceDepthwise() >= 4 * best.patchPeak(), "best patch peak " + best.patchPeak());
        }
    }
}
