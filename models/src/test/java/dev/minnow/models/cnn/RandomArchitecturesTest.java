package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.io.SafetensorsWriter;
import dev.minnow.tensor.testing.Gen;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small random-weight ResNets, MNASNet, MobileNetV3 and MobileNetV2 with torchvision's state_dict names, written as
 * safetensors, loaded through {@link CnnModel} and compared with a plain double-precision reference forward pass
 * ({@link Ref}: unfolded BatchNorm, direct convolution) written independently of the loaders.
 */
class RandomArchitecturesTest {
    @TempDir
    Path dir;

    /** A state_dict under construction: names → (shape, values). */
    static final class Sd {
        final Map<String, float[]> values = new LinkedHashMap<>();
        final Map<String, long[]> shapes = new LinkedHashMap<>();
        final SplittableRandom r;

        Sd(SplittableRandom r) {
            this.r = r;
        }

        void put(String name, float[] v, long... shape) {
            values.put(name, v);
            shapes.put(name, shape);
        }

        /** He-like init so activations neither vanish nor explode through 20 layers. */
        void conv(String name, int out, int inPerGroup, int k, boolean bias) {
            double std = Math.sqrt(2.0 / (inPerGroup * k * k));
            float[] w = new float[out * inPerGroup * k * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * std);
            }
            put(name + ".weight", w, out, inPerGroup, k, k);
            if (bias) {
                put(name + ".bias", Gen.floats(r, out, -0.1, 0.1), out);
            }
        }

        void bn(String name, int c) {
            put(name + ".weight", Gen.floats(r, c, 0.75, 1.25), c);
            put(name + ".bias", Gen.floats(r, c, -0.1, 0.1), c);
            put(name + ".running_mean", Gen.floats(r, c, -0.1, 0.1), c);
            put(name + ".running_var", Gen.floats(r, c, 0.5, 1.5), c);
        }

        void linear(String name, int out, int in) {
            put(name + ".weight", Gen.floats(r, out * in, -1 / Math.sqrt(in), 1 / Math.sqrt(in)), out, in);
            put(name + ".bias", Gen.floats(r, out, -0.1, 0.1), out);
        }

