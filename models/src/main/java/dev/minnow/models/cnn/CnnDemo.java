package dev.minnow.models.cnn;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import dev.minnow.nn.Buffers;
import dev.minnow.nn.Ops;
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
 * The CNN part of {@code minnow demo}: writes a random-weight torchvision-named MobileNetV2 as safetensors to a
 * temporary directory, loads it back through {@link CnnModel} (the real loader, BN folding included), classifies
 * a random 224×224 image and prints ms/frame and the top-5.
 */
public final class CnnDemo {
    private CnnDemo() {}

    /** Runs the demo with {@code width} multiplier (e.g. 0.5) and {@code frames} timed runs. */
    public static void run(PrintStream out, double width, int frames) {
        Path dir;
        try {
            dir = Files.createTempDirectory("minnow-cnn-demo");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = dir.resolve("mobilenet_v2.safetensors");
        try {
            Map<String, Tensor> sd = randomMobileNetV2(width, 1000, 42);
            SafetensorsWriter.write(file, sd, Map.of("format", "pt"));
            SplittableRandom r = new SplittableRandom(7);
            float[] img = new float[3 * 224 * 224];
            for (int i = 0; i < img.length; i++) {
                img[i] = (float) r.nextGaussian();
            }
            Tensor x = Buffers.f32(img, 1, 3, 224, 224);
            try (CnnModel m = CnnModel.load(file, "mobilenet_v2")) {
                Tensor logits = m.forward(x); // warm-up
                long best = Long.MAX_VALUE;
                for (int i = 0; i < Math.max(1, frames); i++) {
                    long t0 = System.nanoTime();
                    logits = m.forward(x);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                Tensor p = Ops.softmax(logits);
                int[] top = new int[5];
                KernelProvider.get().topK(p.segment(), 0, 1000, 5, top);
                out.printf("mobilenet_v2 x%.2f (random weights, %d tensors, %.1f MB) via safetensors: %.1f ms/frame (best of %d, %d threads)%n",
                        width, sd.size(), Files.size(file) / 1e6, best / 1e6, Math.max(1, frames), Parallel.threads());
                StringBuilder sb = new StringBuilder("top-5:");
                for (int t : top) {
                    sb.append(String.format(" %d (%.4f)", t, p.getFloat(0, t)));
                }
                out.println(sb);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // temp files: best effort
            }
        }
    }

    /** torchvision's {@code _make_divisible(v, 8)}. */
    static int makeDivisible(double v, int divisor) {
        int n = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (n < 0.9 * v) {
            n += divisor;
        }
        return n;
    }

    /** A random-weight {@code mobilenet_v2(width_mult)} state_dict with torchvision's names and shapes. */
    public static Map<String, Tensor> randomMobileNetV2(double width, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        int in = makeDivisible(32 * width, 8);
        int last = makeDivisible(1280 * Math.max(1.0, width), 8);
        conv(sd, r, "features.0.0", in, 3, 3);
        bn(sd, r, "features.0.1", in);
        int idx = 1;
        for (int[] s : settings) {
            int out = makeDivisible(s[1] * width, 8);
            for (int i = 0; i < s[2]; i++) {
                String p = "features." + idx + ".conv.";
                int hidden = in * s[0];
                int j = 0;
                if (s[0] != 1) {
                    conv(sd, r, p + "0.0", hidden, in, 1);
                    bn(sd, r, p + "0.1", hidden);
                    j = 1;
                }
                conv(sd, r, p + j + ".0", hidden, 1, 3);
                bn(sd, r, p + j + ".1", hidden);
                conv(sd, r, p + (j + 1), out, hidden, 1);
                bn(sd, r, p + (j + 2), out);
                in = out;
                idx++;
            }
        }
        conv(sd, r, "features." + idx + ".0", last, in, 1);
        bn(sd, r, "features." + idx + ".1", last);
        float[] w = new float[classes * last];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.01);
        }
        sd.put("classifier.1.weight", Buffers.f32(w, classes, last));
        sd.put("classifier.1.bias", Buffers.f32(classes));
        return sd;
    }

    private static void conv(Map<String, Tensor> sd, SplittableRandom r, String name, int out, int inPerGroup, int k) {
        double std = Math.sqrt(2.0 / (out * k * k)); // kaiming_normal_(mode="fan_out"), torchvision's init
        float[] w = new float[out * inPerGroup * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        sd.put(name + ".weight", Buffers.f32(w, out, inPerGroup, k, k));
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
