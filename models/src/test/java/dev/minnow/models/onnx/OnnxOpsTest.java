package dev.minnow.models.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.testing.Gen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The glue operators the fixtures do not use (Shape → Gather → Unsqueeze → Concat → Reshape, broadcasting Mul/Div/Sub,
 * Gemm with alpha/beta, ReduceMean, Softmax), on a model written here with a minimal protobuf writer, against plain
 * Java arithmetic.
 */
class OnnxOpsTest {
    @TempDir
    Path dir;

    /** Minimal protobuf writer for the ONNX messages the test needs. */
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

        Pb i64(int field, long v) {
            return varint((long) field << 3).varint(v);
        }

        Pb f32(int field, float v) {
            varint((long) field << 3 | 5);
            int b = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) {
                out.write(b >>> (8 * i));
            }
            return this;
        }

        Pb bytes(int field, byte[] b) {
            varint((long) field << 3 | 2).varint(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Pb str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb msg(int field, Pb m) {
            return bytes(field, m.out.toByteArray());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    static Pb floatTensor(String name, float[] v, long... dims) {
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

    static Pb longTensor(String name, long[] v, long... dims) {
        Pb t = new Pb();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, 7).str(8, name);
        Pb packed = new Pb();
        for (long x : v) {
            packed.varint(x);
        }
        return t.bytes(7, packed.toBytes());
    }

    static Pb node(String op, List<String> in, List<String> out, Pb... attrs) {
        Pb n = new Pb();
        in.forEach(s -> n.str(1, s));
        out.forEach(s -> n.str(2, s));
        n.str(3, op + "_" + out.get(0)).str(4, op);
        for (Pb a : attrs) {
            n.msg(5, a);
        }
        return n;
    }

    static Pb intAttr(String name, long v) {
        return new Pb().str(1, name).i64(3, v).i64(20, 2);
    }

    static Pb floatAttr(String name, float v) {
        return new Pb().str(1, name).f32(2, v).i64(20, 1);
    }

    static Pb intsAttr(String name, long... v) {
        Pb packed = new Pb();
        for (long x : v) {
            packed.varint(x);
        }
        return new Pb().str(1, name).bytes(8, packed.toBytes()).i64(20, 7);
    }

    static Pb tensorAttr(String name, Pb t) {
        return new Pb().str(1, name).msg(5, t).i64(20, 4);
    }

    static Pb valueInfo(String name, long... dims) {
        Pb shape = new Pb();
        for (long d : dims) {
            shape.msg(1, new Pb().i64(1, d));
        }
        Pb tensorType = new Pb().i64(1, 1).msg(2, shape);
        return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType));
    }

    static byte[] model(long opset, List<Pb> nodes, List<Pb> inits, List<Pb> inputs, List<Pb> outputs) {
        Pb g = new Pb();
        nodes.forEach(n -> g.msg(1, n));
        g.str(2, "test");
        inits.forEach(t -> g.msg(5, t));
        inputs.forEach(v -> g.msg(11, v));
        outputs.forEach(v -> g.msg(12, v));
        return new Pb().i64(1, 8).msg(7, g).msg(8, new Pb().str(1, "").i64(2, opset)).toBytes();
    }

    @Test
    void shapeOpsBroadcastingGemmSoftmaxReduceMean() throws IOException {
        SplittableRandom r = Gen.random("onnx-glue");
        float[] scale = Gen.floats(r, 3), row = Gen.floats(r, 60), w = Gen.floats(r, 4 * 60), c = Gen.floats(r, 4);
        List<Pb> nodes = List.of(
                node("Shape", List.of("X"), List.of("s")),
                node("Constant", List.of(), List.of("zero"), tensorAttr("value", longTensor("zero", new long[] {0}))),
                node("Gather", List.of("s", "zero"), List.of("n"), intAttr("axis", 0)),
                node("Constant", List.of(), List.of("axes"), tensorAttr("value", longTensor("axes", new long[] {0}, 1))),
                node("Unsqueeze", List.of("n", "axes"), List.of("n1")),
                node("Constant", List.of(), List.of("m1"), tensorAttr("value", longTensor("m1", new long[] {-1}, 1))),
                node("Concat", List.of("n1", "m1"), List.of("shp"), intAttr("axis", 0)),
                node("Mul", List.of("X", "scale"), List.of("xs")),
                node("Reshape", List.of("xs", "shp"), List.of("flat")),
                node("Constant", List.of(), List.of("two"), tensorAttr("value", floatTensor("two", new float[] {2f}))),
                node("Div", List.of("flat", "two"), List.of("half")),
                node("Sub", List.of("half", "row"), List.of("centred")),
                node("Gemm", List.of("centred", "W", "C"), List.of("z"), intAttr("transB", 1), floatAttr("alpha", 0.5f), floatAttr("beta", 2f)),
                node("Softmax", List.of("z"), List.of("probs")),
                node("ReduceMean", List.of("X"), List.of("mean"), intsAttr("axes", 1, 3), intAttr("keepdims", 0)));
        byte[] bytes = model(13, nodes,
                List.of(floatTensor("scale", scale, 1, 3, 1, 1), floatTensor("row", row, 60), floatTensor("W", w, 4, 60), floatTensor("C", c, 4)),
                List.of(valueInfo("X", 2, 3, 4, 5)), List.of(valueInfo("probs", 2, 4), valueInfo("mean", 2, 4)));
        Path p = dir.resolve("glue.onnx");
        Files.write(p, bytes);
        float[] x = Gen.floats(r, 2 * 3 * 4 * 5);
        try (OnnxModel m = OnnxModel.open(p)) {
            assertEquals(13, m.opset(""));
            Map<String, Tensor> out = new OnnxGraph(m).run(Map.of("X", Buffers.f32(x, 2, 3, 4, 5)));
            Tensor probs = out.get("probs"), mean = out.get("mean");
            assertArrayEquals(new long[] {2, 4}, probs.shape());
            assertArrayEquals(new long[] {2, 4}, mean.shape());
            for (int b = 0; b < 2; b++) {
                double[] z = new double[4];
                double max = Double.NEGATIVE_INFINITY;
                for (int o = 0; o < 4; o++) {
                    double acc = 0;
                    for (int i = 0; i < 60; i++) {
                        double v = x[b * 60 + i] * scale[i / 20] / 2.0 - row[i];
                        acc += v * w[o * 60 + i];
                    }
                    z[o] = 0.5 * acc + 2 * c[o];
                    max = Math.max(max, z[o]);
                }
                double sum = 0;
                for (int o = 0; o < 4; o++) {
                    sum += Math.exp(z[o] - max);
                }
                for (int o = 0; o < 4; o++) {
                    assertEquals(Math.exp(z[o] - max) / sum, probs.getFloat(b, o), 1e-5, "probs " + b + "," + o);
                }
                for (int hgt = 0; hgt < 4; hgt++) {
                    double s = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        for (int wd = 0; wd < 5; wd++) {
                            s += x[((b * 3 + ch) * 4 + hgt) * 5 + wd];
                        }
                    }
                    assertEquals(s / 15, mean.getFloat(b, hgt), 1e-6, "mean " + b + "," + hgt);
                }
            }
        }
    }

    @Test
    void rejectsNewerOpsetAndNonConstantWeights() throws IOException {
        Path p = dir.resolve("opset.onnx");
        Files.write(p, model(17, List.of(node("Relu", List.of("X"), List.of("Y"))), List.of(), List.of(valueInfo("X", 1)),
                List.of(valueInfo("Y", 1))));
        try (OnnxModel m = OnnxModel.open(p)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> new OnnxGraph(m));
            assertTrue(e.getMessage().contains("opset 17"), e.getMessage());
        }
        Path q = dir.resolve("weights.onnx");
        Files.write(q, model(13, List.of(node("Conv", List.of("X", "Wdyn"), List.of("Y"))), List.of(),
                List.of(valueInfo("X", 1, 1, 3, 3), valueInfo("Wdyn", 1, 1, 1, 1)), List.of(valueInfo("Y", 1, 1, 3, 3))));
        try (OnnxModel m = OnnxModel.open(q)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> new OnnxGraph(m));
            assertTrue(e.getMessage().contains("Conv node") && e.getMessage().contains("Wdyn") && e.getMessage().contains("opset 13"),
                    e.getMessage());
        }
    }

    @Test
    void erfIsAccurate() {
        double[][] ref = {{0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
            {2, 0.9953222650189527}, {-1.5, -0.9661051464753108}, {4, 0.9999999845827421}};
        for (double[] p : ref) {
            assertEquals(p[1], OnnxGraph.erf(p[0]), 2e-7, "erf(" + p[0] + ")");
        }
    }

    /**
     * Conv → Mul(y, HardSigmoid(y; 1/6, 1/2)) (hard-swish as exported below opset 14) compiles to one fused step and
     * equals a plain double-precision conv followed by that formula; the same with alpha 0.2 (not hard-swish) stays
     * unfused and still equals its own formula.
     */
    @Test
    void hardSwishPatternFusesIntoTheConv() throws IOException {
        SplittableRandom r = Gen.random("onnx-hardswish-fusion");
        int cin = 3, cout = 5, h = 6, w = 7;
        float[] wt = Gen.floats(r, cout * cin * 9, -1, 1), b = Gen.floats(r, cout), x = Gen.floats(r, cin * h * w, -3, 3);
        for (float alpha : new float[] {1f / 6, 0.2f}) {
            List<Pb> nodes = List.of(
                    node("Conv", List.of("X", "W", "B"), List.of("y"), intsAttr("pads", 1, 1, 1, 1), intsAttr("kernel_shape", 3, 3)),
                    node("HardSigmoid", List.of("y"), List.of("g"), floatAttr("alpha", alpha), floatAttr("beta", 0.5f)),
                    node("Mul", List.of("y", "g"), List.of("Z")));
            Path p = dir.resolve("hswish" + alpha + ".onnx");
            Files.write(p, model(13, nodes, List.of(floatTensor("W", wt, cout, cin, 3, 3), floatTensor("B", b, cout)),
                    List.of(valueInfo("X", 1, cin, h, w)), List.of(valueInfo("Z", 1, cout, h, w))));
            try (OnnxModel m = OnnxModel.open(p)) {
                OnnxGraph g = new OnnxGraph(m);
                assertEquals(alpha == 1f / 6 ? 1 : 3, g.stepCount(), "alpha " + alpha);
                float[] z = g.run(Buffers.f32(x, 1, cin, h, w)).toFloatArray();
                for (int o = 0; o < cout; o++) {
                    for (int yy = 0; yy < h; yy++) {
                        for (int xx = 0; xx < w; xx++) {
                            double acc = conv3x3At(wt, b, x, cin, h, w, o, yy, xx);
                            double want = acc * Math.max(0, Math.min(1, alpha * acc + 0.5));
                            assertEquals(want, z[(o * h + yy) * w + xx], 1e-5 * (1 + Math.abs(want)), "alpha " + alpha + " at " + o + "," + yy + "," + xx);
                        }
                    }
                }
            }
        }
    }
    /**
     * Mul of a feature map by a per-channel gate (squeeze-and-excitation; the gate first, one gate per image) takes the
     * channel-scale path and equals the float product element by element; a gate of another shape ([1, C, 1, W]) takes
     * the general broadcast and equals it too.
     */
    @Test
    void channelGateMulEqualsTheFloatProduct() throws IOException {
        SplittableRandom r = Gen.random("onnx-channel-gate");
        int n = 2, c = 3, h = 4, w = 5;
        float[] x = Gen.floats(r, n * c * h * w, -3, 3);
        for (long[] gs : new long[][] {{n, c, 1, 1}, {1, c, 1, w}}) {
            float[] g = Gen.floats(r, (int) (gs[0] * gs[1] * gs[2] * gs[3]), -2, 2);
            List<Pb> nodes = List.of(node("Mul", List.of("G", "X"), List.of("Z")));
            Path p = dir.resolve("gate" + gs[3] + ".onnx");
            Files.write(p, model(13, nodes, List.of(floatTensor("G", g, gs)), List.of(valueInfo("X", n, c, h, w)),
                    List.of(valueInfo("Z", n, c, h, w))));
            try (OnnxModel m = OnnxModel.open(p)) {
                float[] z = new OnnxGraph(m).run(Buffers.f32(x, n, c, h, w)).toFloatArray();
                for (int b = 0; b < n; b++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < h * w; i++) {
                            int gi = gs[3] == 1 ? b * c + ch : ch * w + i % w;
                            int at = (b * c + ch) * h * w + i;
                            assertEquals(g[gi] * x[at], z[at], "gate " + java.util.Arrays.toString(gs) + " at " + at);
                        }
                    }
                }
            }
        }
    }

    /**
     * MobileNetV3's block, expand → depthwise → squeeze-and-excitation (GlobalAveragePool → Conv → Relu → Conv →
     * HardSigmoid → Mul) → project: the excitation compiles into one step, the layout pass runs it and the two
     * convolutions before it channel-blocked (20 input channels: a partial block), and the output equals a plain
     * double-precision computation, and the same graph with the blocked layout switched off.
     */
    @Test
    void squeezeExcitationFusesAndRunsBlocked() throws IOException {
        SplittableRandom r = Gen.random("onnx-se-blocked");
        int c = 20, e = 64, sq = 16, o = 24, h = 9, w = 9;
        float[] we = Gen.floats(r, e * c, -0.5f, 0.5f), wd = Gen.floats(r, e * 9, -0.5f, 0.5f), w1 = Gen.floats(r, sq * e, -0.5f, 0.5f);
        float[] b1 = Gen.floats(r, sq), w2 = Gen.floats(r, e * sq, -0.5f, 0.5f), b2 = Gen.floats(r, e), wp = Gen.floats(r, o * e, -0.5f, 0.5f);
        float[] x = Gen.floats(r, c * h * w, -2, 2);
        List<Pb> nodes = List.of(
                node("Conv", List.of("X", "We"), List.of("ex"), intsAttr("kernel_shape", 1, 1)),
                node("Relu", List.of("ex"), List.of("exr")),
                node("Conv", List.of("exr", "Wd"), List.of("dw"), intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1), intAttr("group", e)),
                node("Relu", List.of("dw"), List.of("d")),
                node("GlobalAveragePool", List.of("d"), List.of("pooled")),
                node("Conv", List.of("pooled", "W1", "B1"), List.of("f1")),
                node("Relu", List.of("f1"), List.of("f1r")),
                node("Conv", List.of("f1r", "W2", "B2"), List.of("f2")),
                node("HardSigmoid", List.of("f2"), List.of("gate"), floatAttr("alpha", 1f / 6), floatAttr("beta", 0.5f)),
                node("Mul", List.of("d", "gate"), List.of("se")),
                node("Conv", List.of("se", "Wp"), List.of("Z")));
        Path p = dir.resolve("se.onnx");
        Files.write(p, model(13, nodes, List.of(floatTensor("We", we, e, c, 1, 1), floatTensor("Wd", wd, e, 1, 3, 3), floatTensor("W1", w1, sq, e, 1, 1),
                floatTensor("B1", b1, sq), floatTensor("W2", w2, e, sq, 1, 1), floatTensor("B2", b2, e), floatTensor("Wp", wp, o, e, 1, 1)),
                List.of(valueInfo("X", 1, c, h, w)), List.of(valueInfo("Z", 1, o, h, w))));
        double[] ex = new double[e * h * w], d = new double[e * h * w];
        for (int k = 0; k < e; k++) {
            for (int i = 0; i < h * w; i++) {
                double s = 0;
                for (int ch = 0; ch < c; ch++) {
                    s += we[k * c + ch] * x[ch * h * w + i];
                }
                ex[k * h * w + i] = Math.max(0, s);
            }
        }
        double[] mean = new double[e];
        for (int k = 0; k < e; k++) {
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    double s = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = yy + ky - 1, ix = xx + kx - 1;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                s += wd[k * 9 + ky * 3 + kx] * ex[(k * h + iy) * w + ix];
                            }
                        }
                    }
                    d[(k * h + yy) * w + xx] = Math.max(0, s);
                    mean[k] += Math.max(0, s) / (h * w);
                }
            }
        }
        double[] f1 = new double[sq], g = new double[e];
        for (int j = 0; j < sq; j++) {
            f1[j] = b1[j];
            for (int k = 0; k < e; k++) {
                f1[j] += w1[j * e + k] * mean[k];
            }
            f1[j] = Math.max(0, f1[j]);
        }
        for (int k = 0; k < e; k++) {
            g[k] = b2[k];
            for (int j = 0; j < sq; j++) {
                g[k] += w2[k * sq + j] * f1[j];
            }
            g[k] = Math.min(1, Math.max(0, g[k] / 6 + 0.5));
        }
        try (OnnxModel m = OnnxModel.open(p)) {
            OnnxGraph graph = new OnnxGraph(m);
            assertEquals(1, graph.nchwcExcitations(), "the excitation runs blocked");
            assertEquals(2, graph.nchwcChains(), "expand and depthwise write blocked");
            float[] z = graph.run(Buffers.f32(x, 1, c, h, w)).toFloatArray();
            for (int q = 0; q < o; q++) {
                for (int i = 0; i < h * w; i++) {
                    double want = 0, mag = 0;
                    for (int k = 0; k < e; k++) {
                        want += wp[q * e + k] * d[k * h * w + i] * g[k];
                        mag += Math.abs(wp[q * e + k] * d[k * h * w + i] * g[k]);
                    }
                    assertEquals(want, z[q * h * w + i], 1e-5 * (1 + mag), "Z at " + q + "," + i);
                }
            }
            System.setProperty("minnow.cnn.nchwc", "false");
            try {
                float[] plain = graph.run(Buffers.f32(x, 1, c, h, w)).toFloatArray();
                for (int i = 0; i < z.length; i++) {
                    assertEquals(plain[i], z[i], 1e-5f * (1 + Math.abs(plain[i])), "NCHW against blocked at " + i);
                }
            } finally {
                System.clearProperty("minnow.cnn.nchwc");
            }
        }
    }

    /**
     * SqueezeNet's Fire tail: two Conv chains (1×1 and 3×3, ReLU) read by one channel Concat write straight into its
     * output for one image, and take the plain Concat for two; both equal a plain computation here.
     */
    @Test
    void channelConcatOfConvsIsWrittenInPlace() throws IOException {
        SplittableRandom r = Gen.random("onnx-concat-in-place");
        int c = 6, e1 = 5, e3 = 7, h = 6, w = 7;
        float[] w1 = Gen.floats(r, e1 * c, -1, 1), w3 = Gen.floats(r, e3 * c * 9, -1, 1), b1 = Gen.floats(r, e1), b3 = Gen.floats(r, e3);
        List<Pb> nodes = List.of(
                node("Conv", List.of("X", "W1", "B1"), List.of("a"), intsAttr("kernel_shape", 1, 1)),
                node("Relu", List.of("a"), List.of("ar")),
                node("Conv", List.of("X", "W3", "B3"), List.of("b"), intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1)),
                node("Relu", List.of("b"), List.of("br")),
                node("Concat", List.of("ar", "br"), List.of("Z"), intAttr("axis", 1)));
        Path p = dir.resolve("concat.onnx");
        Files.write(p, model(13, nodes, List.of(floatTensor("W1", w1, e1, c, 1, 1), floatTensor("B1", b1, e1), floatTensor("W3", w3, e3, c, 3, 3),
                floatTensor("B3", b3, e3)), List.of(valueInfo("X", -1, c, h, w)), List.of(valueInfo("Z", -1, e1 + e3, h, w))));
        try (OnnxModel m = OnnxModel.open(p)) {
            OnnxGraph graph = new OnnxGraph(m);
            assertEquals(1, graph.concatsInPlace(), "the Concat's chains write into it");
            for (int n : new int[] {1, 2, 1}) {
                float[] x = Gen.floats(r, n * c * h * w, -2, 2);
                float[] z = graph.run(Buffers.f32(x, n, c, h, w)).toFloatArray();
                assertEquals(n * (e1 + e3) * h * w, z.length);
                for (int b = 0; b < n; b++) {
                    for (int o = 0; o < e1 + e3; o++) {
                        for (int yy = 0; yy < h; yy++) {
                            for (int xx = 0; xx < w; xx++) {
                                double s = o < e1 ? b1[o] : b3[o - e1];
                                for (int ch = 0; ch < c; ch++) {
                                    if (o < e1) {
                                        s += w1[o * c + ch] * x[((b * c + ch) * h + yy) * w + xx];
                                        continue;
                                    }
                                    for (int ky = 0; ky < 3; ky++) {
                                        for (int kx = 0; kx < 3; kx++) {
                                            int iy = yy + ky - 1, ix = xx + kx - 1;
                                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                                s += w3[(((o - e1) * c + ch) * 3 + ky) * 3 + kx] * x[((b * c + ch) * h + iy) * w + ix];
                                            }
                                        }
                                    }
                                }
                                int at = ((b * (e1 + e3) + o) * h + yy) * w + xx;
                                assertEquals(Math.max(0, s), z[at], 1e-5 * (1 + Math.abs(s)), "batch " + n + " at " + at);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A dead value's buffer goes back to the pool only when no live value shares its memory: here {@code a}'s last
     * reader is a Reshape whose output {@code v} is a view of it, and a product of the same size is computed before
     * {@code v} is read. Reusing {@code a}'s buffer for it would make the sum {@code c + c}. Runs after the first release
     * dead buffers; all must equal the sum in double precision.
     */
    @Test
    void aBufferSharedWithALiveViewIsNotReused() throws IOException {
        SplittableRandom r = Gen.random("onnx-release-dead");
        int c = 4, h = 5, w = 6;
        float[] w1 = Gen.floats(r, c * c, -1, 1);
        List<Pb> nodes = List.of(
                node("Conv", List.of("X", "W1"), List.of("a"), intsAttr("kernel_shape", 1, 1)),
                node("Reshape", List.of("a", "S"), List.of("v")),
                node("Mul", List.of("X", "X"), List.of("c")),
                node("Add", List.of("v", "c"), List.of("Z")));
        Path p = dir.resolve("release.onnx");
        Files.write(p, model(13, nodes, List.of(floatTensor("W1", w1, c, c, 1, 1), longTensor("S", new long[] {1, c, h, w}, 4)), List.of(valueInfo("X", 1, c, h, w)), List.of(valueInfo("Z", 1, c, h, w))));
        try (OnnxModel m = OnnxModel.open(p)) {
            OnnxGraph graph = new OnnxGraph(m);
            for (int run = 0; run < 3; run++) {
                float[] x = Gen.floats(r, c * h * w, -2, 2);
                float[] z = graph.run(Buffers.f32(x, 1, c, h, w)).toFloatArray();
                for (int o = 0; o < c; o++) {
                    for (int px = 0; px < h * w; px++) {
                        double s = (double) x[o * h * w + px] * x[o * h * w + px];
                        for (int ch = 0; ch < c; ch++) {
                            s += w1[o * c + ch] * x[ch * h * w + px];
                        }
                        assertEquals(s, z[o * h * w + px], 1e-5 * (1 + Math.abs(s)), "run " + run + " at " + (o * h * w + px));
                    }
                }
            }
        }
    }

    /**
     * Conv → Add(shortcut) → Relu (a ResNet block's tail) compiles to one step, the ReLU applied after the add, and equals
     * max(0, conv + shortcut) in double precision; with the Add's output also a graph output the ReLU stays a step of its
     * own and both outputs are right.
     */
    @Test
    void reluAfterTheResidualAddFusesIntoTheConv() throws IOException {
        SplittableRandom r = Gen.random("onnx-conv-add-relu");
        int c = 4, h = 6, w = 5;
        float[] wt = Gen.floats(r, c * c * 9, -1, 1), b = Gen.floats(r, c), x = Gen.floats(r, c * h * w, -2, 2);
        for (boolean sumOut : new boolean[] {false, true}) {
            List<Pb> nodes = List.of(
                    node("Conv", List.of("X", "W", "B"), List.of("y"), intsAttr("pads", 1, 1, 1, 1), intsAttr("kernel_shape", 3, 3)),
                    node("Add", List.of("y", "X"), List.of("s")),
                    node("Relu", List.of("s"), List.of("Z")));
            List<Pb> outs = sumOut ? List.of(valueInfo("Z", 1, c, h, w), valueInfo("s", 1, c, h, w)) : List.of(valueInfo("Z", 1, c, h, w));
            Path p = dir.resolve("addrelu" + sumOut + ".onnx");
            Files.write(p, model(13, nodes, List.of(floatTensor("W", wt, c, c, 3, 3), floatTensor("B", b, c)),
                    List.of(valueInfo("X", 1, c, h, w)), outs));
            try (OnnxModel m = OnnxModel.open(p)) {
                OnnxGraph g = new OnnxGraph(m);
                assertEquals(sumOut ? 2 : 1, g.stepCount(), "sum also an output: " + sumOut);
                Map<String, Tensor> res = g.run(Map.of("X", Buffers.f32(x, 1, c, h, w)));
                float[] z = res.get("Z").toFloatArray(), sum = sumOut ? res.get("s").toFloatArray() : null;
                for (int o = 0; o < c; o++) {
                    for (int yy = 0; yy < h; yy++) {
                        for (int xx = 0; xx < w; xx++) {
                            double acc = conv3x3At(wt, b, x, c, h, w, o, yy, xx);
                            int at = (o * h + yy) * w + xx;
                            double s1 = acc + x[at];
                            assertEquals(Math.max(0, s1), z[at], 1e-5 * (1 + Math.abs(s1)), "relu at " + at);
                            if (sumOut) {
                                assertEquals(s1, sum[at], 1e-5 * (1 + Math.abs(s1)), "sum at " + at);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Output (o, yy, xx) of a 3×3 convolution with padding 1 and bias, in double precision. */
    private static double conv3x3At(float[] wt, float[] b, float[] x, int cin, int h, int w, int o, int yy, int xx) {
        double acc = b[o];
        for (int i = 0; i < cin; i++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int iy = yy + ky - 1, ix = xx + kx - 1;
                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                        acc += (double) wt[((o * cin + i) * 3 + ky) * 3 + kx] * x[(i * h + iy) * w + ix];
                    }
                }
            }
        }
        return acc;
    }
}
