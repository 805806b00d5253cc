package dev.minnow.bench.cnn;

import dev.minnow.models.cnn.CnnDemo;
import dev.minnow.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a random-weight torchvision MobileNetV2 ({@link CnnDemo#randomMobileNetV2}) as an opset-13 ONNX file
 * (Conv, BatchNormalization, Clip(0, 6), Add, GlobalAveragePool, Flatten, Gemm) for {@link OrtCompare}, plus a
 * random 1×3×H×W input.npy. Program: {@code MobileNetV2Onnx <width> <size> <out-dir>}.
 */
public final class MobileNetV2Onnx {
    private MobileNetV2Onnx() {}

    private static final int[] STRIDES = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1};

    static final class Pb {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Pb i64(int field, long v) { return varint((long) field << 3).varint(v); }

        Pb bytes(int field, byte[] b) {
            varint((long) field << 3 | 2).varint(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Pb str(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

        Pb msg(int field, Pb m) { return bytes(field, m.out.toByteArray()); }
    }

    private final List<Pb> nodes = new ArrayList<>();
    private final List<Pb> inits = new ArrayList<>();
    private int counter;

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

    private void init(Map<String, Tensor> sd, String name) {
        Tensor t = sd.get(name);
        inits.add(tensor(name, t.toFloatArray(), t.shape()));
    }

    private static Pb ints(String name, long... v) {
        Pb packed = new Pb();
        for (long x : v) {
            packed.varint(x);
        }
        return new Pb().str(1, name).bytes(8, packed.out.toByteArray()).i64(20, 7);
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

    private String convBnClip(Map<String, Tensor> sd, String x, String conv, String bn, int stride, boolean clip) {
        Tensor w = sd.get(conv + ".weight");
        int k = (int) w.dim(2), groups = (int) (w.dim(1) == 1 && w.dim(0) > 1 ? w.dim(0) : 1);
        init(sd, conv + ".weight");
        String y = node("Conv", List.of(x, conv + ".weight"), ints("strides", stride, stride), ints("pads", k / 2, k / 2, k / 2, k / 2),
                ints("kernel_shape", k, k), new Pb().str(1, "group").i64(3, groups).i64(20, 2));
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            init(sd, bn + "." + s);
        }
        y = node("BatchNormalization", List.of(y, bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var"));
        return clip ? node("Clip", List.of(y, "zero", "six")) : y;
    }

    static byte[] build(Map<String, Tensor> sd, int size) {
        MobileNetV2Onnx b = new MobileNetV2Onnx();
        b.inits.add(tensor("zero", new float[] {0f}));
        b.inits.add(tensor("six", new float[] {6f}));
        String x = b.convBnClip(sd, "input", "features.0.0", "features.0.1", 2, true);
        long c = sd.get("features.0.0.weight").dim(0);
        int i = 1;
        for (; sd.containsKey("features." + i + ".conv.0.0.weight"); i++) {
            String p = "features." + i + ".conv.";
            int s = STRIDES[i - 1];
            String in = x, y = x;
            int next = 0;
            if (sd.containsKey(p + "3.weight")) {
                y = b.convBnClip(sd, y, p + "0.0", p + "0.1", 1, true);
                next = 1;
            }
            y = b.convBnClip(sd, y, p + next + ".0", p + next + ".1", s, true);
            y = b.convBnClip(sd, y, p + (next + 1), p + (next + 2), 1, false);
            long out = sd.get(p + (next + 1) + ".weight").dim(0);
            x = s == 1 && out == c ? b.node("Add", List.of(y, in)) : y;
            c = out;
        }
        x = b.convBnClip(sd, x, "features." + i + ".0", "features." + i + ".1", 1, true);
        x = b.node("GlobalAveragePool", List.of(x));
        x = b.node("Flatten", List.of(x), new Pb().str(1, "axis").i64(3, 1).i64(20, 2));
        b.init(sd, "classifier.1.weight");
        b.init(sd, "classifier.1.bias");
        x = b.node("Gemm", List.of(x, "classifier.1.weight", "classifier.1.bias"), new Pb().str(1, "transB").i64(3, 1).i64(20, 2));
        Pb g = new Pb();
        b.nodes.forEach(n -> g.msg(1, n));
        g.str(2, "mobilenet_v2");
        b.inits.forEach(t -> g.msg(5, t));
        g.msg(11, valueInfo("input", 1, 3, size, size));
        g.msg(12, valueInfo(x, 1, sd.get("classifier.1.weight").dim(0)));
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
        double width = Double.parseDouble(args[0]);
        int size = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), build(CnnDemo.randomMobileNetV2(width, 1000, 42), size));
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        float[] img = new float[3 * size * size];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
        }
        dev.minnow.tensor.io.Npy.write(dir.resolve("input.npy"), dev.minnow.tensor.Tensor.of(img, 1, 3, size, size));
        System.out.println("wrote " + dir.resolve("model.onnx") + " and input.npy");
    }
}
