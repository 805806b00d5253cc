package dev.minnow.bench.cnn;

import dev.minnow.bench.cnn.MobileNetV2Onnx.Pb;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes random-weight torchvision {@code resnet18}, {@code mnasnet1_0} and {@code mobilenet_v3_small} as opset-13
 * ONNX files for {@link OrtCompare} (MobileNetV2 has its own writer, {@link MobileNetV2Onnx}), with the graph
 * torch.onnx.export produces for them: Conv (no bias) → BatchNormalization → activation, Add for residuals,
 * MaxPool, GlobalAveragePool, Flatten, Gemm; hard-swish as {@code x · HardSigmoid(x; 1/6, 1/2)} (what the exporter
 * writes below opset 14); squeeze-excitation as GlobalAveragePool → Conv+bias → Relu → Conv+bias → HardSigmoid → Mul.
 * Weights: He-normal convolutions, BatchNorm γ ∈ [0.75, 1.25], β, μ ∈ [−0.1, 0.1], σ² ∈ [0.5, 1.5] (so every
 * layer's statistics are exercised), uniform ±1/√in linear layers. Also writes a random N(0, 1) input.npy.
 *
 * <p>Program: {@code CnnOnnx <resnet18|mnasnet1_0|mobilenet_v3_small> <size> <out-dir> [seed]}.
 */
public final class CnnOnnx {
    private final List<Pb> nodes = new ArrayList<>();
    private final List<Pb> inits = new ArrayList<>();
    private final SplittableRandom r;
    private final float eps;
    private int counter;

    private CnnOnnx(long seed, float eps) {
        this.r = new SplittableRandom(seed);
        this.eps = eps;
    }

    private static Pb tensor(String name, float[] v, long... dims) {
        Pb t = new Pb();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, 1).str(8, name);
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return t.bytes(9, bb.array());
    }

    private static Pb ints(String name, long... v) {
        Pb packed = new Pb();
        for (long x : v) {
            packed.varint(x);
        }
        return new Pb().str(1, name).bytes(8, packed.out.toByteArray()).i64(20, 7);
    }

    private static Pb intAttr(String name, long v) {
        return new Pb().str(1, name).i64(3, v).i64(20, 2);
    }

    private static Pb floatAttr(String name, float v) {
        Pb p = new Pb().str(1, name);
        p.varint(2L << 3 | 5);
        int bits = Float.floatToRawIntBits(v);
        for (int i = 0; i < 4; i++) {
            p.out.write(bits >>> (8 * i) & 0xff);
        }
        return p.i64(20, 1);
    }

    private String node(String op, List<String> in, Pb... attrs) {
        String out = op.toLowerCase() + "_" + counter++;
        Pb n = new Pb();
        in.forEach(s -> n.str(1, s));
        n.str(2, out).str(3, out).str(4, op);
        for (Pb a : attrs) {
            n.msg(5, a);
        }
        nodes.add(n);
        return out;
    }

    private String init(String name, float[] v, long... dims) {
        inits.add(tensor(name, v, dims));
        return name;
    }

    private float[] uniform(int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /** Conv (groups = cin = cout when {@code depthwise}), padding k/2, with a bias when {@code bias}. */
    private String conv(String name, String x, int cin, int cout, int k, int stride, boolean depthwise, boolean bias) {
        int inPerGroup = depthwise ? 1 : cin;
        double std = Math.sqrt(2.0 / (inPerGroup * k * k));
        float[] w = new float[cout * inPerGroup * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        List<String> in = new ArrayList<>(List.of(x, init(name + ".weight", w, cout, inPerGroup, k, k)));
        if (bias) {
            in.add(init(name + ".bias", uniform(cout, -0.1, 0.1), cout));
        }
        return node("Conv", in, ints("strides", stride, stride), ints("pads", k / 2, k / 2, k / 2, k / 2),
                ints("kernel_shape", k, k), intAttr("group", depthwise ? cin : 1), ints("dilations", 1, 1));
    }

    private enum Act { NONE, RELU, HSWISH }

    /** conv (no bias) → BatchNormalization → act. */
    private String convBn(String name, String x, int cin, int cout, int k, int stride, boolean depthwise, Act act) {
        String y = conv(name + ".conv", x, cin, cout, k, stride, depthwise, false);
        String bn = name + ".bn";
        y = node("BatchNormalization", List.of(y, init(bn + ".weight", uniform(cout, 0.75, 1.25), cout),
                init(bn + ".bias", uniform(cout, -0.1, 0.1), cout), init(bn + ".running_mean", uniform(cout, -0.1, 0.1), cout),
                init(bn + ".running_var", uniform(cout, 0.5, 1.5), cout)), floatAttr("epsilon", eps));
        return activate(y, act);
    }

    private String activate(String y, Act act) {
        return switch (act) {
            case NONE -> y;
            case RELU -> node("Relu", List.of(y));
            case HSWISH -> node("Mul", List.of(y, hardSigmoid(y)));
        };
    }

    private String hardSigmoid(String x) {
        return node("HardSigmoid", List.of(x), floatAttr("alpha", 1f / 6), floatAttr("beta", 0.5f));
    }

    private String classifier(String name, String x, int in, int out) {
        double b = 1 / Math.sqrt(in);
        return node("Gemm", List.of(x, init(name + ".weight", uniform(out * in, -b, b), out, in), init(name + ".bias", uniform(out, -b, b), out)),
                intAttr("transB", 1));
    }

    private String poolFlatten(String x) {
        return node("Flatten", List.of(node("GlobalAveragePool", List.of(x))), intAttr("axis", 1));
    }

    // ---- architectures ----

    private String resnet18(String x) {
        x = convBn("conv1", x, 3, 64, 7, 2, false, Act.RELU);
        x = node("MaxPool", List.of(x), ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1));
        int c = 64;
        for (int l = 1; l <= 4; l++) {
            int out = 64 << (l - 1);
            for (int b = 0; b < 2; b++) {
                String p = "layer" + l + "." + b;
                int s = l > 1 && b == 0 ? 2 : 1;
                String y = convBn(p + ".1", x, c, out, 3, s, false, Act.RELU);
                y = convBn(p + ".2", y, out, out, 3, 1, false, Act.NONE);
                String shortcut = s != 1 || c != out ? convBn(p + ".downsample", x, c, out, 1, s, false, Act.NONE) : x;
                x = node("Relu", List.of(node("Add", List.of(y, shortcut))));
                c = out;
            }
        }
        return classifier("fc", poolFlatten(x), 512, 1000);
    }

    private String mnasnet10(String x) {
        x = convBn("mnas.0", x, 3, 32, 3, 2, false, Act.RELU);
        x = convBn("mnas.3", x, 32, 32, 3, 1, true, Act.RELU);
        x = convBn("mnas.6", x, 32, 16, 1, 1, false, Act.NONE);
        int[][] stacks = {{24, 3, 2, 3, 3}, {40, 5, 2, 3, 3}, {80, 5, 2, 6, 3}, {96, 3, 1, 6, 2}, {192, 5, 2, 6, 4}, {320, 3, 1, 6, 1}};
        int c = 16;
        for (int s = 0; s < stacks.length; s++) {
            int out = stacks[s][0], k = stacks[s][1], exp = stacks[s][3];
            for (int b = 0; b < stacks[s][4]; b++) {
                int stride = b == 0 ? stacks[s][2] : 1;
                String p = "mnas." + (8 + s) + "." + b;
                String y = convBn(p + ".0", x, c, c * exp, 1, 1, false, Act.RELU);
                y = convBn(p + ".3", y, c * exp, c * exp, k, stride, true, Act.RELU);
                y = convBn(p + ".6", y, c * exp, out, 1, 1, false, Act.NONE);
                x = stride == 1 && out == c ? node("Add", List.of(y, x)) : y;
                c = out;
            }
        }
        x = convBn("mnas.14", x, 320, 1280, 1, 1, false, Act.RELU);
        return classifier("classifier.1", poolFlatten(x), 1280, 1000);
    }

    private String mobilenetV3Small(String x) {
        x = convBn("features.0", x, 3, 16, 3, 2, false, Act.HSWISH);
        // in, kernel, expanded, out, SE, hard-swish, stride (torchvision's table)
        int[][] cfg = {{16, 3, 16, 16, 1, 0, 2}, {16, 3, 72, 24, 0, 0, 2}, {24, 3, 88, 24, 0, 0, 1}, {24, 5, 96, 40, 1, 1, 2},
            {40, 5, 240, 40, 1, 1, 1}, {40, 5, 240, 40, 1, 1, 1}, {40, 5, 120, 48, 1, 1, 1}, {48, 5, 144, 48, 1, 1, 1},
            {48, 5, 288, 96, 1, 1, 2}, {96, 5, 576, 96, 1, 1, 1}, {96, 5, 576, 96, 1, 1, 1}};
        for (int i = 0; i < cfg.length; i++) {
            int[] b = cfg[i];
            Act act = b[5] == 1 ? Act.HSWISH : Act.RELU;
            String p = "features." + (i + 1);
            String y = x;
            if (b[2] != b[0]) {
                y = convBn(p + ".expand", y, b[0], b[2], 1, 1, false, act);
            }
            y = convBn(p + ".dw", y, b[2], b[2], b[1], b[6], true, act);
            if (b[4] == 1) {
                int sq = makeDivisible(b[2] / 4);
                String g = node("GlobalAveragePool", List.of(y));
                g = node("Relu", List.of(conv(p + ".fc1", g, b[2], sq, 1, 1, false, true)));
                g = hardSigmoid(conv(p + ".fc2", g, sq, b[2], 1, 1, false, true));
                y = node("Mul", List.of(y, g));
            }
            y = convBn(p + ".project", y, b[2], b[3], 1, 1, false, Act.NONE);
            x = b[6] == 1 && b[0] == b[3] ? node("Add", List.of(y, x)) : y;
        }
        x = convBn("features.12", x, 96, 576, 1, 1, false, Act.HSWISH);
        x = activate(classifier("classifier.0", poolFlatten(x), 576, 1024), Act.HSWISH);
        return classifier("classifier.3", x, 1024, 1000);
    }

    /** torchvision's _make_divisible(v, 8). */
    private static int makeDivisible(int v) {
        int n = Math.max(8, (v + 4) / 8 * 8);
        return n < 0.9 * v ? n + 8 : n;
    }

    static byte[] build(String arch, int size, long seed) {
        CnnOnnx b = new CnnOnnx(seed, arch.equals("mobilenet_v3_small") ? 1e-3f : 1e-5f); // torchvision's BatchNorm eps
        String y = switch (arch) {
            case "resnet18" -> b.resnet18("input");
            case "mnasnet1_0" -> b.mnasnet10("input");
            case "mobilenet_v3_small" -> b.mobilenetV3Small("input");
            default -> throw new IllegalArgumentException("unknown architecture " + arch + " (resnet18, mnasnet1_0, mobilenet_v3_small)");
        };
        Pb g = new Pb();
        b.nodes.forEach(n -> g.msg(1, n));
        g.str(2, arch);
        b.inits.forEach(t -> g.msg(5, t));
        g.msg(11, valueInfo("input", 1, 3, size, size));
        g.msg(12, valueInfo(y, 1, 1000));
        return new Pb().i64(1, 8).msg(7, g).msg(8, new Pb().str(1, "").i64(2, 13)).out.toByteArray();
    }

    private static Pb valueInfo(String name, long... dims) {
        Pb shape = new Pb();
        for (long d : dims) {
            shape.msg(1, new Pb().i64(1, d));
        }
        return new Pb().str(1, name).msg(2, new Pb().msg(1, new Pb().i64(1, 1).msg(2, shape)));
    }

    public static void main(String[] args) throws IOException {
        String arch = args[0];
        int size = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), build(arch, size, seed));
        SplittableRandom r = new SplittableRandom(7);
        float[] img = new float[3 * size * size];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
        }
        Npy.write(dir.resolve("input.npy"), Tensor.of(img, 1, 3, size, size));
        System.out.println("wrote " + dir.resolve("model.onnx") + " and input.npy");
    }
}
