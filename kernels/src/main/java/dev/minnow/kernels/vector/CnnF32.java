package dev.minnow.kernels.vector;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.CnnKernels;
import dev.minnow.kernels.scalar.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarCnnKernels}, a {@link Specializer} template (one copy per width and FMA choice, so
 * the species is a JIT constant). Depthwise: vectorised along output columns, the k² taps accumulated in one register
 * in the specification's order (only FMA rounding differs), bias first; the 3×3 case keeps its nine weights in
 * registers. Activations: ReLU and ReLU6 as a clamp in register before the store in the pointwise kernels, otherwise
 * over each finished row while it is in L1 ({@code activateRow}); ReLU, ReLU6, hard-sigmoid and hard-swish run in
 * vector with the scalar formulas' operations (bit-exact given the same input), other activations fall back to the
 * scalar function per element.
 */
final class CnnF32 implements CnnKernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final VectorSpecies<Float> SPECIES = Specializer.species(MethodHandles.lookup());
    private static final boolean FMA = Specializer.fma(MethodHandles.lookup());
    private static final int LANES = SPECIES.length();
    /**
     * Deinterleaving shuffles (single-vector: the two-vector rearrange is not intrinsified): EVEN_ODD puts the even
     * lanes in the lower half and the odd ones in the upper, ODD_EVEN the reverse; UPPER selects the upper half.
     */
    private static final VectorShuffle<Float> EVEN_ODD = VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i : 2 * (i - LANES / 2) + 1);
    private static final VectorShuffle<Float> ODD_EVEN = VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i + 1 : 2 * (i - LANES / 2));
    private static final VectorMask<Float> UPPER = SPECIES.indexInRange(-LANES / 2, LANES / 2);   // lanes i with 0 ≤ i − LANES/2 < LANES/2

    CnnF32() {}

    @Override
    public String name() { return "vector-" + SPECIES.vectorBitSize() + (FMA ? "" : "-nofma"); }

    /** 0 identity, 1 ReLU, 2 ReLU6, 3 hard-sigmoid, 4 hard-swish, -1 another (scalar per element). */
    private static int code(Activation act) {
        if (act == null) {
            return 0;
        }
        return switch (act) {
            case RELU -> 1;
            case RELU6 -> 2;
            case HARD_SIGMOID -> 3;
            case HARD_SWISH -> 4;
            default -> -1;
        };
    }

    private static FloatVector fma(FloatVector w, FloatVector x, FloatVector acc) {
        return FMA ? w.fma(x, acc) : w.mul(x).add(acc);
    }

    @Override
    public void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias,
                          Activation act, MemorySegment out, long outOff, int ho, int wo) {
        int code = code(act);
        if (k == 3) {
            dw3(stride, in, inOff, hp, pw, w, wOff, bias, code, out, outOff, ho, wo);
        } else {
            dwAny(k, stride, in, inOff, hp, pw, w, wOff, bias, code, out, outOff, ho, wo);
        }
        if (code < 0) {
            for (int i = 0; i < ho * wo; i++) {
                long at = (outOff + i) * 4;
                out.set(F32, at,
                        ScalarKernels.activation(act, out.get(F32, at)));
            }
        }
    }

    /**
     * 3×3: full vectors here, the row's last partial vector in {@link #dw3Tail}, the activation over the finished row
     * by {@link #activateRow} (kept apart so this loop stays within C2's inlining budget: past it some vector ops stay
     * calls and the accumulators are boxed, 20× slower, measured).
     */
    private static void dw3(int s, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias, int code,
                            MemorySegment out, long outOff, int ho, int wo) {
        int phase = hp * pw;
        int c1 = (1 % s) * phase + 1 / s, c2 = (2 % s) * phase + 2 / s;   // column tap offsets
        FloatVector w0 = FloatVector.broadcast(SPECIES, w[wOff]), w1 = FloatVector.broadcast(SPECIES, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(SPECIES, w[wOff + 2]), w3 = FloatVector.broadcast(SPECIES, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(SPECIES, w[wOff + 4]), w5 = FloatVector.broadcast(SPECIES, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(SPECIES, w[wOff + 6]), w7 = FloatVector.broadcast(SPECIES, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(SPECIES, w[wOff + 8]);
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        int vecEnd = wo - wo % LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r0 = inOff + oy * s * pw, r1 = r0 + pw, r2 = r1 + pw;
            long o = (outOff + (long) oy * wo) * 4;
            for (int ox = 0; ox < vecEnd; ox += LANES) {
                FloatVector acc;
                if (FMA) {
                    acc = w0.fma(FloatVector.fromArray(SPECIES, in, r0 + ox), b);
                    acc = w1.fma(FloatVector.fromArray(SPECIES, in, r0 + c1 + ox), acc);
                    acc = w2.fma(FloatVector.fromArray(SPECIES, in, r0 + c2 + ox), acc);
                    acc = w3.fma(FloatVector.fromArray(SPECIES, in, r1 + ox), acc);
                    acc = w4.fma(FloatVector.fromArray(SPECIES, in, r1 + c1 + ox), acc);
                    acc = w5.fma(FloatVector.fromArray(SPECIES, in, r1 + c2 + ox), acc);
                    acc = w6.fma(FloatVector.fromArray(SPECIES, in, r2 + ox), acc);
                    acc = w7.fma(FloatVector.fromArray(SPECIES, in, r2 + c1 + ox), acc);
                    acc = w8.fma(FloatVector.fromArray(SPECIES, in, r2 + c2 + ox), acc);
                } else {
                    acc = w0.mul(FloatVector.fromArray(SPECIES, in, r0 + ox)).add(b);
                    acc = w1.mul(FloatVector.fromArray(SPECIES, in, r0 + c1 + ox)).add(acc);
                    acc = w2.mul(FloatVector.fromArray(SPECIES, in, r0 + c2 + ox)).add(acc);
                    acc = w3.mul(FloatVector.fromArray(SPECIES, in, r1 + ox)).add(acc);
                    acc = w4.mul(FloatVector.fromArray(SPECIES, in, r1 + c1 + ox)).add(acc);
                    acc = w5.mul(FloatVector.fromArray(SPECIES, in, r1 + c2 + ox)).add(acc);
                    acc = w6.mul(FloatVector.fromArray(SPECIES, in, r2 + ox)).add(acc);
                    acc = w7.mul(FloatVector.fromArray(SPECIES, in, r2 + c1 + ox)).add(acc);
                    acc = w8.mul(FloatVector.fromArray(SPECIES, in, r2 + c2 + ox)).add(acc);
                }
                acc.intoMemorySegment(out, o + ox * 4L, LE);
            }
            if (vecEnd < wo) {
                if (r2 + c2 + vecEnd + LANES <= in.length && o + wo * 4L + LANES * 4L <= out.byteSize()) {
                    // the row's last partial vector with the weights already in registers: full loads (lanes past wo
                    // are dropped) and a masked store, both inside their arrays so C2 keeps them intrinsic
                    int ox = vecEnd;
                    FloatVector acc = fma(w0, FloatVector.fromArray(SPECIES, in, r0 + ox), b);
                    acc = fma(w1, FloatVector.fromArray(SPECIES, in, r0 + c1 + ox), acc);
                    acc = fma(w2, FloatVector.fromArray(SPECIES, in, r0 + c2 + ox), acc);
                    acc = fma(w3, FloatVector.fromArray(SPECIES, in, r1 + ox), acc);
                    acc = fma(w4, FloatVector.fromArray(SPECIES, in, r1 + c1 + ox), acc);
                    acc = fma(w5, FloatVector.fromArray(SPECIES, in, r1 + c2 + ox), acc);
                    acc = fma(w6, FloatVector.fromArray(SPECIES, in, r2 + ox), acc);
                    acc = fma(w7, FloatVector.fromArray(SPECIES, in, r2 + c1 + ox), acc);
                    acc = fma(w8, FloatVector.fromArray(SPECIES, in, r2 + c2 + ox), acc);
                    acc.intoMemorySegment(out, o + ox * 4L, LE, SPECIES.indexInRange(ox, wo));
                } else {
                    dwTail(3, s, in, r0, phase, pw, w, wOff, bias, out, o, vecEnd, wo);
                }
            }
            if (code > 0) {
                activateRow(code, out, o, wo);
            }
        }
    }

    /** The last partial vector of an output row (columns [ox, wo)), pre-activation, any k. */
    private static void dwTail(int k, int s, float[] in, int row, int phase, int pw, float[] w, int wOff, float bias,
                               MemorySegment out, long o, int ox, int wo) {
        // full loads when the array has room (lanes past wo are dropped), else masked ones (a masked load that reaches
        // past the end of its array leaves the JIT's fast path)
        int maxCol = 0;
        for (int kx = 0; kx < k; kx++) {
            maxCol = Math.max(maxCol, tapColumn(kx, s, phase));   // not monotonic in kx: the phases come first
        }
        int last = row + (k - 1) * pw + ox + maxCol;
        VectorMask<Float> m = last + LANES <= in.length ? SPECIES.maskAll(true) : SPECIES.indexInRange(ox, wo);
        FloatVector acc = FloatVector.broadcast(SPECIES, bias);
        for (int ky = 0; ky < k; ky++) {
            int r = row + ky * pw + ox;
            for (int kx = 0; kx < k; kx++) {
                FloatVector x = FloatVector.fromArray(SPECIES, in, r + tapColumn(kx, s, phase), m);
                acc = fma(FloatVector.broadcast(SPECIES, w[wOff + ky * k + kx]), x, acc);
            }
        }
        long at = o + ox * 4L;
        if (at + LANES * 4L <= out.byteSize()) {   // a masked store is intrinsified only when its full extent is inside
            acc.intoMemorySegment(out, at, LE, SPECIES.indexInRange(ox, wo));
            return;
        }
        float[] lanes = new float[LANES];
        acc.intoArray(lanes, 0);
        for (int i = 0; i < wo - ox; i++) {
            out.set(F32, o + (long) (ox + i) * 4, lanes[i]);
        }
    }

    /** Offset of column tap kx in the phase-split plane, without an integer division for strides 1 and 2. */
    private static int tapColumn(int kx, int s, int phase) {
        return s == 1 ? kx : s == 2 ? (kx & 1) * phase + (kx >> 1) : (kx % s) * phase + kx / s;
    }

    /**
     * The vector activation {@code code} (> 0) over {@code n} floats at byte {@code o}; scalar tail. One loop per
     * activation with the operations written out: a shared helper with a switch, called from several hot loops, got
     * compiled out of line and boxed its vectors (measured 2.5× slower).
     */
    private static void activateRow(int code, MemorySegment out, long o, int n) {
        int i = 0;
        int end = n - LANES;
        switch (code) {
            case 1 -> {
                for (; i <= end; i += LANES) {
                    FloatVector.fromMemorySegment(SPECIES, out, o + i * 4L, LE).max(0f).intoMemorySegment(out, o + i * 4L, LE);
                }
            }
            case 2 -> {
                for (; i <= end; i += LANES) {
                    FloatVector.fromMemorySegment(SPECIES, out, o + i * 4L, LE).max(0f).min(6f).intoMemorySegment(out, o + i * 4L, LE);
                }
            }
            case 3 -> {
                for (; i <= end; i += LANES) {
                    FloatVector v = FloatVector.fromMemorySegment(SPECIES, out, o + i * 4L, LE);
                    v.div(6f).add(0.5f).max(0f).min(1f).intoMemorySegment(out, o + i * 4L, LE);
                }
            }
            case 4 -> {
                for (; i <= end; i += LANES) {
                    FloatVector v = FloatVector.fromMemorySegment(SPECIES, out, o + i * 4L, LE);
                    v.mul(v.div(6f).add(0.5f).max(0f).min(1f)).intoMemorySegment(out, o + i * 4L, LE);
                }
            }
            default -> { }
        }
        for (; i < n; i++) {
            out.set(F32, o + i * 4L, actScalar(code, out.get(F32, o + i * 4L)));
        }
    }

    /** One activation on one float: the scalar specification's formulas. */
    private static float actScalar(int code, float v) {
        return switch (code) {
            case 1 -> Math.max(v, 0f);
            case 2 -> Math.min(Math.max(v, 0f), 6f);
            case 3 -> Math.min(Math.max(v / 6f + 0.5f, 0f), 1f);
            case 4 -> v * Math.min(Math.max(v / 6f + 0.5f, 0f), 1f);
            default -> v;
        };
    }

    private static void dwAny(int k, int s, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias, int code,
                              MemorySegment out, long outOff, int ho, int wo) {
        int phase = hp * pw;
        int taps = k * k;
        int[] tapOff = new int[taps];   // no division by the stride in the inner loop
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                tapOff[ky * k + kx] = ky * pw + tapColumn(kx, s, phase);
            }
        }
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        int vecEnd = wo - wo % LANES;
        for (int oy = 0; oy < ho; oy++) {
            int row = inOff + oy * s * pw;
            long o = (outOff + (long) oy * wo) * 4;
            for (int ox = 0; ox < vecEnd; ox += LANES) {
                FloatVector acc = b;
                int r = row + ox;
                for (int t = 0; t < taps; t++) {
                    acc = fma(FloatVector.broadcast(SPECIES, w[wOff + t]), FloatVector.fromArray(SPECIES, in, r + tapOff[t]), acc);
                }
                acc.intoMemorySegment(out, o + ox * 4L, LE);
            }
            if (vecEnd < wo) {
                dwTail(k, s, in, row, phase, pw, w, wOff, bias, out, o, vecEnd, wo);
            }
            if (code > 0) {
                activateRow(code, out, o, wo);
            }
        }
    }

    @Override
    public void biasActivate(int n, float bias, Activation act, MemorySegment y, long off) {
        int code = code(act);
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            long at = (off + i) * 4;
            FloatVector.fromMemorySegment(SPECIES, y, at, LE).add(b).intoMemorySegment(y, at, LE);
        }
        for (; i < n; i++) {
            long at = (off + i) * 4;
            y.set(F32, at, y.get(F32, at) + bias);
        }
        if (code > 0) {
            activateRow(code, y, off * 4, n);   // the same operations as the scalar formulas: bit-exact
        } else if (code < 0) {
            for (int j = 0; j < n; j++) {
                long at = (off + j) * 4;
                y.set(F32, at, ScalarKernels.activation(act, y.get(F32, at)));
            }
        }
    }

    @Override
    public void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
        int j = 0;
        for (; j <= pairs - LANES; j += LANES) {
            FloatVector a = FloatVector.fromArray(SPECIES, src, srcOff + 2 * j);
            FloatVector b = FloatVector.fromArray(SPECIES, src, srcOff + 2 * j + LANES);
            // even = [a0 a2 .. | b0 b2 ..], odd = [a1 a3 .. | b1 b3 ..]
            a.rearrange(EVEN_ODD).blend(b.rearrange(ODD_EVEN), UPPER).intoArray(even, evenOff + j);
            a.rearrange(ODD_EVEN).blend(b.rearrange(EVEN_ODD), UPPER).intoArray(odd, oddOff + j);
        }
        for (; j < pairs; j++) {
            even[evenOff + j] = src[srcOff + 2 * j];
            odd[oddOff + j] = src[srcOff + 2 * j + 1];
        }
    }

    /**
     * Pointwise: for each 2-vector pixel block, 4 output channels at a time in 8 accumulators (+ 2 input vectors and a
     * broadcast weight: within the 16 AVX2 registers); the block's cin input vectors stay in L1 across the channel
     * blocks. Epilogue (activation) in register. Leftover channels one at a time, leftover pixels in
     * {@link #pointwiseTail}.
     */
    @Override
    public void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                          MemorySegment y, long yOff, int ldy, int p0, int p1) {
        int code = code(act);
        // ReLU and ReLU6 as a clamp in register (identity: ±∞); the others over the finished rows below
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        int p = p0;
        for (; p <= p1 - 2 * LANES; p += 2 * LANES) {
            int o = 0;
            for (; o <= cout - 4; o += 4) {
                pw4(o, cin, w, bias, lo, hi, x, xOff + p, ldx, y, yOff + (long) o * ldy + p, ldy);
            }
            for (; o < cout; o++) {
                pw1(o, cin, w, bias, lo, hi, x, xOff + p, ldx, y, yOff + (long) o * ldy + p);
            }
        }
        if (code >= 3) {
            for (int o = 0; o < cout; o++) {
                activateRow(code, y, (yOff + (long) o * ldy + p0) * 4, p - p0);
            }
        }
        if (p < p1) {
            pointwiseTail(cout, cin, w, bias, code, x, xOff, ldx, y, yOff, ldy, p, p1);
        }
        if (code < 0) {
            for (int o = 0; o < cout; o++) {
                for (int q = p0; q < p1; q++) {
                    long at = (yOff + (long) o * ldy + q) * 4;
                    y.set(F32, at, ScalarKernels.activation(act, y.get(F32, at)));
                }
            }
        }
    }

    /** Channels o..o+3 of pixels [x0, x0 + 2·LANES) (x0, y0 already at the block). */
    private static void pw4(int o, int cin, float[] w, float[] bias, float lo, float hi, MemorySegment x, long x0, int ldx,
                            MemorySegment y, long y0, int ldy) {
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        if (bias == null) {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = FloatVector.zero(SPECIES);
        } else {
            a00 = a01 = FloatVector.broadcast(SPECIES, bias[o]);
            a10 = a11 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a20 = a21 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a30 = a31 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * cin, w1 = w0 + cin, w2 = w1 + cin, w3 = w2 + cin;
        for (int i = 0; i < cin; i++) {
            long at = (x0 + (long) i * ldx) * 4;
            FloatVector xa = FloatVector.fromMemorySegment(SPECIES, x, at, LE);
            FloatVector xb = FloatVector.fromMemorySegment(SPECIES, x, at + LANES * 4L, LE);
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + i]);
            a00 = fma(v, xa, a00);
            a01 = fma(v, xb, a01);
            v = FloatVector.broadcast(SPECIES, w[w1 + i]);
            a10 = fma(v, xa, a10);
            a11 = fma(v, xb, a11);
            v = FloatVector.broadcast(SPECIES, w[w2 + i]);
            a20 = fma(v, xa, a20);
            a21 = fma(v, xb, a21);
            v = FloatVector.broadcast(SPECIES, w[w3 + i]);
            a30 = fma(v, xa, a30);
            a31 = fma(v, xb, a31);
        }
        long r = y0 * 4, step = (long) ldy * 4, half = LANES * 4L;
        a00.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a01.max(lo).min(hi).intoMemorySegment(y, r + half, LE);
        a10.max(lo).min(hi).intoMemorySegment(y, r + step, LE);
        a11.max(lo).min(hi).intoMemorySegment(y, r + step + half, LE);
        a20.max(lo).min(hi).intoMemorySegment(y, r + 2 * step, LE);
        a21.max(lo).min(hi).intoMemorySegment(y, r + 2 * step + half, LE);
        a30.max(lo).min(hi).intoMemorySegment(y, r + 3 * step, LE);
        a31.max(lo).min(hi).intoMemorySegment(y, r + 3 * step + half, LE);
    }

    /** Channel o of pixels [x0, x0 + 2·LANES). */
    private static void pw1(int o, int cin, float[] w, float[] bias, float lo, float hi, MemorySegment x, long x0, int ldx,
                            MemorySegment y, long y0) {
        FloatVector a0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.broadcast(SPECIES, bias[o]);
        FloatVector a1 = a0;
        int w0 = o * cin;
        for (int i = 0; i < cin; i++) {
            long at = (x0 + (long) i * ldx) * 4;
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + i]);
            a0 = fma(v, FloatVector.fromMemorySegment(SPECIES, x, at, LE), a0);
            a1 = fma(v, FloatVector.fromMemorySegment(SPECIES, x, at + LANES * 4L, LE), a1);
        }
        a0.max(lo).min(hi).intoMemorySegment(y, y0 * 4, LE);
        a1.max(lo).min(hi).intoMemorySegment(y, y0 * 4 + LANES * 4L, LE);
    }

    /** Pixels [p, p1) (fewer than 2·LANES), scalar in the specification's order (FMA when the vector part uses it). */
    private static void pointwiseTail(int cout, int cin, float[] w, float[] bias, int code, MemorySegment x, long xOff, int ldx,
                                      MemorySegment y, long yOff, int ldy, int p, int p1) {
        for (int o = 0; o < cout; o++) {
            for (int q = p; q < p1; q++) {
                float acc = bias == null ? 0f : bias[o];
                for (int i = 0; i < cin; i++) {
                    float xv = x.get(F32, (xOff + (long) i * ldx + q) * 4);
                    acc = FMA ? Math.fma(w[o * cin + i], xv, acc) : acc + w[o * cin + i] * xv;
                }
                y.set(F32, (yOff + (long) o * ldy + q) * 4, code > 0 ? actScalar(code, acc) : acc);   // code < 0: by the caller
            }
        }
    }

    /** As {@link #pointwise}, over (input channel, tap) pairs read from a heap array at per-tap offsets. */
    @Override
    public void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x, int xOff,
                            int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1) {
        int code = code(act);
        // ReLU and ReLU6 as a clamp in register (identity: ±∞); the others over the finished rows below
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        int p = p0;
        for (; p <= p1 - 2 * LANES; p += 2 * LANES) {
            int o = 0;
            for (; o <= cout - 4; o += 4) {
                cs4(o, cin, taps, tapOff, w, bias, lo, hi, x, xOff + p, ldx, y, yOff + (long) o * ldy + p, ldy);
            }
            for (; o < cout; o++) {
                cs1(o, cin, taps, tapOff, w, bias, lo, hi, x, xOff + p, ldx, y, yOff + (long) o * ldy + p);
            }
        }
        if (code >= 3) {
            for (int o = 0; o < cout; o++) {
                activateRow(code, y, (yOff + (long) o * ldy + p0) * 4, p - p0);
            }
        }
        for (; p < p1; p++) {   // leftover pixels, scalar in the specification's order
            for (int o = 0; o < cout; o++) {
                float acc = bias == null ? 0f : bias[o];
                for (int i = 0; i < cin; i++) {
                    for (int t = 0; t < taps; t++) {
                        float xv = x[xOff + i * ldx + p + tapOff[t]], wv = w[(o * cin + i) * taps + t];
                        acc = FMA ? Math.fma(wv, xv, acc) : acc + wv * xv;
                    }
                }
                y.set(F32, (yOff + (long) o * ldy + p) * 4, code > 0 ? actScalar(code, acc) : acc);
            }
        }
        if (code < 0) {
            for (int o = 0; o < cout; o++) {
                for (int q = p0; q < p1; q++) {
                    long at = (yOff + (long) o * ldy + q) * 4;
                    y.set(F32, at, ScalarKernels.activation(act, y.get(F32, at)));
                }
            }
        }
    }

    /** Channels o..o+3 of 2·LANES grid pixels from x0. */
    private static void cs4(int o, int cin, int taps, int[] tapOff, float[] w, float[] bias, float lo, float hi, float[] x, int x0, int ldx,
                            MemorySegment y, long y0, int ldy) {
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        if (bias == null) {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = FloatVector.zero(SPECIES);
        } else {
            a00 = a01 = FloatVector.broadcast(SPECIES, bias[o]);
            a10 = a11 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a20 = a21 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a30 = a31 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int per = cin * taps;
        int w0 = o * per, w1 = w0 + per, w2 = w1 + per, w3 = w2 + per;
        for (int i = 0; i < cin; i++) {
            int xi = x0 + i * ldx, wi = i * taps;
            for (int t = 0; t < taps; t++) {
                int at = xi + tapOff[t];
                FloatVector xa = FloatVector.fromArray(SPECIES, x, at);
                FloatVector xb = FloatVector.fromArray(SPECIES, x, at + LANES);
                FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + wi + t]);
                a00 = fma(v, xa, a00);
                a01 = fma(v, xb, a01);
                v = FloatVector.broadcast(SPECIES, w[w1 + wi + t]);
                a10 = fma(v, xa, a10);
                a11 = fma(v, xb, a11);
                v = FloatVector.broadcast(SPECIES, w[w2 + wi + t]);
                a20 = fma(v, xa, a20);
                a21 = fma(v, xb, a21);
                v = FloatVector.broadcast(SPECIES, w[w3 + wi + t]);
                a30 = fma(v, xa, a30);
                a31 = fma(v, xb, a31);
            }
        }
        long r = y0 * 4, step = (long) ldy * 4, half = LANES * 4L;
        a00.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a01.max(lo).min(hi).intoMemorySegment(y, r + half, LE);
        a10.max(lo).min(hi).intoMemorySegment(y, r + step, LE);
        a11.max(lo).min(hi).intoMemorySegment(y, r + step + half, LE);
        a20.max(lo).min(hi).intoMemorySegment(y, r + 2 * step, LE);
        a21.max(lo).min(hi).intoMemorySegment(y, r + 2 * step + half, LE);
        a30.max(lo).min(hi).intoMemorySegment(y, r + 3 * step, LE);
        a31.max(lo).min(hi).intoMemorySegment(y, r + 3 * step + half, LE);
    }

    /** Channel o of 2·LANES grid pixels from x0. */
    private static void cs1(int o, int cin, int taps, int[] tapOff, float[] w, float[] bias, float lo, float hi, float[] x, int x0, int ldx,
                            MemorySegment y, long y0) {
        FloatVector a0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.broadcast(SPECIES, bias[o]);
        FloatVector a1 = a0;
        int w0 = o * cin * taps;
        for (int i = 0; i < cin; i++) {
            int xi = x0 + i * ldx, wi = w0 + i * taps;
            for (int t = 0; t < taps; t++) {
                int at = xi + tapOff[t];
                FloatVector v = FloatVector.broadcast(SPECIES, w[wi + t]);
                a0 = fma(v, FloatVector.fromArray(SPECIES, x, at), a0);
                a1 = fma(v, FloatVector.fromArray(SPECIES, x, at + LANES), a1);
            }
        }
        a0.max(lo).min(hi).intoMemorySegment(y, y0 * 4, LE);
        a1.max(lo).min(hi).intoMemorySegment(y, y0 * 4 + LANES * 4L, LE);
    }
}
