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
     * a 1024x512 image halves, so output column j samples source x = 2·(j + 144) + 0.5 bilinearly.
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
        Tensor s = ImageNetPreprocess.toTensor(big, 256, 224);
        for (int j : new int[] {0, 57, 223}) {
            double fx = (j + 144 + 0.5) * 2 - 0.5;
            int x0 = (int) fx;
            double wx = fx - x0;
            double v = (1 - wx) * (x0 / 4) + wx * ((x0 + 1) / 4);
            double want = (v / 255.0 - ImageNetPreprocess.MEAN[1]) / ImageNetPreprocess.STD[1];
            assertEquals(want, s.getFloat(0, 1, 10, j), 1e-5, "downscaled column " + j);
        }
    }
}
