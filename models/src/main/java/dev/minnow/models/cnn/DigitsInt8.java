package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The digits net with integer arithmetic, from {@code model_int8.safetensors} (scheme: fixtures README and
 * {@code meta.json["int8"]}). Weights are per-output-channel symmetric int8, biases int32 at scale
 * {@code s_in·scale_c}, activations per-tensor asymmetric uint8. Each layer accumulates
 * {@code acc = Σ (a_q − zp_in)·w_q + bias_q} in integers (zero padding contributes {@code a_q = zp}, i.e. 0), rescales
 * {@code real = acc·(s_in·scale_c)}, applies its activation and requantizes
 * {@code q = clamp(rint(real/s_out) + zp_out, 0, 255)} (round half to even). The global average pool sums the
 * integers {@code a_q − zp} and requantizes {@code sum·s/(H·W)}. Only the rescales use floating point (double).
 */
public final class DigitsInt8 {
    private record QLayer(String name, int out, int inPerGroup, int k, int stride, int pad, int groups, byte[] w, int[] bias,
                          float[] scale, int act) {}

    private static final int RELU = 1;
    private static final int RELU6 = 2;

    private final QLayer[] convs;
    private final QLayer fc;
    private final float[] actScale;   // input, conv1, conv2, dw, pw, gap, fc
    private final int[] actZero;
    private final int inH;
    private final int inW;

    private DigitsInt8(QLayer[] convs, QLayer fc, float[] actScale, int[] actZero, int inH, int inW) {
        this.convs = convs;
        this.fc = fc;
        this.actScale = actScale;
        this.actZero = actZero;
        this.inH = inH;
        this.inW = inW;
    }

