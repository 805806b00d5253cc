package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageNetPreprocessTest {

    @Test
    void constantImageNormalises() {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                img.setRGB(x, y, 200 << 16 | 100 << 8 | 50);
            }
        }
        Tensor t = ImageNetPreprocess.toTensor(img);
        assertArrayEquals(new long[] {1, 3, 224, 224}, t.shape());
        int[] rgb = {200, 100, 50};
        for (int c = 0; c < 3; c++) {
            float want = (rgb[c] / 255f - ImageNetPreprocess.MEAN[c]) / ImageNetPreprocess.STD[c];
            assertEquals(want, t.getFloat(0, c, 0, 0), 1e-5);
            assertEquals(want, t.getFloat(0, c, 223, 223), 1e-5);
        }
    }

    /**
     * Horizontal ramps. A 512x256 image keeps its size (shorter side already 256) and the crop starts at column 144;
     * a 1024x512 image halves, so without antialiasing output column j samples source x = 2·(j + 144) + 0.5 bilinearly.
     */
    @Test
    void bilinearResizeAndCentreCrop() {
        BufferedImage img = new BufferedImage(512, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 512; x++) {
                int v = x / 2;
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        Tensor t = ImageNetPreprocess.toTensor(img, 256, 224);
        for (int j : new int[] {0, 1, 100, 223}) {
            int x0 = j + 144;
            double v = x0 / 2; // the source pixel itself
            double want = (v / 255.0 - ImageNetPreprocess.MEAN[0]) / ImageNetPreprocess.STD[0];
            assertEquals(want, t.getFloat(0, 0, 50, j), 1e-5, "column " + j);
        }
        BufferedImage big = new BufferedImage(1024, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 1024; x++) {
                int v = x / 4;
                big.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        Tensor s = ImageNetPreprocess.toTensor(big, 256, 224, ImageNetPreprocess.Interpolation.BILINEAR_NO_ANTIALIAS);
        for (int j : new int[] {0, 57, 223}) {
            double fx = (j + 144 + 0.5) * 2 - 0.5;
            int x0 = (int) fx;
            double wx = fx - x0;
            double v = (1 - wx) * (x0 / 4) + wx * ((x0 + 1) / 4);
            double want = (v / 255.0 - ImageNetPreprocess.MEAN[1]) / ImageNetPreprocess.STD[1];
            assertEquals(want, s.getFloat(0, 1, 10, j), 1e-5, "downscaled column " + j);
        }
    }

    /** PIL's filters, written out here from their definitions. */
    private static double filter(ImageNetPreprocess.Interpolation mode, double x) {
        x = Math.abs(x);
        if (mode == ImageNetPreprocess.Interpolation.BILINEAR) {
            return x < 1 ? 1 - x : 0;
        }
        double a = -0.5;   // Keys
        return x < 1 ? (a + 2) * x * x * x - (a + 3) * x * x + 1 : x < 2 ? a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a : 0;
    }

    /**
     * A plain, non-separable reference of the antialiased resize: output (x, y) of the full {@code rw × rh} resize is
     * Σ f(dx_j)·f(dy_k)·p[k][j] / Σ f(dx_j)·f(dy_k) over every source pixel, dx_j = (j + ½ − (x + ½)·sx) / max(sx, 1).
     */
    private static double reference(int[] argb, int w, int h, int rw, int rh, int x, int y, int c, ImageNetPreprocess.Interpolation mode) {
        double sx = (double) w / rw, sy = (double) h / rh;
        double num = 0, den = 0;
        for (int k = 0; k < h; k++) {
            double fy = filter(mode, (k + 0.5 - (y + 0.5) * sy) / Math.max(sy, 1));
            for (int j = 0; j < w; j++) {
                double f = fy * filter(mode, (j + 0.5 - (x + 0.5) * sx) / Math.max(sx, 1));
                num += f * ((argb[k * w + j] >> (16 - 8 * c)) & 0xff);
                den += f;
            }
        }
        return num / den;
    }

    /** Antialiased bilinear and bicubic, down- and upscaling by awkward factors, with crop windows, against {@link #reference}. */
    @Test
    void antialiasedResizeMatchesPlainReference() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(dev.minnow.tensor.testing.Gen.seed("antialias-resize"));
        int w = 37, h = 23;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = r.nextInt(1 << 24);
        }
        int[][] sizes = {{13, 9}, {7, 5}, {61, 41}, {37, 23}, {20, 30}, {1, 1}};
        for (ImageNetPreprocess.Interpolation mode : new ImageNetPreprocess.Interpolation[] {
            ImageNetPreprocess.Interpolation.BILINEAR, ImageNetPreprocess.Interpolation.BICUBIC}) {
            for (int[] sz : sizes) {
                int rw = sz[0], rh = sz[1];
                int left = rw / 4, top = rh / 3, ow = rw - left - rw / 5, oh = rh - top;
                double[][] got = ImageNetPreprocess.resize(argb, w, h, rw, rh, left, top, ow, oh, mode);
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        for (int c = 0; c < 3; c++) {
                            double want = reference(argb, w, h, rw, rh, x + left, y + top, c, mode);
                            assertEquals(want, got[c][y * ow + x], 1e-9, mode + " " + rw + "x" + rh + " at (" + x + "," + y + ") channel " + c);
                        }
                    }
                }
            }
        }
    }

    /**
     * Hand-computed: halving with the antialiased bilinear filter is the [1, 3, 3, 1]/8 kernel per axis (the triangle
     * stretched to support 2), renormalised at the borders ([3, 3, 1]/7 at the first output).
     */
    @Test
    void halvingIsTheOneThreeThreeOneKernel() {
        int w = 16;
        int[] argb = new int[w];
        argb[6] = 160 << 16;  // one red impulse at x = 6, a single row
        double[][] got = ImageNetPreprocess.resize(argb, w, 1, 8, 1, 0, 0, 8, 1, ImageNetPreprocess.Interpolation.BILINEAR);
        double[] want = new double[8];
        want[2] = 160 * 1 / 8.0;   // output 2 covers source 3..6 with weights 1,3,3,1
        want[3] = 160 * 3 / 8.0;   // output 3 covers source 5..8
        for (int x = 0; x < 8; x++) {
            assertEquals(want[x], got[0][x], 1e-12, "output " + x);
        }
        argb = new int[w];
        argb[0] = 70 << 8;
        got = ImageNetPreprocess.resize(argb, w, 1, 8, 1, 0, 0, 8, 1, ImageNetPreprocess.Interpolation.BILINEAR);
        assertEquals(70 * 3 / 7.0, got[1][0], 1e-12, "first output: source −1 is outside, weights 3,3,1 over 7");
        // without antialiasing the same impulse is either hit at half weight or missed entirely (aliasing)
        double[][] plain = ImageNetPreprocess.resize(new int[] {0, 0, 0, 0, 0, 0, 160 << 16, 0, 0, 0, 0, 0, 0, 0, 0, 0}, w, 1, 8, 1, 0, 0, 8, 1,
                ImageNetPreprocess.Interpolation.BILINEAR_NO_ANTIALIAS);
        assertEquals(80, plain[0][3], 1e-12);
        assertEquals(0, plain[0][2], 1e-12);
    }

    @Test
    void parsesInterpolationNames() {
        assertEquals(ImageNetPreprocess.Interpolation.BICUBIC, ImageNetPreprocess.Interpolation.parse("Bicubic"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ImageNetPreprocess.Interpolation.parse("lanczos"));
    }
}
