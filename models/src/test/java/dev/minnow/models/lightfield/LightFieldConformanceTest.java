package dev.minnow.models.lightfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import dev.minnow.tensor.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fixture light field: rays and encoding (≤ 1e-5), network output (≤ 1e-4), the rendered image. */
@Tag("conformance")
class LightFieldConformanceTest {
    static final double[][] C2W = {
        {-0.49999999999999994, -0.2241438680420134, 0.8365163037378079, 3.3460652149512318},
        {0.8660254037844387, -0.12940952255126034, 0.4829629131445341, 1.9318516525781364},
        {0.0, 0.9659258262890683, 0.25881904510252074, 1.035276180410083}};

    static Camera fixtureCamera() {
        return new Camera(C2W, 12, 16, 14.0, 2.0, 6.0, 8, 6);
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void orbitReproducesFixturePose() {
        Camera c = Camera.orbit(4, 30, 15, 12, 16, 14, 2, 6, 8, 6);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(C2W[i][j], c.c2w()[i][j], 1e-12, "c2w[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void raysAndEncodingMatch() {
        Path dir = Fixtures.path("lightfield");
        double dp = maxDiff(Npy.read(dir.resolve("rays_points.npy")).toFloatArray(), Rays.points(fixtureCamera()).toFloatArray());
        Tensor enc = Rays.encode(fixtureCamera());
        assertArrayEquals(new long[] {1, 312, 12, 16}, enc.shape());
        double de = maxDiff(Npy.read(dir.resolve("rays_encoded.npy")).toFloatArray(), enc.toFloatArray());
        System.out.printf("lightfield rays: points max abs err %.3g, encoding %.3g%n", dp, de);
        assertTrue(dp <= 1e-5 && de <= 1e-5, "points " + dp + ", encoding " + de);
    }

    @Test
    void networkMatchesRgb() {
        Path dir = Fixtures.path("lightfield");
        try (LightField lf = LightField.load(dir.resolve("model.safetensors"))) {
            MobileR2L net = lf.network();
            assertEquals(32, net.width());
            assertEquals(4, net.bodyBlocks());
            assertEquals(12, net.upscale());
            assertEquals(23_420_000, net.macsPerRay() * 12 * 16, 10_000, "MACs per frame (meta.json: 23.42 M)");
            Tensor in = Npy.read(dir.resolve("rays_encoded.npy")).reshape(1, 312, 12, 16);
            Tensor rgb = net.forward(in);
            assertArrayEquals(new long[] {1, 3, 144, 192}, rgb.shape());
            float[] want = Npy.read(dir.resolve("rgb.npy")).toFloatArray();
            double d = maxDiff(want, rgb.toFloatArray());
            RgbImage img = lf.render(fixtureCamera());
            double dr = maxDiff(want, img.data());
            System.out.printf("lightfield rgb: network max abs err %.3g, end-to-end render %.3g%n", d, dr);
            assertTrue(d <= 1e-4, "rgb max abs error " + d);
            assertTrue(dr <= 1e-4, "rendered rgb max abs error " + dr);
        }
    }

    @Test
    void pngMatchesFixtureWithinOneLevel() throws Exception {
        Path dir = Fixtures.path("lightfield");
        BufferedImage want = ImageIO.read(dir.resolve("rgb.png").toFile());
        try (LightField lf = LightField.load(dir.resolve("model.safetensors"))) {
            BufferedImage got = lf.render(fixtureCamera()).toBufferedImage();
            assertEquals(want.getWidth(), got.getWidth());
            assertEquals(want.getHeight(), got.getHeight());
            int worst = 0;
            for (int y = 0; y < want.getHeight(); y++) {
                for (int x = 0; x < want.getWidth(); x++) {
                    int a = want.getRGB(x, y), b = got.getRGB(x, y);
                    for (int s = 0; s < 24; s += 8) {
                        worst = Math.max(worst, Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff)));
                    }
                }
            }
            assertTrue(worst <= 1, "PNG differs by " + worst + " levels");
        }
    }
}
