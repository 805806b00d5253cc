package dev.minnow.models.lightfield;

import dev.minnow.kernels.Parallel;
import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The light-field part of {@code minnow demo}: a random-weight MobileR2L with the reference's state_dict names is
 * written as safetensors, loaded back through {@link LightField#load} and rendered from an orbit camera.
 */
public final class LightFieldDemo {
    private LightFieldDemo() {}

    /** Renders {@code frames} views (azimuth steps of 30°) and prints ms/frame. */
    public static void run(PrintStream out, int frames) {
        Path dir;
        try {
            dir = Files.createTempDirectory("minnow-lf-demo");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = dir.resolve("mobile_r2l.safetensors");
        try {
            SafetensorsWriter.write(file, randomStateDict(32, 4, new int[][] {{16, 4}, {16, 4}, {8, 3}}, 8), Map.of("format", "pt"));
            try (LightField lf = LightField.load(file)) {
                lf.render(Camera.orbit(4, 0, 15, 12, 16, 14, 2, 6, 8, 6)); // warm-up
                long total = 0;
                RgbImage img = null;
                int n = Math.max(1, frames);
                for (int i = 0; i < n; i++) {
                    Camera cam = Camera.orbit(4, 30.0 * i, 15, 12, 16, 14, 2, 6, 8, 6);
                    long t0 = System.nanoTime();
                    img = lf.render(cam);
                    total += System.nanoTime() - t0;
                }
                out.printf("%s (random weights) via safetensors: %dx%d image, %.1f ms/frame (mean of %d, %d threads), %.1f M MACs/frame%n",
                        lf.network(), img.width(), img.height(), total / 1e6 / n, n, Parallel.threads(),
                        lf.network().macsPerRay() * 12 * 16 / 1e6);
            }
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // temp files: best effort
            }
        }
    }

    /**
     * A random MobileR2L state_dict: {@code width} channels, {@code blocks} body blocks, one SR stage per
     * {@code {outChannels, kernel}} pair (kernel 4 → ×2, 3 → ×3), each followed by two ResnetBlocks, then the 1×1
     * RGB conv. 312 input channels (8 samples, 6 octaves).
     */
    public static Map<String, Tensor> randomStateDict(int width, int blocks, int[][] stages, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        conv(sd, r, "head.0", width, 312, 1);
        for (int b = 0; b < blocks; b++) {
            resBlock(sd, r, "body." + b, width);
        }
        int c = width, t = 0;
        for (int[] s : stages) {
            float[] w = gaussian(r, c * s[0] * s[1] * s[1], Math.sqrt(1.0 / (c * s[1] * s[1])));
            sd.put("tail." + t + ".weight", Buffers.f32(w, c, s[0], s[1], s[1]));
            sd.put("tail." + t + ".bias", Buffers.f32(gaussian(r, s[0], 0.05), s[0]));
            c = s[0];
            resBlock(sd, r, "tail." + (t + 1), c);
            resBlock(sd, r, "tail." + (t + 2), c);
            t += 3;
        }
        conv(sd, r, "tail." + t, 3, c, 1);
        return sd;
    }

    private static float[] gaussian(SplittableRandom r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    private static void conv(Map<String, Tensor> sd, SplittableRandom r, String name, int out, int in, int k) {
        sd.put(name + ".weight", Buffers.f32(gaussian(r, out * in * k * k, Math.sqrt(1.0 / (in * k * k))), out, in, k, k));
        sd.put(name + ".bias", Buffers.f32(gaussian(r, out, 0.05), out));
    }

    private static void resBlock(Map<String, Tensor> sd, SplittableRandom r, String p, int c) {
        conv(sd, r, p + ".conv_block.0", c, c, 1);
        bn(sd, r, p + ".conv_block.1", c);
        conv(sd, r, p + ".conv_block.3", c, c, 1);
        bn(sd, r, p + ".conv_block.4", c);
    }

    private static void bn(Map<String, Tensor> sd, SplittableRandom r, String name, int c) {
        float[] g = new float[c], b = new float[c], m = new float[c], v = new float[c];
        for (int i = 0; i < c; i++) {
            g[i] = (float) (0.75 + 0.5 * r.nextDouble());
            b[i] = (float) (0.1 * r.nextGaussian());
            m[i] = (float) (0.1 * r.nextGaussian());
            v[i] = (float) (0.5 + r.nextDouble());
        }
        sd.put(name + ".weight", Buffers.f32(g, c));
        sd.put(name + ".bias", Buffers.f32(b, c));
        sd.put(name + ".running_mean", Buffers.f32(m, c));
        sd.put(name + ".running_var", Buffers.f32(v, c));
        sd.put(name + ".num_batches_tracked", Tensor.allocate(DType.I64));
    }
}
