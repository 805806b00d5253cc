package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * torchvision's ImageNet evaluation transform: resize so the shorter side is {@code resize}, centre-crop
 * {@code crop × crop}, scale to [0, 1], then normalise with the ImageNet mean (0.485, 0.456, 0.406) and std
 * (0.229, 0.224, 0.225). Output {@code [1, 3, crop, crop]}.
 *
 * <p>The default resize is what {@code transforms.Resize(256)} does (antialias=True since torchvision 0.17, and
 * always for PIL images): bilinear with antialiasing, i.e. PIL's separable resampling. Per axis with scale
 * {@code s = in/out}, output pixel {@code i} has centre {@code c = (i + ½)·s} and takes the source pixels {@code j}
 * in {@code [⌊c − r + ½⌋, ⌊c + r + ½⌋)} (clipped to the image), {@code r = support·max(s, 1)}, with weights
 * {@code f((j + ½ − c)/max(s, 1))} normalised to sum 1: {@code f} the triangle (support 1) for bilinear, Keys' cubic
 * with a = −½ (support 2) for bicubic. Downscaling therefore averages over the whole footprint instead of sampling
 * two pixels (which aliases); upscaling is plain interpolation. Computed in double, horizontal pass then vertical,
 * with no rounding between the passes (torchvision's tensor path; PIL rounds to 8 bits in between, ≤ 1 level apart).
 * {@link Interpolation#BILINEAR_NO_ANTIALIAS} keeps the older two-tap bilinear (half-pixel centres).
 */
public final class ImageNetPreprocess {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    /** How the resize step samples the image. */
    public enum Interpolation {
        /** PIL/torchvision antialiased bilinear (triangle filter scaled by the downscale factor); the default. */
        BILINEAR,
        /** PIL/torchvision antialiased bicubic (Keys, a = −0.5). */
        BICUBIC,
        /** Two-tap bilinear at half-pixel centres, no antialiasing (torchvision's antialias=False on tensors). */
        BILINEAR_NO_ANTIALIAS;

        /** Parses "bilinear", "bicubic" or "bilinear-no-antialias" (case-insensitive). */
        public static Interpolation parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "bilinear" -> BILINEAR;
                case "bicubic" -> BICUBIC;
                case "bilinear-no-antialias", "nearest-bilinear" -> BILINEAR_NO_ANTIALIAS;
                default -> throw new IllegalArgumentException("unknown interpolation '" + s + "' (bilinear, bicubic, bilinear-no-antialias)");
            };
        }
    }

    private ImageNetPreprocess() {}

    public static Tensor toTensor(BufferedImage img) {
        return toTensor(img, 256, 224);
    }

    public static Tensor toTensor(BufferedImage img, int resize, int crop) {
        return toTensor(img, resize, crop, Interpolation.BILINEAR);
    }

    public static Tensor toTensor(BufferedImage img, int resize, int crop, Interpolation mode) {
        int w = img.getWidth(), h = img.getHeight();
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("empty image");
        }
        if (resize < 1 || crop < 1) {
            throw new IllegalArgumentException("resize and crop must be positive, got " + resize + " and " + crop);
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
        double[][] rgb = resize(argb, w, h, rw, rh, left, top, crop, crop, mode);
        Tensor out = Buffers.f32(1, 3, crop, crop);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    out.setFloat((float) ((rgb[c][y * crop + x] / 255.0 - MEAN[c]) / STD[c]), 0, c, y, x);
                }
            }
        }
        return out;
    }

    /**
     * The window {@code [left, left + ow) × [top, top + oh)} of the {@code w × h} ARGB image resized to {@code rw × rh},
     * as three planes of 0–255 values (R, G, B), row-major {@code oh × ow}, not rounded.
     */
    public static double[][] resize(int[] argb, int w, int h, int rw, int rh, int left, int top, int ow, int oh, Interpolation mode) {
        double[][] out = new double[3][ow * oh];
        if (mode == Interpolation.BILINEAR_NO_ANTIALIAS) {
            double sy = (double) h / rh, sx = (double) w / rw;
            for (int y = 0; y < oh; y++) {
                double fy = Math.max(0, (y + top + 0.5) * sy - 0.5);
                int y0 = Math.min((int) fy, h - 1), y1 = Math.min(y0 + 1, h - 1);
                double wy = fy - y0;
                for (int x = 0; x < ow; x++) {
                    double fx = Math.max(0, (x + left + 0.5) * sx - 0.5);
                    int x0 = Math.min((int) fx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                    double wx = fx - x0;
                    for (int c = 0; c < 3; c++) {
                        int shift = 16 - 8 * c;
                        out[c][y * ow + x] = (1 - wy) * ((1 - wx) * ch(argb[y0 * w + x0], shift) + wx * ch(argb[y0 * w + x1], shift))
                                + wy * ((1 - wx) * ch(argb[y1 * w + x0], shift) + wx * ch(argb[y1 * w + x1], shift));
                    }
                }
            }
            return out;
        }
        Taps tx = taps(w, rw, left, ow, mode), ty = taps(h, rh, top, oh, mode);
        // horizontal pass over the source rows the vertical taps reach
        int rowLo = h, rowHi = 0;
        for (int y = 0; y < oh; y++) {
            rowLo = Math.min(rowLo, ty.start[y]);
            rowHi = Math.max(rowHi, ty.start[y] + ty.count[y]);
        }
        int rows = Math.max(0, rowHi - rowLo);
        double[][] mid = new double[3][rows * ow];
        for (int sy = 0; sy < rows; sy++) {
            int src = (rowLo + sy) * w;
            for (int x = 0; x < ow; x++) {
                double r = 0, g = 0, b = 0;
                for (int t = 0; t < tx.count[x]; t++) {
                    int p = argb[src + tx.start[x] + t];
                    double wt = tx.weight[x][t];
                    r += wt * ((p >> 16) & 0xff);
                    g += wt * ((p >> 8) & 0xff);
                    b += wt * (p & 0xff);
                }
                mid[0][sy * ow + x] = r;
                mid[1][sy * ow + x] = g;
                mid[2][sy * ow + x] = b;
            }
        }
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 0;
                    for (int t = 0; t < ty.count[y]; t++) {
                        v += ty.weight[y][t] * mid[c][(ty.start[y] + t - rowLo) * ow + x];
                    }
                    out[c][y * ow + x] = v;
                }
            }
        }
        return out;
    }

    /** Per output index: first source index, tap count, normalised weights. */
    private record Taps(int[] start, int[] count, double[][] weight) {}

    /** PIL's coefficients for output indices {@code [from, from + n)} of an {@code in → out} resize. */
    private static Taps taps(int in, int out, int from, int n, Interpolation mode) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = (mode == Interpolation.BICUBIC ? 2.0 : 1.0) * filterScale;
        int[] start = new int[n], count = new int[n];
        double[][] weight = new double[n][];
        for (int i = 0; i < n; i++) {
            double center = (from + i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
            int hi = Math.min(in, (int) Math.floor(center + support + 0.5));
            double[] wt = new double[Math.max(0, hi - lo)];
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                double d = (j + 0.5 - center) / filterScale;
                double v = mode == Interpolation.BICUBIC ? cubic(d) : Math.max(0, 1 - Math.abs(d));
                wt[j - lo] = v;
                sum += v;
            }
            if (sum != 0) {
                for (int t = 0; t < wt.length; t++) {
                    wt[t] /= sum;
                }
            }
            start[i] = lo;
            count[i] = wt.length;
            weight[i] = wt;
        }
        return new Taps(start, count, weight);
    }

    /** Keys' cubic convolution kernel with a = −0.5 (PIL's and torchvision's antialiased bicubic). */
    static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    private static int ch(int argb, int shift) {
        return (argb >> shift) & 0xff;
    }
}
