package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * torchvision's ImageNet evaluation transform: resize so the shorter side is {@code resize} (bilinear,
 * half-pixel centres, no antialiasing), centre-crop {@code crop × crop}, scale to [0, 1], then normalise with the
 * ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). Output {@code [1, 3, crop, crop]}.
 */
public final class ImageNetPreprocess {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImageNetPreprocess() {}

    public static Tensor toTensor(BufferedImage img) {
        return toTensor(img, 256, 224);
    }

    public static Tensor toTensor(BufferedImage img, int resize, int crop) {
        int w = img.getWidth(), h = img.getHeight();
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("empty image");
        }
        // shorter side → resize, the other scaled to keep the aspect ratio (torchvision truncates)
        int rw, rh;
        if (w <= h) {
            rw = resize;
            rh = (int) ((long) resize * h / w);
        } else {
            rh = resize;
            rw = (int) ((long) resize * w / h);
        }
        if (rw < crop || rh < crop) {
            throw new IllegalArgumentException("resized image " + rw + "x" + rh + " is smaller than the crop " + crop);
        }
        int top = (int) Math.round((rh - crop) / 2.0), left = (int) Math.round((rw - crop) / 2.0);
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        Tensor out = Buffers.f32(1, 3, crop, crop);
        double sy = (double) h / rh, sx = (double) w / rw;
        for (int y = 0; y < crop; y++) {
            double fy = Math.max(0, (y + top + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double wy = fy - y0;
            for (int x = 0; x < crop; x++) {
                double fx = Math.max(0, (x + left + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                double wx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c;
                    double v = (1 - wy) * ((1 - wx) * ch(argb[y0 * w + x0], shift) + wx * ch(argb[y0 * w + x1], shift))
                            + wy * ((1 - wx) * ch(argb[y1 * w + x0], shift) + wx * ch(argb[y1 * w + x1], shift));
                    out.setFloat((float) ((v / 255.0 - MEAN[c]) / STD[c]), 0, c, y, x);
                }
            }
        }
        return out;
    }

    private static int ch(int argb, int shift) {
        return (argb >> shift) & 0xff;
    }
}
