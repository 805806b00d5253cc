package dev.minnow.models.lightfield;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;

/**
 * Ray generation, point sampling and positional encoding (MobileR2L {@code get_ray_directions('openGL')},
 * {@code get_rays}, {@code PointSampler} without jitter and {@code PositionalEmbedder}, no π factor). All math is
 * double, cast to float at the end, as in the reference.
 *
 * <p>Pixel (row v, column u): {@code d_cam = ((u − W/2 + 0.5)/f, −(v − H/2 + 0.5)/f, −1)}, {@code d = R·d_cam},
 * {@code o = t}; depths {@code z_k = near·(1 − k/(K−1)) + far·k/(K−1)}; points {@code p_k = o + z_k·d}, point channel
 * {@code 3k + a}. Encoded channel {@code (2L+1)·(3k + a) + j}: {@code sin(2^j p)} for j &lt; L, {@code cos(2^(j−L) p)}
 * for L ≤ j &lt; 2L, {@code p} for j = 2L.
 */
public final class Rays {
    private Rays() {}

    /** Sample points, {@code [3K, H, W]}. */
    public static Tensor points(Camera cam) {
        int h = cam.height(), w = cam.width(), k = cam.samples();
        Tensor out = Buffers.f32(3L * k, h, w);
        double[] p = new double[3 * k];
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                pointsAt(cam, v, u, p);
                for (int c = 0; c < 3 * k; c++) {
                    out.setFloat((float) p[c], c, v, u);
                }
            }
        }
        return out;
    }

    /** The network input, {@code [1, 3K(2L+1), H, W]}. */
    public static Tensor encode(Camera cam) {
        return Buffers.f32(encodeArray(cam, false), 1, cam.encodedChannels(), cam.height(), cam.width());
    }

    /** The same encoding pixel-major: {@code [H·W, 3K(2L+1)]}, row-major pixels, channels contiguous. */
    static float[] encodePixelMajor(Camera cam) {
        return encodeArray(cam, true);
    }

    private static float[] encodeArray(Camera cam, boolean pixelMajor) {
        int h = cam.height(), w = cam.width(), k = cam.samples(), l = cam.frequencies();
        int per = 2 * l + 1;
        int plane = h * w;
        int channels = cam.encodedChannels();
        int cs = pixelMajor ? 1 : plane, ps = pixelMajor ? channels : 1; // channel and pixel strides
        float[] enc = new float[channels * plane];
        // rows in parallel: each writes its own pixels of every channel (the same values in any order)
        dev.minnow.kernels.Parallel.forRange(h, 4, (v0, v1) -> {
            double[] p = new double[3 * k];
            for (int v = v0; v < v1; v++) {
                for (int u = 0; u < w; u++) {
                    pointsAt(cam, v, u, p);
                    int px = v * w + u;
                    for (int c = 0; c < 3 * k; c++) {
                        int base = per * c * cs + px * ps;
                        // sin/cos of 2^m·p by the double-angle formulas from one sin/cos, in double: each doubling
                        // about doubles the error, ~2^L double ulps after L steps (1e-11 at L = 16), far below the
                        // float the value is stored as (the fixture's encoding still matches to its 1e-5 bound)
                        double sn = Math.sin(p[c]), cn = Math.cos(p[c]);
                        for (int m = 0; m < l; m++) {
                            enc[base + m * cs] = (float) sn;
                            enc[base + (l + m) * cs] = (float) cn;
                            double s2 = 2 * sn * cn;
                            cn = (cn - sn) * (cn + sn);
                            sn = s2;
                        }
                        enc[base + 2 * l * cs] = (float) p[c];
                    }
                }
            }
        });
        return enc;
    }

    private static void pointsAt(Camera cam, int v, int u, double[] p) {
        double[][] m = cam.c2w();
        double[] dc = {(u - 0.5 * cam.width() + 0.5) / cam.focal(), -(v - 0.5 * cam.height() + 0.5) / cam.focal(), -1.0};
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) {
            d[i] = m[i][0] * dc[0] + m[i][1] * dc[1] + m[i][2] * dc[2];
        }
        int k = cam.samples();
        for (int s = 0; s < k; s++) {
            double t = (double) s / (k - 1);
            double z = cam.near() * (1 - t) + cam.far() * t;
            for (int a = 0; a < 3; a++) {
                p[3 * s + a] = m[a][3] + z * d[a];
            }
        }
    }
}
