package dev.minnow.models.lightfield;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.PointwiseConvKernels;
import dev.minnow.nn.Profile;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MobileR2L's float forward pass with pixel-major (NHWC) activations, so that every layer is one fused
 * {@link PointwiseConvKernels#conv} call per pixel range: 1×1 convolutions are [pixels × Cin]·[Cin × Cout] products
 * with the bias, GELU/sigmoid and residual add in the output pass, and a ConvTranspose2d is split into its
 * stride² output phases, each a product over the 1–4 input pixels (taps) that land on it, read from a zero-bordered
 * copy of the input. Residual blocks run pixel chunk by pixel chunk, so the block's intermediate stays in cache.
 * The input is transposed from NCHW once and the RGB output back to NCHW once.
 *
 * <p>Not thread-safe for concurrent calls (it keeps its activation buffers between frames); {@link MobileR2L}
 * serialises them. Work inside a layer is split over {@link Parallel}'s threads.
 */
final class NhwcR2L {
    /** Pixels per parallel task and per residual-block chunk at width 256 (a multiple of the kernel's 12-pixel tile). */
    private static final int CHUNK = 96;

    /** Pixels per chunk at {@code channels}: about CHUNK·256 floats, so narrow layers do not pay per-call costs per 96 pixels. */
    private static int chunk(int channels) {
        return Math.max(CHUNK, CHUNK * 256 / Math.max(1, channels) / 12 * 12);
    }

    /** A 1×1 convolution: packed weights, bias, fused activation (or null). */
    record Pw(int cin, int cout, float[] packed, float[] raw, float[] bias, Activation act) {}

    /** A ConvTranspose2d split into stride² phases: per phase its taps' (dy, dx) input shifts and packed weights. */
    record Up(int cin, int cout, int stride, int[][][] shifts, float[][] packed, float[] bias) {
        /** Taps over all phases (k² for these kernels). */
        int packedTaps() {
            int t = 0;
            for (int[][] sh : shifts) {
                t += sh.length;
            }
            return t;
        }
    }

    /** Residual block: x += b(a(x)). */
    record Block(Pw a, Pw b) {}

    private final PointwiseConvKernels k = PointwiseConvKernels.get();
    private final Pw head;
    private final List<Block> body;
    private final List<Object> tail;
    private final Pw out;
    private final Map<String, float[]> buffers = new HashMap<>();
    private final ThreadLocal<float[]> chunkTmp = new ThreadLocal<>();
    private final ThreadLocal<float[]> rowsTmp = new ThreadLocal<>();

    NhwcR2L(Pw head, List<Block> body, List<Object> tail, Pw out) {
        this.head = head;
        this.body = body;
        this.tail = tail;
        this.out = out;
    }

    /** A 1×1 conv from a row-major [cout, cin] weight matrix. */
    static Pw pointwise(int cin, int cout, float[] w, float[] bias, Activation act) {
        return new Pw(cin, cout, PointwiseConvKernels.get().pack(cout, cin, w), w, bias, act);
    }

    /**
     * A ConvTranspose2d from PyTorch's [cin, cout, k, k] weights with the given stride and padding. Requires output
     * size stride·input ((k − 2·pad) = stride) and every tap within one input pixel of its phase's pixel.
     */
    static Up upsample(int cin, int cout, int kernel, int stride, int pad, float[] w, float[] bias) {
        if (kernel - 2 * pad != stride) {
            throw new IllegalArgumentException("ConvTranspose2d k" + kernel + " s" + stride + " p" + pad + " does not scale by its stride");
        }
        int[][][] shifts = new int[stride * stride][][];
        float[][] packed = new float[stride * stride][];
        for (int py = 0; py < stride; py++) {
            for (int px = 0; px < stride; px++) {
                List<int[]> taps = new ArrayList<>();
                for (int ky = 0; ky < kernel; ky++) {
                    if (Math.floorMod(py + pad - ky, stride) != 0) {
                        continue;
                    }
                    for (int kx = 0; kx < kernel; kx++) {
                        if (Math.floorMod(px + pad - kx, stride) != 0) {
                            continue;
                        }
                        int dy = Math.floorDiv(py + pad - ky, stride), dx = Math.floorDiv(px + pad - kx, stride);
                        if (Math.abs(dy) > 1 || Math.abs(dx) > 1) {
                            throw new IllegalArgumentException("ConvTranspose2d k" + kernel + " s" + stride + " p" + pad + ": tap reaches past one pixel");
                        }
                        taps.add(new int[] {dy, dx, ky, kx});
                    }
                }
                int nt = taps.size();
                float[] m = new float[cout * nt * cin];
                int[][] sh = new int[nt][];
                for (int t = 0; t < nt; t++) {
                    int[] tp = taps.get(t);
                    sh[t] = new int[] {tp[0], tp[1]};
                    for (int co = 0; co < cout; co++) {
                        for (int ci = 0; ci < cin; ci++) {
                            m[co * nt * cin + t * cin + ci] = w[((ci * cout + co) * kernel + tp[2]) * kernel + tp[3]];
                        }
                    }
                }
                int ph = py * stride + px;
                shifts[ph] = sh;
                packed[ph] = PointwiseConvKernels.get().pack(cout, nt * cin, m);
            }
        }
        return new Up(cin, cout, stride, shifts, packed, bias);
    }

    /** [1, C, H, W] encoded rays (contiguous f32) → [1, 3, H·s, W·s] RGB. */
    synchronized Tensor forward(Tensor rays) {
        int c = (int) rays.dim(1), h = (int) rays.dim(2), w = (int) rays.dim(3);
        int p = h * w;
        long t0 = tick();
        float[] nchw = rays.toFloatArray();
        float[] x0 = buffer("in", (long) p * c);
        transposeIn(nchw, c, p, x0);
        tock("lf 0 rays to NHWC", t0, 0);
        return forwardPixelMajor(x0, h, w);
    }

    /** Pixel-major encoded rays [H·W, C] (C = the head's input channels) → [1, 3, H·s, W·s] RGB. */
    synchronized Tensor forwardPixelMajor(float[] x0, int h, int w) {
        int p = h * w;
        if (x0.length != (long) p * head.cin) {
            throw new IllegalArgumentException("pixel-major rays hold " + x0.length + " values, expected " + h + "×" + w + "×" + head.cin);
        }
        long t0;
        t0 = tick();
        float[] hd = buffer("head", (long) p * head.cout);
        conv(head, p, x0, hd);
        tock("lf 1 head", t0, (long) p * head.cin * head.cout);
        t0 = tick();
        float[] x = buffer("body", (long) p * head.cout);
        System.arraycopy(hd, 0, x, 0, p * head.cout);
        for (Block b : body) {
            block(b, p, x);
        }
        int ch = head.cout;
        float[] bx = x;
        Parallel.forRange((p + CHUNK - 1) / CHUNK, 1, (from, to) -> {
            for (int i = from * CHUNK * ch, e = Math.min(p, to * CHUNK) * ch; i < e; i++) {
                bx[i] += hd[i];
            }
        });
        tock("lf 2 body", t0, (long) p * body.size() * 2 * ch * ch);
        // tail: blocks before any upsampling run on their own; each ConvTranspose2d runs fused with the blocks after
        // it, input row by input row (its s output rows are finished while in L2), and the last stage also with the
        // RGB conv, so the full-resolution activations are never stored
        int i = 0, stage = 0;
        while (i < tail.size() && tail.get(i) instanceof Block b) {
            t0 = tick();
            block(b, h * w, x);
            tock("lf 3 sr0 block", t0, (long) h * w * (b.a.cin * b.a.cout + b.b.cin * b.b.cout));
            i++;
        }
        float[] result = null;
        while (i < tail.size()) {
            Up u = (Up) tail.get(i++);
            List<Block> after = new ArrayList<>();
            while (i < tail.size() && tail.get(i) instanceof Block b) {
                after.add(b);
                i++;
            }
            boolean last = i == tail.size();
            t0 = tick();
            float[] padded = buffer("pad" + stage, (long) (h + 2) * (w + 2) * u.cin);
            pad(x, h, w, u.cin, padded);
            int s = u.stride;
            long outPixels = (long) h * s * w * s;
            float[] y = null;
            if (last) {
                result = new float[Math.toIntExact(outPixels * out.cout)];
            } else {
                y = buffer("up" + stage, outPixels * u.cout);
            }
            upStage(u, after, h, w, padded, y, result);
            stage++;
            long macs = (long) h * w * u.packedTaps() * u.cin * u.cout;
            for (Block b : after) {
                macs += outPixels * (b.a.cin * b.a.cout + b.b.cin * b.b.cout);
            }
            if (last) {
                macs += outPixels * out.cin * out.cout;
            }
            tock("lf 3 sr" + stage + " convT+blocks" + (last ? "+rgb" : ""), t0, macs);
            if (y != null) {
                x = y;
            }
            h *= s;
            w *= s;
        }
        if (result == null) { // no upsampling stage: the RGB conv on the body's output
            t0 = tick();
            int hw = h * w;
            float[] res = new float[hw * out.cout];
            float[] lastX = x;
            PointwiseConvKernels kk = k;
            Parallel.forRange((hw + 4095) / 4096, 1, (from, to) -> {
                int j0 = from * 4096, n = Math.min(hw, to * 4096) - j0;
                kk.convToPlanes(n, out.cin, lastX, j0 * out.cin, out.raw, out.cout, out.bias, out.act, res, j0, hw);
            });
            tock("lf 4 out conv to NCHW", t0, (long) hw * out.cin * out.cout);
            result = res;
        }
        return Tensor.of(result, 1, out.cout, h, w);
    }

    /**
     * Profiling ({@code -Dminnow.profile=true}): stage times go to {@link Profile}, by wall clock or, with
     * {@code -Dminnow.bench.clock=cpu}, by the calling thread's CPU time (meaningful at one thread on a busy machine).
     */
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("minnow.bench.clock"));
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long tick() {
        return !Profile.ENABLED ? 0 : CPU_CLOCK ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static void tock(String kind, long t0, long macs) {
        if (Profile.ENABLED) {
            Profile.add(kind, tick() - t0, macs);
        }
    }

    private float[] buffer(String name, long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("activation '" + name + "' of " + size + " floats is too large");
        }
        float[] b = buffers.get(name);
        if (b == null || b.length != size) {
            b = new float[(int) size];
            buffers.put(name, b);
        }
        return b;
    }

    /** out = layer(in) over p pixels, parallel by pixel chunks. */
    private void conv(Pw l, int p, float[] in, float[] out) {
        PointwiseConvKernels kk = k;
        int chunk = chunk(Math.max(l.cin, l.cout));
        Parallel.forRange((p + chunk - 1) / chunk, 1, (from, to) -> {
            int j0 = from * chunk, n = Math.min(p, to * chunk) - j0;
            kk.conv(n, l.cin, 1, in, new int[] {j0 * l.cin}, l.cin, l.packed, l.cout, l.bias, l.act, false, out, j0 * l.cout, l.cout);
        });
    }

    /** x += b(a(x)) chunk by chunk; the chunk's intermediate lives in a thread-local buffer. */
    private void block(Block blk, int p, float[] x) {
        PointwiseConvKernels kk = k;
        ThreadLocal<float[]> tmpOf = chunkTmp;
        Pw a = blk.a, b = blk.b;
        int chunk = chunk(Math.max(a.cin, a.cout));
        Parallel.forRange((p + chunk - 1) / chunk, 1, (from, to) -> {
            float[] tmp = tmpOf.get();
            if (tmp == null || tmp.length < chunk * a.cout) {
                tmp = new float[chunk * a.cout];
                tmpOf.set(tmp);
            }
            for (int ch = from; ch < to; ch++) {
                int j0 = ch * chunk, n = Math.min(p - j0, chunk);
                kk.conv(n, a.cin, 1, x, new int[] {j0 * a.cin}, a.cin, a.packed, a.cout, a.bias, a.act, false, tmp, 0, a.cout);
                kk.conv(n, b.cin, 1, tmp, new int[] {0}, b.cin, b.packed, b.cout, b.bias, b.act, true, x, j0 * b.cout, b.cout);
            }
        });
    }

    /** Copies [h, w, c] into the interior of a zero-bordered [h + 2, w + 2, c]. */
    private static void pad(float[] x, int h, int w, int c, float[] padded) {
        int pw = w + 2;
        java.util.Arrays.fill(padded, 0, pw * c, 0f);
        java.util.Arrays.fill(padded, (h + 1) * pw * c, (h + 2) * pw * c, 0f);
        Parallel.forRange(h, 8, (from, to) -> {
            for (int y = from; y < to; y++) {
                int row = (y + 1) * pw * c;
                java.util.Arrays.fill(padded, row, row + c, 0f);
                System.arraycopy(x, y * w * c, padded, row + c, w * c);
                java.util.Arrays.fill(padded, row + (w + 1) * c, row + pw * c, 0f);
            }
        });
    }

    /**
     * One upsampling stage, input row by input row: the transposed convolution's phases write the row's s output
     * rows, the stage's residual blocks run on them in place, then they stay in {@code y} (full NHWC output) or, when
     * {@code y} is null, go through the RGB conv into the planes of {@code result}.
     */
    private void upStage(Up u, List<Block> blocks, int h, int w, float[] padded, float[] y, float[] result) {
        PointwiseConvKernels kk = k;
        ThreadLocal<float[]> rowsOf = rowsTmp, tmpOf = chunkTmp;
        int s = u.stride, phases = s * s, pw = w + 2, ow = w * s, rowPix = s * ow, cout = u.cout;
        long planeL = (long) h * s * ow;
        int plane = Math.toIntExact(planeL);
        Pw rgb = out;
        Parallel.forRange(h, 1, (from, to) -> {
            float[] dst = y;
            if (dst == null) {
                dst = rowsOf.get();
                if (dst == null || dst.length < rowPix * cout) {
                    dst = new float[rowPix * cout];
                    rowsOf.set(dst);
                }
            }
            for (int m = from; m < to; m++) {
                int base = y == null ? 0 : m * rowPix * cout;
                for (int ph = 0; ph < phases; ph++) {
                    int py = ph / s, px = ph % s;
                    int[][] sh = u.shifts[ph];
                    int[] off = new int[sh.length];
                    for (int t = 0; t < sh.length; t++) {
                        off[t] = ((m + sh[t][0] + 1) * pw + sh[t][1] + 1) * u.cin;
                    }
                    kk.conv(w, u.cin, sh.length, padded, off, u.cin, u.packed[ph], cout, u.bias, null, false, dst,
                            base + (py * ow + px) * cout, s * cout);
                }
                for (Block b : blocks) {
                    blockRange(kk, tmpOf, b, dst, base / cout, rowPix);
                }
                if (y == null) {
                    kk.convToPlanes(rowPix, cout, dst, 0, rgb.raw, rgb.cout, rgb.bias, rgb.act, result, m * rowPix, plane);
                }
            }
        });
    }

    /** x += b(a(x)) over pixels [p0, p0 + n), chunk by chunk, on the calling thread. */
    private static void blockRange(PointwiseConvKernels kk, ThreadLocal<float[]> tmpOf, Block blk, float[] x, int p0, int n) {
        Pw a = blk.a, b = blk.b;
        int chunk = chunk(Math.max(a.cin, a.cout));
        float[] tmp = tmpOf.get();
        if (tmp == null || tmp.length < chunk * a.cout) {
            tmp = new float[chunk * a.cout];
            tmpOf.set(tmp);
        }
        for (int j0 = p0, end = p0 + n; j0 < end; j0 += chunk) {
            int m = Math.min(end - j0, chunk);
            kk.conv(m, a.cin, 1, x, new int[] {j0 * a.cin}, a.cin, a.packed, a.cout, a.bias, a.act, false, tmp, 0, a.cout);
            kk.conv(m, b.cin, 1, tmp, new int[] {0}, b.cin, b.packed, b.cout, b.bias, b.act, true, x, j0 * b.cout, b.cout);
        }
    }

    /** [c, p] → [p, c], in pixel blocks. */
    private static void transposeIn(float[] src, int c, int p, float[] dst) {
        int blk = 64;
        Parallel.forRange((p + blk - 1) / blk, 1, (from, to) -> {
            for (int j0 = from * blk, e = Math.min(p, to * blk); j0 < e; j0 += blk) {
                int j1 = Math.min(e, j0 + blk);
                for (int ci = 0; ci < c; ci++) {
                    int s = ci * p;
                    for (int j = j0; j < j1; j++) {
                        dst[j * c + ci] = src[s + j];
                    }
                }
            }
        });
    }
}
