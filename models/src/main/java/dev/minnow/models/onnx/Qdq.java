package dev.minnow.models.onnx;

import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * ONNX's quantization operators on plain integer arithmetic: {@code QuantizeLinear}, {@code DequantizeLinear}
 * (per-tensor or per-axis, uint8/int8, DequantizeLinear also int32), {@code QLinearConv} and
 * {@code QLinearMatMul}. Rounding is half to even and results saturate to the output type, as the specification
 * says. Where the specification leaves the float arithmetic open, this follows ONNX Runtime: the division
 * {@code x / scale} and the requantization multiplier {@code (a_scale·b_scale) / y_scale} are computed in float32,
 * and {@code y = saturate(rint(acc · multiplier) + y_zero_point)}.
 */
final class Qdq {
    private Qdq() {}

    // ---- integer tensor access ----

    static int[] ints(Tensor t, String what) {
        Tensor c = t.contiguous();
        MemorySegment s = c.segment();
        int n = Math.toIntExact(c.elementCount());
        int[] r = new int[n];
        switch (c.dtype()) {
            case U8 -> { for (int i = 0; i < n; i++) { r[i] = s.get(ValueLayout.JAVA_BYTE, i) & 0xff; } }
            case I8 -> { for (int i = 0; i < n; i++) { r[i] = s.get(ValueLayout.JAVA_BYTE, i); } }
            case I32 -> { for (int i = 0; i < n; i++) { r[i] = s.getAtIndex(Tensor.I32_LE, i); } }
            default -> throw new IllegalArgumentException(what + " must be uint8, int8 or int32, got " + c.dtype());
        }
        return r;
    }

