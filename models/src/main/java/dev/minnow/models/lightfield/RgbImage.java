package dev.minnow.models.lightfield;

import java.awt.image.BufferedImage;

/** An RGB image with float channels in [0, 1], planar CHW ({@code data[(c·height + y)·width + x]}). */
public record RgbImage(int height, int width, float[] data) {

    public RgbImage {
        if (data.length != 3L * height * width) {
            throw new IllegalArgumentException("RGB " + height + "x" + width + " needs " + 3L * height * width + " values, got " + data.length);
        }
    }

    public float get(int channel, int y, int x) {
        return data[(channel * height + y) * width + x];
    }

    /** 8-bit sRGB-agnostic conversion: {@code round(clamp(v, 0, 1)·255)}. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = to8(get(0, y, x)), g = to8(get(1, y, x)), b = to8(get(2, y, x));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int to8(float v) {
        return (int) Math.rint(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
