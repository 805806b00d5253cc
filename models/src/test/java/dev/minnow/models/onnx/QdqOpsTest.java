package dev.minnow.models.onnx;

import static dev.minnow.models.onnx.OnnxOpsTest.floatTensor;
import static dev.minnow.models.onnx.OnnxOpsTest.intAttr;
import static dev.minnow.models.onnx.OnnxOpsTest.intsAttr;
import static dev.minnow.models.onnx.OnnxOpsTest.model;
import static dev.minnow.models.onnx.OnnxOpsTest.node;
import static dev.minnow.models.onnx.OnnxOpsTest.valueInfo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.models.onnx.OnnxOpsTest.Pb;
import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul on graphs written here, against hand-computed
 * values (round half to even, saturation) and an independent integer reference.
 */
class QdqOpsTest {
    @TempDir
    Path dir;

    /** type 2 = uint8, 3 = int8 (raw_data); 6 = int32 given as int32_data. */
    static Pb byteTensor(String name, int type, int[] v, long... dims) {
        Pb t = new Pb();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, type).str(8, name);
        byte[] raw = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            raw[i] = (byte) v[i];
        }
        return t.bytes(9, raw);
    }

    static Pb int32Tensor(String name, int[] v, long... dims) {
        Pb t = new Pb();
        for (long d : dims) {
            t.i64(1, d);
        }
        t.i64(2, 6).str(8, name);
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            bb.putInt(x);
        }
        return t.bytes(9, bb.array());
    }

    /** uint8 zero point stored the way exporters often do: in int32_data. */
    static Pb uint8InInt32Data(String name, int v) {
        Pb packed = new Pb().varint(v);
        return new Pb().i64(2, 2).str(8, name).bytes(5, packed.toBytes());
    }

    private Map<String, Tensor> run(String file, List<Pb> nodes, List<Pb> inits, List<Pb> inputs, List<Pb> outputs, Map<String, Tensor> in)
            throws IOException {
        Path p = dir.resolve(file);
        Files.write(p, model(13, nodes, inits, inputs, outputs));
        try (OnnxModel m = OnnxModel.open(p)) {
            Map<String, Tensor> out = new OnnxGraph(m).run(in);
            Map<String, Tensor> copy = new java.util.HashMap<>();
            out.forEach((k, t) -> copy.put(k, t.dtype() == DType.F32 ? Buffers.f32(t.toFloatArray(), t.shape()) : t));
            return copy;
        }
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() throws IOException {
        float[] x = {1.25f, 1.75f, -1.25f, 200f, -100f, 0f, 0.24f, -0.26f};
        List<Pb> nodes = List.of(node("QuantizeLinear", List.of("X", "s", "zp"), List.of("q")),
                node("DequantizeLinear", List.of("q", "s", "zp"), List.of("Y")),
                node("QuantizeLinear", List.of("X", "s", "zp8"), List.of("q8")));
        Map<String, Tensor> out = run("qdq.onnx", nodes,
                List.of(floatTensor("s", new float[] {0.5f}), uint8InInt32Data("zp", 10), byteTensor("zp8", 3, new int[] {-3})),
                List.of(valueInfo("X", 8)), List.of(valueInfo("q", 8), valueInfo("Y", 8), valueInfo("q8", 8)),
                Map.of("X", Buffers.f32(x, 8)));
        // x/s = 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 400 -> sat, -200 -> sat, 0, 0.48 -> 0, -0.52 -> -1
        assertEquals(DType.U8, out.get("q").dtype());
        assertArrayEquals(new int[] {12, 14, 8, 255, 0, 10, 10, 9}, Qdq.ints(out.get("q"), "q"));
        assertArrayEquals(new float[] {1f, 2f, -1f, 122.5f, -5f, 0f, 0f, -0.5f}, out.get("Y").toFloatArray());
        assertEquals(DType.I8, out.get("q8").dtype());
        assertArrayEquals(new int[] {-1, 1, -5, 127, -128, -3, -3, -4}, Qdq.ints(out.get("q8"), "q8"));
    }

    @Test
    void perAxisQuantization() throws IOException {
        float[] x = {1, 2, 3, -1, -2, -3};
        List<Pb> nodes = List.of(node("QuantizeLinear", List.of("X", "s", "zp"), List.of("q"), intAttr("axis", 1)),
                node("DequantizeLinear", List.of("q", "s", "zp"), List.of("Y"), intAttr("axis", 1)));
        Map<String, Tensor> out = run("axis.onnx", nodes,
                List.of(floatTensor("s", new float[] {1f, 0.25f}, 2), byteTensor("zp", 3, new int[] {0, 100}, 2)),
                List.of(valueInfo("X", 1, 2, 3)), List.of(valueInfo("q", 1, 2, 3), valueInfo("Y", 1, 2, 3)),
                Map.of("X", Buffers.f32(x, 1, 2, 3)));
        assertArrayEquals(new int[] {1, 2, 3, 96, 92, 88}, Qdq.ints(out.get("q"), "q"));
        assertArrayEquals(new float[] {1, 2, 3, -1, -2, -3}, out.get("Y").toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Qdq.quantize(Buffers.f32(x, 1, 2, 3), Tensor.of(new float[] {1, 1, 1}, 3),
                null, 1));
    }

    @Test
    void qlinearConvAndMatMulMatchAnIntegerReference() throws IOException {
        SplittableRandom r = Gen.random("qlinear");
        int cin = 3, m = 4, h = 7, w = 6, k = 3;
        float[] x = Gen.floats(r, cin * h * w);
        int[] wq = new int[m * cin * k * k], bias = new int[m], bq = new int[5 * 3];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = r.nextInt(-127, 128);
        }
        for (int i = 0; i < m; i++) {
            bias[i] = r.nextInt(-500, 500);
        }
        for (int i = 0; i < bq.length; i++) {
            bq[i] = r.nextInt(256);
        }
        float[] wScale = {0.01f, 0.02f, 0.005f, 0.03f};
        float xs = 1f / 127, ys = 0.05f, as = 0.02f, bs = 0.01f, zs = 0.3f;
        int xzp = 128, yzp = 120, bzp = 7, zzp = 100;
        List<Pb> nodes = List.of(
                node("QuantizeLinear", List.of("X", "xs", "xzp"), List.of("xq")),
                node("QLinearConv", List.of("xq", "xs", "xzp", "W", "ws", "wzp", "ys", "yzp", "B"), List.of("yq"),
                        intsAttr("strides", 2, 1), intsAttr("pads", 1, 0, 1, 1), intsAttr("kernel_shape", 3, 3)),
                node("DequantizeLinear", List.of("yq", "ys", "yzp"), List.of("Y")),
                node("QuantizeLinear", List.of("A", "as", "xzp"), List.of("aq")),
                node("QLinearMatMul", List.of("aq", "as", "xzp", "Bm", "bs", "bzp", "zs", "zzp"), List.of("Z")));
        float[] a = Gen.floats(r, 2 * 5);
        Map<String, Tensor> out = run("qconv.onnx", nodes,
                List.of(floatTensor("xs", new float[] {xs}), byteTensor("xzp", 2, new int[] {xzp}),
                        byteTensor("W", 3, wq, m, cin, k, k), floatTensor("ws", wScale, m), byteTensor("wzp", 3, new int[m], m),
                        floatTensor("ys", new float[] {ys}), byteTensor("yzp", 2, new int[] {yzp}), int32Tensor("B", bias, m),
                        floatTensor("as", new float[] {as}), byteTensor("Bm", 2, bq, 5, 3), floatTensor("bs", new float[] {bs}),
                        byteTensor("bzp", 2, new int[] {bzp}), floatTensor("zs", new float[] {zs}), byteTensor("zzp", 2, new int[] {zzp})),
                List.of(valueInfo("X", 1, cin, h, w), valueInfo("A", 2, 5)), List.of(valueInfo("yq", 1, m, 4, 5), valueInfo("Y", 1, m, 4, 5),
                        valueInfo("Z", 2, 3)),
                Map.of("X", Buffers.f32(x, 1, cin, h, w), "A", Buffers.f32(a, 2, 5)));
        // reference: quantize, integer conv (pads top 1, left 0, bottom 1, right 1; stride 2x1), requantize
        int[] xq = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            xq[i] = (int) Math.max(0, Math.min(255, Math.rint(x[i] / xs) + xzp));
        }
        int ho = (h + 2 - k) / 2 + 1, wo = (w + 1 - k) + 1;
        assertArrayEquals(new long[] {1, m, ho, wo}, out.get("yq").shape());
        int[] got = Qdq.ints(out.get("yq"), "yq");
        int nonTrivial = 0;
        for (int o = 0; o < m; o++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    long acc = bias[o];
                    for (int c = 0; c < cin; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * 2 - 1 + ky, ix = ox - 0 + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    acc += (long) (xq[(c * h + iy) * w + ix] - xzp) * wq[((o * cin + c) * k + ky) * k + kx];
                                }
                            }
                        }
                    }
                    int want = (int) Math.max(0, Math.min(255, Math.rint((float) acc * (xs * wScale[o] / ys)) + yzp));
                    nonTrivial += want != 0 && want != 255 && want != yzp ? 1 : 0;
                    assertEquals(want, got[(o * ho + oy) * wo + ox], "QLinearConv at " + o + "," + oy + "," + ox);
                }
            }
        }
        assertEquals(true, nonTrivial > m * ho * wo / 2, "most outputs neither saturate nor sit at the zero point");
        float[] y = out.get("Y").toFloatArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals((got[i] - yzp) * ys, y[i], 1e-6f);
        }
        int[] z = Qdq.ints(out.get("Z"), "Z");
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                long acc = 0;
                for (int p = 0; p < 5; p++) {
                    int aq = (int) Math.max(0, Math.min(255, Math.rint(a[i * 5 + p] / as) + xzp));
                    acc += (long) (aq - xzp) * (bq[p * 3 + j] - bzp);
                }
                assertEquals((int) Math.max(0, Math.min(255, Math.rint((float) acc * (as * bs / zs)) + zzp)), z[i * 3 + j], "QLinearMatMul " + i + "," + j);
            }
        }
    }
}