    static Tensor integers(DType dt, int[] v, long... shape) {
        Tensor t = Tensor.allocate(dt, shape);
        MemorySegment s = t.segment();
        for (int i = 0; i < v.length; i++) {
            if (dt == DType.I32) {
                s.setAtIndex(Tensor.I32_LE, i, v[i]);
            } else {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) v[i]);
            }
        }
        return t;
    }

    static int lo(DType dt) { return dt == DType.U8 ? 0 : -128; }

    static int hi(DType dt) { return dt == DType.U8 ? 255 : 127; }

    private static float[] scales(Tensor scale, String what) {
        if (scale.dtype() != DType.F32) {
            throw new IllegalArgumentException(what + " must be float32, got " + scale.dtype());
        }
        return scale.toFloatArray();
    }

    /** (scale, zero point) broadcast along {@code axis} of {@code shape}: the channel of flat index i is (i / inner) % dims[axis]. */
    private record Params(float[] scale, int[] zp, long inner, int channels) {
        int channel(long i) { return channels == 1 ? 0 : (int) ((i / inner) % channels); }
    }

    private static Params params(Tensor scale, Tensor zp, long[] shape, long axisAttr, String op) {
        float[] s = scales(scale, op + " scale");
        int[] z = zp == null ? new int[s.length] : ints(zp, op + " zero point");
        if (z.length != s.length) {
            throw new IllegalArgumentException(op + ": scale has " + s.length + " values but the zero point " + z.length);
        }
        if (s.length == 1 && scale.rank() <= 1) {
            return new Params(s, z, 1, 1);
        }
        if (scale.rank() != 1) {
            throw new IllegalArgumentException(op + ": scale must be a scalar or 1-D, got " + Arrays.toString(scale.shape()));
        }
        int axis = (int) (axisAttr < 0 ? axisAttr + shape.length : axisAttr);
        if (axis < 0 || axis >= shape.length || shape[axis] != s.length) {
            throw new IllegalArgumentException(op + ": " + s.length + " scales do not match axis " + axisAttr + " of " + Arrays.toString(shape));
        }
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return new Params(s, z, inner, s.length);
    }

    /** {@code y = saturate(rint(x / scale) + zero_point)}; the output type is the zero point's (uint8 by default). */
    static Tensor quantize(Tensor x, Tensor scale, Tensor zp, long axis) {
        DType dt = zp == null ? DType.U8 : zp.dtype();
        if (dt != DType.U8 && dt != DType.I8) {
            throw new IllegalArgumentException("QuantizeLinear supports uint8 and int8 outputs, got " + dt);
        }
        Params p = params(scale, zp, x.shape(), axis, "QuantizeLinear");
        float[] v = Buffers.asF32(x.contiguous()).toFloatArray();
        int[] q = new int[v.length];
        int lo = lo(dt), hi = hi(dt);
        for (int i = 0; i < v.length; i++) {
            int c = p.channel(i);
            double r = Math.rint(v[i] / p.scale[c]) + p.zp[c];
            q[i] = (int) Math.max(lo, Math.min(hi, r));   // NaN -> lo via Math.max(lo, NaN)? handled below
            if (r != r) {
                q[i] = p.zp[c];
            }
        }
        return integers(dt, q, x.shape());
    }

    /** {@code y = (x − zero_point) · scale} in float32. */
    static Tensor dequantize(Tensor x, Tensor scale, Tensor zp, long axis) {
        int[] q = ints(x, "DequantizeLinear input");
        if (x.dtype() == DType.I32 && zp != null && Arrays.stream(ints(zp, "zero point")).anyMatch(z -> z != 0)) {
            throw new IllegalArgumentException("DequantizeLinear: an int32 input needs a zero point of 0");
        }
        if (zp != null && zp.dtype() != x.dtype()) {
            throw new IllegalArgumentException("DequantizeLinear: zero point " + zp.dtype() + " does not match input " + x.dtype());
        }
        Params p = params(scale, zp, x.shape(), axis, "DequantizeLinear");
        float[] y = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            int c = p.channel(i);
            y[i] = (float) (q[i] - p.zp[c]) * p.scale[c];
        }
        return Buffers.f32(y, x.shape());
    }

    private static int requantize(long acc, float multiplier, int zp, DType dt) {
        double r = Math.rint((float) acc * multiplier) + zp;
        return (int) Math.max(lo(dt), Math.min(hi(dt), r));
    }

    private static int scalarZp(Tensor zp, String what) {
        if (zp == null) {
            return 0;
        }
        int[] z = ints(zp, what);
        if (z.length != 1) {
            throw new IllegalArgumentException(what + " must be a scalar, got " + Arrays.toString(zp.shape()));
        }
        return z[0];
    }

    private static float scalarScale(Tensor s, String what) {
        float[] v = scales(s, what);
        if (v.length != 1) {
            throw new IllegalArgumentException(what + " must be a scalar, got " + Arrays.toString(s.shape()));
        }
        return v[0];
    }

    /**
     * QLinearConv (2-D): {@code acc = Σ (x − x_zp)·(w − w_zp[m]) + B[m]} in integers, then
     * {@code y = saturate(rint(acc · (x_scale·w_scale[m] / y_scale)) + y_zp)}.
     */
    static Tensor qlinearConv(Tensor x, Tensor xs, Tensor xzp, Tensor w, Tensor ws, Tensor wzp, Tensor ys, Tensor yzp, Tensor b,
                              int[] strides, int[] pads, int[] dilations, int group) {
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("QLinearConv supports 2-D convolutions, got x " + Arrays.toString(x.shape())
                    + " w " + Arrays.toString(w.shape()));
        }
        DType outType = yzp == null ? DType.U8 : yzp.dtype();
        int n = (int) x.dim(0), cin = (int) x.dim(1), h = (int) x.dim(2), wd = (int) x.dim(3);
        int m = (int) w.dim(0), inG = (int) w.dim(1), kh = (int) w.dim(2), kw = (int) w.dim(3);
        if (group < 1 || cin != inG * group || m % group != 0) {
            throw new IllegalArgumentException("QLinearConv: " + cin + " input channels, weight " + Arrays.toString(w.shape()) + ", group " + group);
        }
        int[] xq = ints(x, "QLinearConv x"), wq = ints(w, "QLinearConv w");
        int xz = scalarZp(xzp, "x_zero_point");
        float xsc = scalarScale(xs, "x_scale"), ysc = scalarScale(ys, "y_scale");
        int yz = scalarZp(yzp, "y_zero_point");
        float[] wsc = scales(ws, "w_scale");
        int[] wz = wzp == null ? new int[wsc.length] : ints(wzp, "w_zero_point");
        if ((wsc.length != 1 && wsc.length != m) || (wz.length != 1 && wz.length != m)) {
            throw new IllegalArgumentException("QLinearConv: w_scale/w_zero_point must be scalars or have " + m + " entries");
        }
        int[] bias = b == null ? new int[m] : ints(b, "QLinearConv B");
        if (bias.length != m || (b != null && b.dtype() != DType.I32)) {
            throw new IllegalArgumentException("QLinearConv: B must be int32 [" + m + "]");
        }
        int ho = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) / strides[0] + 1;
        int wo = (wd + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) / strides[1] + 1;
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException("QLinearConv: kernel does not fit " + Arrays.toString(x.shape()));
        }
        int outG = m / group;
        int[] y = new int[n * m * ho * wo];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < m; o++) {
                int g = o / outG, wzo = wz[wz.length == 1 ? 0 : o];
                float mult = xsc * wsc[wsc.length == 1 ? 0 : o] / ysc;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        long acc = bias[o];
                        for (int ci = 0; ci < inG; ci++) {
                            int c = g * inG + ci;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * strides[0] - pads[0] + ky * dilations[0];
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * strides[1] - pads[1] + kx * dilations[1];
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    acc += (long) (xq[((bi * cin + c) * h + iy) * wd + ix] - xz)
                                            * (wq[((o * inG + ci) * kh + ky) * kw + kx] - wzo);
                                }
                            }
                        }
                        y[((bi * m + o) * ho + oy) * wo + ox] = requantize(acc, mult, yz, outType);
                    }
                }
            }
        }
        return integers(outType, y, n, m, ho, wo);
    }

    /** QLinearMatMul: a [..., M, K] times b [K, N]; b_scale/b_zero_point scalar or per column [N]. */
    static Tensor qlinearMatMul(Tensor a, Tensor as, Tensor azp, Tensor b, Tensor bs, Tensor bzp, Tensor ys, Tensor yzp) {
        if (a.rank() < 2 || b.rank() != 2 || a.dim(a.rank() - 1) != b.dim(0)) {
            throw new IllegalArgumentException("QLinearMatMul: a " + Arrays.toString(a.shape()) + " and b " + Arrays.toString(b.shape())
                    + " do not fit (b must be 2-D)");
        }
        DType outType = yzp == null ? DType.U8 : yzp.dtype();
        int k = (int) b.dim(0), nn = (int) b.dim(1);
        int rows = (int) (a.elementCount() / k);
        int[] aq = ints(a, "QLinearMatMul a"), bq = ints(b, "QLinearMatMul b");
        int az = scalarZp(azp, "a_zero_point"), yz = scalarZp(yzp, "y_zero_point");
        float asc = scalarScale(as, "a_scale"), ysc = scalarScale(ys, "y_scale");
        float[] bsc = scales(bs, "b_scale");
        int[] bz = bzp == null ? new int[bsc.length] : ints(bzp, "b_zero_point");
        if ((bsc.length != 1 && bsc.length != nn) || (bz.length != 1 && bz.length != nn)) {
            throw new IllegalArgumentException("QLinearMatMul: b_scale/b_zero_point must be scalars or have " + nn + " entries");
        }
        int[] y = new int[rows * nn];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < nn; j++) {
                int bzj = bz[bz.length == 1 ? 0 : j];
                long acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (long) (aq[i * k + p] - az) * (bq[p * nn + j] - bzj);
                }
                y[i * nn + j] = requantize(acc, asc * bsc[bsc.length == 1 ? 0 : j] / ysc, yz, outType);
            }
        }
        long[] shape = a.shape().clone();
        shape[shape.length - 1] = nn;
        return integers(outType, y, shape);
    }
}
