package dev.minnow.models.onnx;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.nn.Buffers;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The ONNX glue operators: numpy-broadcasting arithmetic, concat on any axis, mean reduction, and the small
 * shape-tensor operators (Shape, Gather, Unsqueeze, Squeeze, Reshape, Cast). F32 data or I64 shape tensors.
 */
final class Elementwise {
    private Elementwise() {}

    static long[] broadcastShape(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = Math.max(da, db) == 0 ? 0 : Math.max(da, db);
        }
        return out;
    }

    /** Strides of {@code shape} aligned to rank {@code r}, 0 along broadcast dims. */
    private static long[] broadcastStrides(long[] shape, int r) {
        long[] s = new long[r];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[r - shape.length + i] = shape[i] == 1 ? 0 : acc;
            acc *= shape[i];
        }
        return s;
    }

    static Tensor binary(char op, Tensor a, Tensor b) {
        if (a.dtype() == DType.I64 || b.dtype() == DType.I64) {
            return intBinary(op, a, b);
        }
        long[] shape = broadcastShape(a.shape(), b.shape());
        int n = Math.toIntExact(Shapes.elementCount(shape));
        Tensor y = Buffers.f32(shape);
        if (Arrays.equals(a.shape(), b.shape()) && (op == 'A' || op == 'M')) {
            var k = KernelProvider.get();
            Tensor af = Buffers.asF32(a.contiguous()), bf = Buffers.asF32(b.contiguous());
            if (op == 'A') {
                k.add(n, af.segment(), 0, bf.segment(), 0, y.segment(), 0);
            } else {
                k.mul(n, af.segment(), 0, bf.segment(), 0, y.segment(), 0);
            }
            return y;
        }
        if (op == 'M' && channelScale(a, b, y)) {
            return y;
        }
        float[] av = Buffers.asF32(a.contiguous()).toFloatArray(), bv = Buffers.asF32(b.contiguous()).toFloatArray();
        float[] out = new float[n];
        if (bv.length == 1 && av.length == n) {
            float s = bv[0];
            for (int i = 0; i < n; i++) {
                out[i] = apply(op, av[i], s);
            }
        } else if (av.length == 1 && bv.length == n) {
            float s = av[0];
            for (int i = 0; i < n; i++) {
                out[i] = apply(op, s, bv[i]);
            }
        } else {
            int r = shape.length;
            long[] sa = broadcastStrides(a.shape(), r), sb = broadcastStrides(b.shape(), r);
            long[] idx = new long[r];
            long ia = 0, ib = 0;
            for (int i = 0; i < n; i++) {
                out[i] = apply(op, av[(int) ia], bv[(int) ib]);
                for (int d = r - 1; d >= 0; d--) {
                    idx[d]++;
                    ia += sa[d];
                    ib += sb[d];
                    if (idx[d] < shape[d]) {
                        break;
                    }
                    ia -= sa[d] * idx[d];
                    ib -= sb[d] * idx[d];
                    idx[d] = 0;
                }
            }
        }
        return Buffers.f32(out, shape);
    }

    /**
     * {@code y = a · b} where one operand is a feature map {@code [N, C, H, W]} and the other one scale per channel
     * ({@code [N or 1, C, 1, 1]}: squeeze-and-excitation's gate): each plane copied and scaled in vector, instead of the
     * general broadcast loop below (MobileNetV3-Small spent 6% of its pass there). False, y untouched, for other shapes.
     */
    private static boolean channelScale(Tensor a, Tensor b, Tensor y) {
        Tensor x = a.rank() == 4 && b.rank() == 4 && b.dim(2) == 1 && b.dim(3) == 1 ? a : b;
        Tensor g = x == a ? b : a;
        if (x.rank() != 4 || g.rank() != 4 || g.dim(2) != 1 || g.dim(3) != 1 || g.dim(1) != x.dim(1)
                || g.dim(0) != 1 && g.dim(0) != x.dim(0) || !Arrays.equals(y.shape(), x.shape())) {
            return false;
        }
        MemorySegment xs = Buffers.asF32(x.contiguous()).segment(), ys = y.segment();
        float[] gv = Buffers.asF32(g.contiguous()).toFloatArray();
        int n = (int) x.dim(0), c = (int) x.dim(1), plane = Math.toIntExact(x.dim(2) * x.dim(3));
        var k = KernelProvider.get();
        for (int i = 0; i < n * c; i++) {
            long off = (long) i * plane;
            MemorySegment.copy(xs, off * 4, ys, off * 4, plane * 4L);
            k.scale(plane, gv[g.dim(0) == 1 ? i % c : i], ys, off);
        }
        return true;
    }

    private static float apply(char op, float x, float y) {
        return switch (op) {
            case 'A' -> x + y;
            case 'S' -> x - y;
            case 'M' -> x * y;
            default -> x / y;
        };
    }

    private static Tensor intBinary(char op, Tensor a, Tensor b) {
        long[] av = longs(a), bv = longs(b);
        long[] shape = broadcastShape(a.shape(), b.shape());
        if (av.length != 1 && bv.length != 1 && av.length != bv.length) {
            throw new IllegalArgumentException("integer broadcasting beyond scalars is not supported");
        }
        int n = (int) Shapes.elementCount(shape);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = av[av.length == 1 ? 0 : i], y = bv[bv.length == 1 ? 0 : i];
            out[i] = switch (op) {
                case 'A' -> x + y;
                case 'S' -> x - y;
                case 'M' -> x * y;
                default -> {
                    if (y == 0) {
                        throw new IllegalArgumentException("integer division by zero");
                    }
                    yield Math.floorDiv(x, y);
                }
            };
        }
        return int64s(out, shape);
    }

    static long[] longs(Tensor t) {
        int n = Math.toIntExact(t.elementCount());
        long[] r = new long[n];
        if (t.dtype() == DType.I64) {
            Tensor c = t.contiguous();
            for (int i = 0; i < n; i++) {
                r[i] = c.segment().getAtIndex(Tensor.I64_LE, i);
            }
        } else {
            float[] f = t.toFloatArray();
            for (int i = 0; i < n; i++) {
                r[i] = (long) f[i];
            }
        }
        return r;
    }

    static Tensor int64s(long[] v, long... shape) {
        long[] s = shape.length == 0 && v.length != 1 ? new long[] {v.length} : shape;
        if (shape.length == 0 && v.length == 1) {
            s = new long[0];
        }
        Tensor t = Tensor.allocate(DType.I64, s);
        for (int i = 0; i < v.length; i++) {
            t.segment().setAtIndex(Tensor.I64_LE, i, v[i]);
        }
        return t;
    }

    /** A 1-D I64 tensor holding {@code v} (for Shape). */
    static Tensor int64s(long[] v) {
        return int64s(v, new long[] {v.length});
    }

    static Tensor concat(int axis, Tensor... ts) {
        int r = ts[0].rank();
        int ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) {
            throw new IllegalArgumentException("concat axis " + axis + " out of range for rank " + r);
        }
        boolean ints = ts[0].dtype() == DType.I64;
        long[] shape = ts[0].shape();
        long total = 0;
        for (Tensor t : ts) {
            if (t.rank() != r) {
                throw new IllegalArgumentException("concat of ranks " + r + " and " + t.rank());
            }
            for (int d = 0; d < r; d++) {
                if (d != ax && t.dim(d) != shape[d]) {
                    throw new IllegalArgumentException("concat shapes " + Arrays.toString(shape) + " and " + Arrays.toString(t.shape()));
                }
            }
            total += t.dim(ax);
        }
        shape[ax] = total;
        long outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) {
            outer *= shape[d];
        }
        for (int d = ax + 1; d < r; d++) {
            inner *= shape[d];
        }
        int n = (int) Shapes.elementCount(shape);
        if (ints) {
            long[] out = new long[n];
            int at = 0;
            for (long o = 0; o < outer; o++) {
                for (Tensor t : ts) {
                    long[] v = longs(t);
                    int len = (int) (t.dim(ax) * inner);
                    System.arraycopy(v, (int) (o * len), out, at, len);
                    at += len;
                }
            }
            return int64s(out, shape);
        }
        // F32: one copy per input run, segment to segment, into a pooled buffer (the old path went through three heap
        // copies: SqueezeNet's eight channel concatenations took 2.4 ms of a pass against ONNX Runtime's 0.3)
        Tensor[] cs = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            cs[i] = Buffers.asF32(ts[i].contiguous());
        }
        Tensor y = Buffers.f32Overwritten(shape);   // every element is copied below
        MemorySegment ys = y.segment();
        long at = 0;
        for (long o = 0; o < outer; o++) {
            for (Tensor c : cs) {
                long bytes = c.dim(ax) * inner * 4;
                MemorySegment.copy(c.segment(), o * bytes, ys, at, bytes);
                at += bytes;
            }
        }
        return y;
    }

    static Tensor reduceMean(Tensor x, long[] axes, boolean keep) {
        int r = x.rank();
        boolean[] red = new boolean[r];
        if (axes == null) {
            Arrays.fill(red, true);
        } else {
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + r : a);
                if (ax < 0 || ax >= r) {
                    throw new IllegalArgumentException("ReduceMean axis " + a + " out of range for rank " + r);
                }
                red[ax] = true;
            }
        }
        long[] shape = x.shape();
        long[] outShape = shape.clone();
        long cnt = 1;
        for (int d = 0; d < r; d++) {
            if (red[d]) {
                cnt *= shape[d];
                outShape[d] = 1;
            }
        }
        float[] v = Buffers.asF32(x.contiguous()).toFloatArray();
        double[] acc = new double[(int) Shapes.elementCount(outShape)];
        long[] outStrides = Shapes.rowMajorStrides(outShape);
        long[] idx = new long[r];
        for (float e : v) {
            long o = 0;
            for (int d = 0; d < r; d++) {
                if (!red[d]) {
                    o += idx[d] * outStrides[d];
                }
            }
            acc[(int) o] += e;
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (acc[i] / cnt);
        }
        if (keep) {
            return Buffers.f32(out, outShape);
        }
        long[] squeezed = new long[r];
        int k = 0;
        for (int d = 0; d < r; d++) {
            if (!red[d]) {
                squeezed[k++] = shape[d];
            }
        }
        return Buffers.f32(out, Arrays.copyOf(squeezed, k));
    }

    static Tensor reshape(Tensor x, long[] spec) {
        long[] s = spec.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == 0) {
                if (i >= x.rank()) {
                    throw new IllegalArgumentException("Reshape 0 at position " + i + " beyond input rank " + x.rank());
                }
                s[i] = x.dim(i);
            } else if (s[i] < -1) {
                throw new IllegalArgumentException("bad Reshape dimension " + s[i]);
            }
        }
        return x.contiguous().reshape(s);
    }

    static Tensor gather(Tensor data, Tensor indices, int axis) {
        int r = data.rank();
        int ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) {
            throw new IllegalArgumentException("Gather axis " + axis + " out of range for rank " + r);
        }
        long[] idx = longs(indices);
        long dim = data.dim(ax);
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0) {
                idx[i] += dim;
            }
            if (idx[i] < 0 || idx[i] >= dim) {
                throw new IllegalArgumentException("Gather index " + idx[i] + " out of range for dimension " + dim);
            }
        }
        long[] ds = data.shape(), is = indices.shape();
        long[] outShape = new long[r - 1 + is.length];
        System.arraycopy(ds, 0, outShape, 0, ax);
        System.arraycopy(is, 0, outShape, ax, is.length);
        System.arraycopy(ds, ax + 1, outShape, ax + is.length, r - ax - 1);
        long outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) {
            outer *= ds[d];
        }
        for (int d = ax + 1; d < r; d++) {
            inner *= ds[d];
        }
        int n = (int) Shapes.elementCount(outShape);
        if (data.dtype() == DType.I64) {
            long[] v = longs(data), out = new long[n];
            int at = 0;
            for (long o = 0; o < outer; o++) {
                for (long i : idx) {
                    System.arraycopy(v, (int) ((o * dim + i) * inner), out, at, (int) inner);
                    at += (int) inner;
                }
            }
            return int64s(out, outShape);
        }
        float[] v = Buffers.asF32(data.contiguous()).toFloatArray(), out = new float[n];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (long i : idx) {
                System.arraycopy(v, (int) ((o * dim + i) * inner), out, at, (int) inner);
                at += (int) inner;
            }
        }
        return Buffers.f32(out, outShape);
    }

    static Tensor unsqueeze(Tensor x, long[] axes) {
        if (axes == null) {
            throw new IllegalArgumentException("Unsqueeze needs axes");
        }
        int r = x.rank() + axes.length;
        boolean[] ins = new boolean[r];
        for (long a : axes) {
            int ax = (int) (a < 0 ? a + r : a);
            if (ax < 0 || ax >= r || ins[ax]) {
                throw new IllegalArgumentException("bad Unsqueeze axes " + Arrays.toString(axes));
            }
            ins[ax] = true;
        }
        long[] s = new long[r];
        int k = 0;
        for (int d = 0; d < r; d++) {
            s[d] = ins[d] ? 1 : x.dim(k++);
        }
        return x.contiguous().reshape(s);
    }

    static Tensor squeeze(Tensor x, long[] axes) {
        int r = x.rank();
        boolean[] drop = new boolean[r];
        for (int d = 0; d < r; d++) {
            drop[d] = axes == null && x.dim(d) == 1;
        }
        if (axes != null) {
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + r : a);
                if (ax < 0 || ax >= r || x.dim(ax) != 1) {
                    throw new IllegalArgumentException("cannot Squeeze axis " + a + " of " + Arrays.toString(x.shape()));
                }
                drop[ax] = true;
            }
        }
        long[] s = new long[r];
        int k = 0;
        for (int d = 0; d < r; d++) {
            if (!drop[d]) {
                s[k++] = x.dim(d);
            }
        }
        return x.contiguous().reshape(Arrays.copyOf(s, k));
    }

    static Tensor cast(Tensor x, DType to) {
        if (to == DType.F32) {
            return Buffers.asF32(x);
        }
        long[] v = longs(x);
        if (to == DType.I64) {
            return int64s(v, x.shape());
        }
        Tensor t = Tensor.allocate(DType.I32, x.shape());
        for (int i = 0; i < v.length; i++) {
            t.segment().setAtIndex(Tensor.I32_LE, i, (int) v[i]);
        }
        return t;
    }
}