        Path write(Path dir, String file) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            values.forEach((k, v) -> m.put(k, Tensor.of(v, shapes.get(k))));
            m.put("bn.num_batches_tracked", Tensor.allocate(dev.minnow.tensor.DType.I64));
            Path p = dir.resolve(file);
            SafetensorsWriter.write(p, m, Map.of("format", "pt"));
            return p;
        }
    }

    /** Reference ops on one image, double precision, [c][h][w] flattened with explicit sizes. */
    static final class Ref {
        final Sd sd;
        double[] x;
        int c, h, w;

        Ref(Sd sd, float[] img, int c, int h, int w) {
            this.sd = sd;
            this.x = new double[img.length];
            for (int i = 0; i < img.length; i++) {
                x[i] = img[i];
            }
            this.c = c;
            this.h = h;
            this.w = w;
        }

        Ref copy() {
            Ref o = new Ref(sd, new float[0], c, h, w);
            o.x = x.clone();
            return o;
        }

        Ref conv(String name, int stride, int groups) {
            float[] wt = sd.values.get(name + ".weight");
            long[] s = sd.shapes.get(name + ".weight");
            float[] b = sd.values.get(name + ".bias");
            int out = (int) s[0], inG = (int) s[1], k = (int) s[2], pad = (k - 1) / 2;
            assertEquals(c, inG * groups, name);
            int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
            double[] y = new double[out * ho * wo];
            int outG = out / groups;
            for (int o = 0; o < out; o++) {
                int g = o / outG;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double acc = b == null ? 0 : b[o];
                        for (int ci = 0; ci < inG; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        acc += wt[((o * inG + ci) * k + ky) * k + kx] * x[((g * inG + ci) * h + iy) * w + ix];
                                    }
                                }
                            }
                        }
                        y[(o * ho + oy) * wo + ox] = acc;
                    }
                }
            }
            x = y;
            c = out;
            h = ho;
            w = wo;
            return this;
        }

        Ref bn(String name) {
            float[] g = sd.values.get(name + ".weight"), b = sd.values.get(name + ".bias");
            float[] m = sd.values.get(name + ".running_mean"), v = sd.values.get(name + ".running_var");
            for (int i = 0; i < x.length; i++) {
                int ch = i / (h * w);
                x[i] = (x[i] - m[ch]) / Math.sqrt(v[ch] + 1e-5) * g[ch] + b[ch];
            }
            return this;
        }

        Ref relu() {
            return map(v -> Math.max(v, 0));
        }

        Ref relu6() {
            return map(v -> Math.min(Math.max(v, 0), 6));
        }

        Ref hardswish() {
            return map(v -> v * Math.min(Math.max(v / 6 + 0.5, 0), 1));
        }

        Ref map(java.util.function.DoubleUnaryOperator f) {
            for (int i = 0; i < x.length; i++) {
                x[i] = f.applyAsDouble(x[i]);
            }
            return this;
        }

        Ref add(Ref o) {
            assertEquals(x.length, o.x.length);
            for (int i = 0; i < x.length; i++) {
                x[i] += o.x[i];
            }
            return this;
        }

        Ref maxPool3s2p1() {
            int ho = (h + 2 - 3) / 2 + 1, wo = (w + 2 - 3) / 2 + 1;
            double[] y = new double[c * ho * wo];
            for (int ch = 0; ch < c; ch++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    m = Math.max(m, x[(ch * h + iy) * w + ix]);
                                }
                            }
                        }
                        y[(ch * ho + oy) * wo + ox] = m;
                    }
                }
            }
            x = y;
            h = ho;
            w = wo;
            return this;
        }

        /** 3×3 stride-2 max pool, no padding, ceil_mode (a last window may hang over the edge). */
        Ref maxPool3s2Ceil() {
            int ho = (int) Math.ceil((h - 3) / 2.0) + 1, wo = (int) Math.ceil((w - 3) / 2.0) + 1;
            if ((ho - 1) * 2 >= h) {
                ho--;
            }
            if ((wo - 1) * 2 >= w) {
                wo--;
            }
            double[] y = new double[c * ho * wo];
            for (int ch = 0; ch < c; ch++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int iy = oy * 2; iy < Math.min(oy * 2 + 3, h); iy++) {
                            for (int ix = ox * 2; ix < Math.min(ox * 2 + 3, w); ix++) {
                                m = Math.max(m, x[(ch * h + iy) * w + ix]);
                            }
                        }
                        y[(ch * ho + oy) * wo + ox] = m;
                    }
                }
            }
            x = y;
            h = ho;
            w = wo;
            return this;
        }

        Ref concat(Ref o) {
            double[] y = new double[x.length + o.x.length];
            System.arraycopy(x, 0, y, 0, x.length);
            System.arraycopy(o.x, 0, y, x.length, o.x.length);
            x = y;
            c += o.c;
            return this;
        }

        double[] mean() {
            double[] m = new double[c];
            for (int i = 0; i < x.length; i++) {
                m[i / (h * w)] += x[i] / (h * w);
            }
            return m;
        }

        /** SE with ReLU and hard-sigmoid (torchvision MobileNetV3). */
        Ref se(String name) {
            double[] s = mean();
            double[] z = linear(name + ".fc1", s, true);
            for (int i = 0; i < z.length; i++) {
                z[i] = Math.max(z[i], 0);
            }
            double[] g = linear(name + ".fc2", z, true);
            for (int i = 0; i < x.length; i++) {
                x[i] *= Math.min(Math.max(g[i / (h * w)] / 6 + 0.5, 0), 1);
            }
            return this;
        }

        double[] linear(String name, double[] in, boolean conv1x1) {
            float[] wt = sd.values.get(name + ".weight"), b = sd.values.get(name + ".bias");
            double[] out = new double[b.length];
            for (int o = 0; o < out.length; o++) {
                out[o] = b[o];
                for (int i = 0; i < in.length; i++) {
                    out[o] += wt[o * in.length + i] * in[i];
                }
            }
            return out;
        }
    }

    private void compare(Path model, String arch, Sd sd, float[] img, int c, int hw, double[] want) {
        try (CnnModel m = CnnModel.load(model, arch)) {
            float[] got = m.forward(Buffers.f32(img, 1, c, hw, hw)).toFloatArray();
            assertEquals(want.length, got.length, arch + " classes");
            double scale = 0, err = 0;
            for (int i = 0; i < got.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                err = Math.max(err, Math.abs(got[i] - want[i]));
            }
            assertTrue(scale > 1e-3, arch + ": degenerate reference logits");
            assertTrue(err <= 1e-4 * scale + 1e-6, arch + ": max abs error " + err + " vs max|logit| " + scale);
        }
    }

    private static void resnetBlock(Sd sd, String p, int in, int planes, boolean bottleneck, boolean downsample) {
        if (bottleneck) {
            sd.conv(p + "conv1", planes, in, 1, false);
            sd.bn(p + "bn1", planes);
            sd.conv(p + "conv2", planes, planes, 3, false);
            sd.bn(p + "bn2", planes);
            sd.conv(p + "conv3", planes * 4, planes, 1, false);
            sd.bn(p + "bn3", planes * 4);
        } else {
            sd.conv(p + "conv1", planes, in, 3, false);
            sd.bn(p + "bn1", planes);
            sd.conv(p + "conv2", planes, planes, 3, false);
            sd.bn(p + "bn2", planes);
        }
        if (downsample) {
            int out = bottleneck ? planes * 4 : planes;
            sd.conv(p + "downsample.0", out, in, 1, false);
            sd.bn(p + "downsample.1", out);
        }
    }

    private static Ref resnetRef(Ref x, boolean bottleneck, int[] blocks) {
        x.conv("conv1", 2, 1).bn("bn1").relu().maxPool3s2p1();
        for (int l = 1; l <= 4; l++) {
            for (int b = 0; b < blocks[l - 1]; b++) {
                String p = "layer" + l + "." + b + ".";
                int stride = l > 1 && b == 0 ? 2 : 1;
                Ref id = x.copy();
                if (x.sd.values.containsKey(p + "downsample.0.weight")) {
                    id.conv(p + "downsample.0", stride, 1).bn(p + "downsample.1");
                }
                if (bottleneck) {
                    x.conv(p + "conv1", 1, 1).bn(p + "bn1").relu().conv(p + "conv2", stride, 1).bn(p + "bn2").relu()
                            .conv(p + "conv3", 1, 1).bn(p + "bn3");
                } else {
                    x.conv(p + "conv1", stride, 1).bn(p + "bn1").relu().conv(p + "conv2", 1, 1).bn(p + "bn2");
                }
                x.add(id).relu();
            }
        }
        return x;
    }

    @Test
    void resnetBasicAndBottleneck() {
        for (boolean bottleneck : new boolean[] {false, true}) {
            SplittableRandom r = Gen.random("resnet-" + bottleneck);
            Sd sd = new Sd(r);
            int[] blocks = {2, 1, 1, 1};
            int[] planes = {4, 6, 8, 8};
            sd.conv("conv1", 8, 3, 7, false);
            sd.bn("bn1", 8);
            int in = 8;
            int exp = bottleneck ? 4 : 1;
            for (int l = 1; l <= 4; l++) {
                for (int b = 0; b < blocks[l - 1]; b++) {
                    boolean ds = b == 0 && (l > 1 || in != planes[l - 1] * exp);
                    resnetBlock(sd, "layer" + l + "." + b + ".", in, planes[l - 1], bottleneck, ds);
                    in = planes[l - 1] * exp;
                }
            }
            sd.linear("fc", 5, in);
            float[] img = Gen.floats(r, 3 * 40 * 40);
            Ref ref = resnetRef(new Ref(sd, img, 3, 40, 40), bottleneck, blocks);
            double[] want = ref.linear("fc", ref.mean(), false);
            compare(sd.write(dir, "resnet" + bottleneck + ".safetensors"), bottleneck ? "resnet50" : "resnet18", sd, img, 3, 40, want);
        }
    }

    @Test
    void mnasnet() {
        SplittableRandom r = Gen.random("mnasnet");
        Sd sd = new Sd(r);
        sd.conv("layers.0", 8, 3, 3, false);
        sd.bn("layers.1", 8);
        sd.conv("layers.3", 8, 1, 3, false);
        sd.bn("layers.4", 8);
        sd.conv("layers.6", 4, 8, 1, false);
        sd.bn("layers.7", 4);
        int[] kernels = {3, 5, 5, 3, 5, 3}, outs = {6, 8, 8, 10, 12, 12}, exps = {3, 3, 6, 6, 6, 6}, repeats = {2, 1, 2, 1, 1, 2};
        int in = 4;
        for (int s = 0; s < 6; s++) {
            for (int b = 0; b < repeats[s]; b++) {
                String p = "layers." + (8 + s) + "." + b + ".layers.";
                int mid = in * exps[s];
                sd.conv(p + "0", mid, in, 1, false);
                sd.bn(p + "1", mid);
                sd.conv(p + "3", mid, 1, kernels[s], false);
                sd.bn(p + "4", mid);
                sd.conv(p + "6", outs[s], mid, 1, false);
                sd.bn(p + "7", outs[s]);
                in = outs[s];
            }
        }
        sd.conv("layers.14", 16, in, 1, false);
        sd.bn("layers.15", 16);
        sd.linear("classifier.1", 5, 16);
        float[] img = Gen.floats(r, 3 * 64 * 64);
        Ref x = new Ref(sd, img, 3, 64, 64);
        x.conv("layers.0", 2, 1).bn("layers.1").relu().conv("layers.3", 1, 8).bn("layers.4").relu().conv("layers.6", 1, 1).bn("layers.7");
        int[] strides = {2, 2, 2, 1, 2, 1};
        for (int s = 0; s < 6; s++) {
            for (int b = 0; b < repeats[s]; b++) {
                String p = "layers." + (8 + s) + "." + b + ".layers.";
                int stride = b == 0 ? strides[s] : 1;
                Ref id = x.copy();
                int inC = x.c;
                x.conv(p + "0", 1, 1).bn(p + "1").relu();
                x.conv(p + "3", stride, x.c).bn(p + "4").relu().conv(p + "6", 1, 1).bn(p + "7");
                if (stride == 1 && inC == x.c) {
                    x.add(id);
                }
            }
        }
        x.conv("layers.14", 1, 1).bn("layers.15").relu();
        compare(sd.write(dir, "mnasnet.safetensors"), "mnasnet1_0", sd, img, 3, 64, x.linear("classifier.1", x.mean(), false));
    }

    @Test
    void mobilenetV3Small() {
        // torchvision's small table, channels shrunk: (kernel, expanded, out, SE)
        mobilenetV3("mobilenet_v3_small", MobileNetV3.SMALL, new int[][] {{3, 8, 8, 1}, {3, 16, 8, 0}, {3, 16, 8, 0}, {5, 24, 12, 1},
            {5, 24, 12, 1}, {5, 24, 12, 1}, {5, 24, 12, 1}, {5, 24, 12, 1}, {5, 32, 16, 1}, {5, 32, 16, 1}, {5, 32, 16, 1}});
    }

    @Test
    void mobilenetV3Large() {
        // torchvision's large table, channels shrunk: (kernel, expanded, out, SE)
        mobilenetV3("mobilenet_v3_large", MobileNetV3.LARGE, new int[][] {{3, 8, 8, 0}, {3, 16, 8, 0}, {3, 16, 8, 0}, {5, 16, 12, 1},
            {5, 24, 12, 1}, {5, 24, 12, 1}, {3, 24, 16, 0}, {3, 24, 16, 0}, {3, 24, 16, 0}, {3, 24, 16, 0}, {3, 32, 20, 1},
            {3, 40, 20, 1}, {5, 40, 24, 1}, {5, 48, 24, 1}, {5, 72, 24, 1}});   // the last block's interior runs channel-blocked
    }

    private void mobilenetV3(String arch, int[][] table, int[][] cfg) {
        SplittableRandom r = Gen.random(arch);
        Sd sd = new Sd(r);
        sd.conv("features.0.0", 8, 3, 3, false);
        sd.bn("features.0.1", 8);
        int in = 8;
        for (int i = 0; i < cfg.length; i++) {
            String p = "features." + (i + 1) + ".block.";
            int k = cfg[i][0], mid = cfg[i][1], out = cfg[i][2];
            int j = 0;
            if (mid != in) {
                sd.conv(p + "0.0", mid, in, 1, false);
                sd.bn(p + "0.1", mid);
                j = 1;
            }
            sd.conv(p + j + ".0", mid, 1, k, false);
            sd.bn(p + j + ".1", mid);
            j++;
            if (cfg[i][3] == 1) {
                sd.conv(p + j + ".fc1", 4, mid, 1, true);
                sd.conv(p + j + ".fc2", mid, 4, 1, true);
                j++;
            }
            sd.conv(p + j + ".0", out, mid, 1, false);
            sd.bn(p + j + ".1", out);
            in = out;
        }
        String last = "features." + (cfg.length + 1);
        sd.conv(last + ".0", 24, in, 1, false);
        sd.bn(last + ".1", 24);
        sd.linear("classifier.0", 20, 24);
        sd.linear("classifier.3", 5, 20);
        float[] img = Gen.floats(r, 3 * 64 * 64);
        Ref x = new Ref(sd, img, 3, 64, 64);
        x.conv("features.0.0", 2, 1).bn("features.0.1").hardswish();
        for (int i = 0; i < cfg.length; i++) {
            String p = "features." + (i + 1) + ".block.";
            int stride = table[i][0];
            boolean hs = table[i][1] == 1;
            Ref id = x.copy();
            int inC = x.c;
            int j = 0;
            if (cfg[i][1] != inC) {
                x.conv(p + "0.0", 1, 1).bn(p + "0.1");
                if (hs) { x.hardswish(); } else { x.relu(); }
                j = 1;
            }
            x.conv(p + j + ".0", stride, x.c).bn(p + j + ".1");
            if (hs) { x.hardswish(); } else { x.relu(); }
            j++;
            if (cfg[i][3] == 1) {
                x.se(p + j);
                j++;
            }
            x.conv(p + j + ".0", 1, 1).bn(p + j + ".1");
            if (stride == 1 && inC == x.c) {
                x.add(id);
            }
        }
        x.conv(last + ".0", 1, 1).bn(last + ".1").hardswish();
        double[] h = x.linear("classifier.0", x.mean(), false);
        for (int i = 0; i < h.length; i++) {
            h[i] = h[i] * Math.min(Math.max(h[i] / 6 + 0.5, 0), 1);
        }
        compare(sd.write(dir, arch + ".safetensors"), arch, sd, img, 3, 64, x.linear("classifier.3", h, false));
    }

    @Test
    void mobilenetV2AnyWidth() {
        SplittableRandom r = Gen.random("mobilenet_v2-width");
        Sd sd = new Sd(r);
        int[] outs = {4, 6, 6, 8, 8, 8, 10, 10, 10, 10, 12, 12, 12, 14, 14, 14, 16};
        sd.conv("features.0.0", 8, 3, 3, false);
        sd.bn("features.0.1", 8);
        int in = 8;
        for (int i = 0; i < 17; i++) {
            String p = "features." + (i + 1) + ".conv.";
            if (i == 0) {
                sd.conv(p + "0.0", in, 1, 3, false);
                sd.bn(p + "0.1", in);
                sd.conv(p + "1", outs[i], in, 1, false);
                sd.bn(p + "2", outs[i]);
            } else {
                int mid = in * 2;
                sd.conv(p + "0.0", mid, in, 1, false);
                sd.bn(p + "0.1", mid);
                sd.conv(p + "1.0", mid, 1, 3, false);
                sd.bn(p + "1.1", mid);
                sd.conv(p + "2", outs[i], mid, 1, false);
                sd.bn(p + "3", outs[i]);
            }
            in = outs[i];
        }
        sd.conv("features.18.0", 20, in, 1, false);
        sd.bn("features.18.1", 20);
        sd.linear("classifier.1", 5, 20);
        float[] img = Gen.floats(r, 3 * 64 * 64);
        Ref x = new Ref(sd, img, 3, 64, 64);
        x.conv("features.0.0", 2, 1).bn("features.0.1").relu6();
        for (int i = 0; i < 17; i++) {
            String p = "features." + (i + 1) + ".conv.";
            int stride = MobileNetV2.BLOCK_STRIDES[i];
            Ref id = x.copy();
            int inC = x.c;
            if (i == 0) {
                x.conv(p + "0.0", stride, x.c).bn(p + "0.1").relu6().conv(p + "1", 1, 1).bn(p + "2");
            } else {
                x.conv(p + "0.0", 1, 1).bn(p + "0.1").relu6().conv(p + "1.0", stride, x.c).bn(p + "1.1").relu6()
                        .conv(p + "2", 1, 1).bn(p + "3");
            }
            if (stride == 1 && inC == x.c) {
                x.add(id);
            }
        }
        x.conv("features.18.0", 1, 1).bn("features.18.1").relu6();
        compare(sd.write(dir, "mnv2.safetensors"), "mobilenet_v2", sd, img, 3, 64, x.linear("classifier.1", x.mean(), false));
    }

    /** squeezenet1_0: 7×7 stride-2 stem without padding, Fire modules, ceil-mode pools at features.2, .6, .11. */
    @Test
    void squeezenet10() {
        SplittableRandom r = Gen.random("squeezenet1_0");
        Sd sd = new Sd(r);
        sd.conv("features.0", 12, 3, 7, true);
        int[][] fires = {{3, 4, 6}, {4, 4, 6}, {5, 4, 8}, {7, 6, 8}, {8, 6, 8}, {9, 6, 10}, {10, 8, 10}, {12, 8, 12}};
        int in = 12;
        for (int[] f : fires) {
            String p = "features." + f[0] + ".";
            sd.conv(p + "squeeze", f[1], in, 1, true);
            sd.conv(p + "expand1x1", f[2], f[1], 1, true);
            sd.conv(p + "expand3x3", f[2], f[1], 3, true);
            in = 2 * f[2];
        }
        sd.conv("classifier.1", 7, in, 1, true);
        float[] img = Gen.floats(r, 3 * 61 * 61);
        Ref x = stemWithoutPadding(sd, img, 61); // Ref.conv pads (k-1)/2; SqueezeNet's stem has no padding
        x.relu().maxPool3s2Ceil();
        for (int[] f : fires) {
            String p = "features." + f[0] + ".";
            x.conv(p + "squeeze", 1, 1).relu();
            Ref e3 = x.copy().conv(p + "expand3x3", 1, 1).relu();
            x.conv(p + "expand1x1", 1, 1).relu().concat(e3);
            if (f[0] == 5 || f[0] == 10) {
                x.maxPool3s2Ceil();
            }
        }
        x.conv("classifier.1", 1, 1).relu();
        compare(sd.write(dir, "squeezenet10.safetensors"), "squeezenet1_0", sd, img, 3, 61, x.mean());
    }

    private static Ref stemWithoutPadding(Sd sd, float[] img, int hw) {
        float[] wt = sd.values.get("features.0.weight"), b = sd.values.get("features.0.bias");
        int out = b.length, ho = (hw - 7) / 2 + 1;
        float[] none = new float[0];
        Ref y = new Ref(sd, none, out, ho, ho);
        y.x = new double[out * ho * ho];
        for (int o = 0; o < out; o++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < ho; ox++) {
                    double acc = b[o];
                    for (int ci = 0; ci < 3; ci++) {
                        for (int ky = 0; ky < 7; ky++) {
                            for (int kx = 0; kx < 7; kx++) {
                                acc += wt[((o * 3 + ci) * 7 + ky) * 7 + kx] * img[(ci * hw + oy * 2 + ky) * hw + ox * 2 + kx];
                            }
                        }
                    }
                    y.x[(o * ho + oy) * ho + ox] = acc;
                }
            }
        }
        return y;
    }

    @Test
    void missingTensorNamesFileArchAndTensor() {
        Sd sd = new Sd(Gen.random("missing"));
        sd.conv("conv1", 8, 3, 7, false);
        sd.bn("bn1", 8);
        Path p = sd.write(dir, "broken.safetensors");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CnnModel.load(p, "resnet18"));
        assertTrue(e.getMessage().contains("broken.safetensors") && e.getMessage().contains("layer1.0.conv1.weight"), e.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> CnnModel.load(p, "vgg16"));
        assertTrue(u.getMessage().contains("vgg16"));
    }
}
