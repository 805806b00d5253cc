package dev.minnow.models.lightfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsWriter;
import dev.minnow.tensor.testing.Gen;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Width, depth and SR stages come from the tensors: a non-fixture configuration loads and has the right output. */
class MobileR2LShapesTest {
    @TempDir
    Path dir;

    @Test
    void infersWidthBlocksAndStages() {
        Map<String, Tensor> sd = LightFieldDemo.randomStateDict(12, 2, new int[][] {{8, 4}, {4, 3}}, 3);
        Path p = dir.resolve("small.safetensors");
        SafetensorsWriter.write(p, sd, Map.of());
        try (LightField lf = LightField.load(p)) {
            MobileR2L net = lf.network();
            assertEquals(12, net.width());
            assertEquals(2, net.bodyBlocks());
            assertEquals(6, net.upscale());
            SplittableRandom r = Gen.random("r2l-small");
            Tensor y = net.forward(Buffers.f32(Gen.floats(r, 312 * 5 * 7), 1, 312, 5, 7));
            assertArrayEquals(new long[] {1, 3, 30, 42}, y.shape());
            for (float v : y.toFloatArray()) {
                assertTrue(v > 0 && v < 1, "sigmoid output " + v);
            }
            RgbImage img = lf.render(Camera.orbit(4, 10, 20, 4, 6, 5, 2, 6, 8, 6));
            assertEquals(24, img.height());
            assertEquals(36, img.width());
        }
    }

    @Test
    void demoRuns() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        LightFieldDemo.run(new PrintStream(bos, true, StandardCharsets.UTF_8), 1);
        String s = bos.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("ms/frame") && s.contains("192x144") && s.contains("23.4 M MACs"), s);
    }
}