    /** Loads the int8 tensors (copied onto the heap: the whole net is 12 KB). */
    public static DigitsInt8 load(Path path) {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            StateDict sd = new StateDict(f, "digits-int8");
            String[] points = {"input", "conv1", "conv2", "dw", "pw", "gap", "fc"};
            float[] s = new float[points.length];
            int[] z = new int[points.length];
            for (int i = 0; i < points.length; i++) {
                s[i] = scalar(sd, "act." + points[i] + ".scale", DType.F32).getFloat();
                z[i] = (int) scalar(sd, "act." + points[i] + ".zero_point", DType.I32).getFloat();
                if (!(s[i] > 0) || z[i] < 0 || z[i] > 255) {
                    throw sd.error("bad quantization parameters for '" + points[i] + "': scale " + s[i] + ", zero point " + z[i]);
                }
            }
            QLayer c1 = layer(sd, "conv1", 1, 1, 1, RELU);
            QLayer c2 = layer(sd, "conv2", 2, 1, 1, RELU);
            QLayer dw = layer(sd, "dw", 1, 1, -1, RELU6);
            QLayer pw = layer(sd, "pw", 1, 0, 1, RELU);
            QLayer fc = layer(sd, "fc", 1, 0, 1, 0);
            return new DigitsInt8(new QLayer[] {c1, c2, dw, pw}, fc, s, z, 8, 8);
        }
    }

    private static Tensor scalar(StateDict sd, String name, DType dtype) {
        Tensor t = sd.raw(name);
        if (t.dtype() != dtype || t.elementCount() != 1) {
            throw sd.error("tensor '" + name + "' must be a " + dtype + " scalar, got " + t.dtype() + Arrays.toString(t.shape()));
        }
        return t.reshape();
    }

    /** groups -1: depthwise (groups = out channels). */
    private static QLayer layer(StateDict sd, String name, int stride, int pad, int groups, int act) {
        Tensor w = sd.raw(name + ".weight_q");
        if (w.dtype() != DType.I8 || (w.rank() != 4 && w.rank() != 2)) {
            throw sd.error("tensor '" + name + ".weight_q' must be I8 [out, in, k, k] or [out, in], got " + w.dtype() + Arrays.toString(w.shape()));
        }
        int out = (int) w.dim(0), inG = (int) w.dim(1), k = w.rank() == 4 ? (int) w.dim(2) : 1;
        Tensor b = sd.raw(name + ".bias_q");
        Tensor sc = sd.raw(name + ".weight_scale");
        if (b.dtype() != DType.I32 || b.elementCount() != out || sc.dtype() != DType.F32 || sc.elementCount() != out) {
            throw sd.error("'" + name + ".bias_q' (I32) and '" + name + ".weight_scale' (F32) must have " + out + " entries");
        }
        byte[] wq = w.contiguous().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int[] bq = new int[out];
        for (int i = 0; i < out; i++) {
            bq[i] = b.segment().getAtIndex(Tensor.I32_LE, i);
        }
        return new QLayer(name, out, inG, k, stride, pad, groups < 0 ? out : groups, wq, bq, sc.toFloatArray(), act);
    }

    /** Quantized logits (uint8 codes) of one 1×8×8 image with values in [0, 1]. */
    public int[] forwardQuantized(float[] image) {
        if (image.length != inH * inW) {
            throw new IllegalArgumentException("digits int8 expects " + inH * inW + " pixels, got " + image.length);
        }
        int[] a = new int[image.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = requant(image[i], actScale[0], actZero[0]);
        }
        int c = 1, h = inH, w = inW;
        for (int l = 0; l < convs.length; l++) {
            QLayer q = convs[l];
            int ho = (h + 2 * q.pad - q.k) / q.stride + 1, wo = (w + 2 * q.pad - q.k) / q.stride + 1;
            int[] out = new int[q.out * ho * wo];
            int zpIn = actZero[l];
            double sIn = actScale[l];
            int outG = q.out / q.groups;
            for (int o = 0; o < q.out; o++) {
                int g = o / outG;
                double rescale = sIn * q.scale[o];
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        long acc = q.bias[o];
                        for (int ci = 0; ci < q.inPerGroup; ci++) {
                            int ch = g * q.inPerGroup + ci;
                            for (int ky = 0; ky < q.k; ky++) {
                                int iy = oy * q.stride - q.pad + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < q.k; kx++) {
                                    int ix = ox * q.stride - q.pad + kx;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    acc += (long) (a[(ch * h + iy) * w + ix] - zpIn) * q.w[((o * q.inPerGroup + ci) * q.k + ky) * q.k + kx];
                                }
                            }
                        }
                        out[(o * ho + oy) * wo + ox] = requant(activate(acc * rescale, q.act), actScale[l + 1], actZero[l + 1]);
                    }
                }
            }
            a = out;
            c = q.out;
            h = ho;
            w = wo;
        }
        // global average pool: integer sum, one rescale
        int gapIdx = convs.length + 1;
        int[] pooled = new int[c];
        for (int ch = 0; ch < c; ch++) {
            long sum = 0;
            for (int i = 0; i < h * w; i++) {
                sum += a[ch * h * w + i] - actZero[convs.length];
            }
            pooled[ch] = requant(sum * (double) actScale[convs.length] / (h * w), actScale[gapIdx], actZero[gapIdx]);
        }
        int[] logits = new int[fc.out];
        for (int o = 0; o < fc.out; o++) {
            long acc = fc.bias[o];
            for (int i = 0; i < c; i++) {
                acc += (long) (pooled[i] - actZero[gapIdx]) * fc.w[o * c + i];
            }
            logits[o] = requant(acc * ((double) actScale[gapIdx] * fc.scale[o]), actScale[gapIdx + 1], actZero[gapIdx + 1]);
        }
        return logits;
    }

    /** Dequantized logits {@code (q − zp)·s} for a batch [N, 1, 8, 8]. */
    public Tensor forward(Tensor images) {
        if (images.rank() != 4 || images.dim(1) != 1 || images.dim(2) != inH || images.dim(3) != inW) {
            throw new IllegalArgumentException("digits int8 expects [N, 1, 8, 8], got " + Arrays.toString(images.shape()));
        }
        int n = (int) images.dim(0);
        float[] all = images.toFloatArray();
        Tensor y = Buffers.f32(n, fc.out);
        int last = actScale.length - 1;
        for (int b = 0; b < n; b++) {
            int[] q = forwardQuantized(Arrays.copyOfRange(all, b * inH * inW, (b + 1) * inH * inW));
            for (int o = 0; o < q.length; o++) {
                y.setFloat((q[o] - actZero[last]) * actScale[last], b, o);
            }
        }
        return y;
    }

    private static double activate(double v, int act) {
        return switch (act) {
            case RELU -> Math.max(v, 0);
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            default -> v;
        };
    }

    private static int requant(double real, float scale, int zp) {
        double q = Math.rint(real / scale) + zp;
        return (int) Math.min(255, Math.max(0, q));
    }
}
