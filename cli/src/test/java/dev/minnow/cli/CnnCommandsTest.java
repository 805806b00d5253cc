package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.io.Npy;
import dev.minnow.tensor.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow run}, {@code classify} and {@code render} end to end on the fixtures. */
@Tag("conformance")
class CnnCommandsTest {
    @TempDir
    Path dir;

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bos, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return bos.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runWritesLogitsAndLatency() {
        Path d = Fixtures.path("cnn/squeezenet1_1");
        Path out = dir.resolve("y.npy");
        for (String model : new String[] {"model.safetensors", "model.onnx"}) {
            String s = capture(() -> assertEquals(0, Main.execute("run", "-m", d.resolve(model).toString(), "--input",
                    d.resolve("input.npy").toString(), "--output", out.toString(), "--repeat", "1", "--warmup", "0")));
            assertTrue(s.contains("latency") && s.contains("ms"), s);
            float[] got = Npy.read(out).toFloatArray(), want = Npy.read(d.resolve("logits.npy")).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4, model + " logit " + i);
            }
        }
    }

    @Test
    void classifyPrintsTop5() throws Exception {
        BufferedImage img = new BufferedImage(300, 240, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 300; x++) {
                img.setRGB(x, y, (x * 255 / 300) << 16 | (y * 255 / 240) << 8 | 128);
            }
        }
        Path png = dir.resolve("in.png");
        ImageIO.write(img, "png", png.toFile());
        String s = capture(() -> assertEquals(0, Main.execute("classify", "-m",
                Fixtures.path("cnn/squeezenet1_1/model.safetensors").toString(), "--arch", "squeezenet1_1", "--image", png.toString(),
                "--repeat", "1")));
        assertTrue(s.contains("rank") && s.lines().filter(l -> l.matches("^[1-5] .*")).count() == 5 && s.contains("ms"), s);
    }

    @Test
    void renderWritesPng() throws Exception {
        Path png = dir.resolve("view.png");
        String s = capture(() -> assertEquals(0, Main.execute("render", "-m", Fixtures.path("lightfield/model.safetensors").toString(),
                "-o", png.toString(), "--repeat", "1")));
        assertTrue(Files.exists(png) && s.contains("ms/frame"), s);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(192, img.getWidth());
        assertEquals(144, img.getHeight());
    }

    @Test
    void badModelIsOneLineError() {
        Path bogus = dir.resolve("x.safetensors");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bos, true, StandardCharsets.UTF_8));
        try {
            Files.write(bogus, new byte[] {1, 2, 3});
            assertEquals(1, Main.execute("run", "-m", bogus.toString(), "--input", Fixtures.path("cnn/squeezenet1_1/input.npy").toString()));
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        } finally {
            System.setErr(oldErr);
        }
        String err = bos.toString(StandardCharsets.UTF_8);
        assertTrue(err.lines().filter(l -> l.startsWith("minnow run:")).count() == 1 && err.contains("x.safetensors"), err);
    }
}
