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
import jdk.incubator.vector.VectorOperators;
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

    @Override
    public int blockLanes() { return LANES; }

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

    /**
     * min(max(v, lo), hi) with Math.max/min's results for lo < hi (NaN stays NaN, max(−0, 0) is +0): two compares and
     * two blends. {@code v.max(lo).min(hi)} compiles to about twelve dependent instructions per vector on AVX-512
     * (each of max and min fixes up NaN and signed zeros with a sign test, two blends and an unordered compare).
     */
    private static FloatVector clamp(FloatVector v, float lo, float hi) {
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        return v.blend(l, v.compare(VectorOperators.LE, l)).blend(h, v.compare(VectorOperators.GE, h));
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
    /**
     * Whether {@link #dw3} clamps ReLU and ReLU6 in register instead of in a second pass over each output row
     * ({@code -Dminnow.cnn.dwClampInRegister=false}: the pass; read per call, for A/B runs).
     */
    private static boolean clampInRegister() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwClampInRegister", "true"));
    }

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
        // ReLU and ReLU6 as a clamp in register (other codes: ±∞, and their activation over the finished row below)
        boolean clamp = (code == 1 || code == 2) && clampInRegister();
        FloatVector lo = FloatVector.broadcast(SPECIES, clamp ? 0f : Float.NEGATIVE_INFINITY);
        FloatVector hi = FloatVector.broadcast(SPECIES, clamp && code == 2 ? 6f : Float.POSITIVE_INFINITY);
        int vecEnd = wo - wo % LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r0 = inOff + oy * s * pw, r1 = r0 + pw, r2 = r1 + pw;
            long o = (outOff + (long) oy * wo) * 4;
            for (int ox = 0; ox < vecEnd; ox += LANES) {
                FloatVector acc;
                if (FMA) {
                    acc = w0.fma(FloatVector.fromArray(SPECIES, in, r0 + ox), b);
                    acc = fma(w1, FloatVector.fromArray(SPECIES, in, r0 + c1 + ox), acc);
                    acc = fma(w2, FloatVector.fromArray(SPECIES, in, r0 + c2 + ox), acc);
                    acc = fma(w3, FloatVector.fromArray(SPECIES, in, r1 + ox), acc);
                    acc = fma(w4, FloatVector.fromArray(SPECIES, in, r1 + c1 + ox), acc);
                    acc = fma(w5, FloatVector.fromArray(SPECIES, in, r1 + c2 + ox), acc);
                    acc = fma(w6, FloatVector.fromArray(SPECIES, in, r2 + ox), acc);
                    acc = fma(w7, FloatVector.fromArray(SPECIES, in, r2 + c1 + ox), acc);
                    acc = fma(w8, FloatVector.fromArray(SPECIES, in, r2 + c2 + ox), acc);
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
                acc.max(lo).min(hi).intoMemorySegment(out, o + ox * 4L, LE);
            }
            boolean tail = false;   // whether dwTail wrote pre-activation values
            if (vecEnd < wo && wo >= LANES) {
                // the row's last partial vector as a whole vector ending at wo, overlapping the one before (the same
                // values again): no masked store (masks from indexInRange stayed Java code on AVX2, measured)
                int ox = wo - LANES;
                FloatVector acc = fma(w0, FloatVector.fromArray(SPECIES, in, r0 + ox), b);
                acc = fma(w1, FloatVector.fromArray(SPECIES, in, r0 + c1 + ox), acc);
                acc = fma(w2, FloatVector.fromArray(SPECIES, in, r0 + c2 + ox), acc);
                acc = fma(w3, FloatVector.fromArray(SPECIES, in, r1 + ox), acc);
                acc = fma(w4, FloatVector.fromArray(SPECIES, in, r1 + c1 + ox), acc);
                acc = fma(w5, FloatVector.fromArray(SPECIES, in, r1 + c2 + ox), acc);
                acc = fma(w6, FloatVector.fromArray(SPECIES, in, r2 + ox), acc);
                acc = fma(w7, FloatVector.fromArray(SPECIES, in, r2 + c1 + ox), acc);
                acc = fma(w8, FloatVector.fromArray(SPECIES, in, r2 + c2 + ox), acc);
                acc.max(lo).min(hi).intoMemorySegment(out, o + ox * 4L, LE);
            } else if (vecEnd < wo) {
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
                    acc.max(lo).min(hi).intoMemorySegment(out, o + ox * 4L, LE, SPECIES.indexInRange(ox, wo));
                } else {
                    dwTail(3, s, in, r0, phase, pw, w, wOff, bias, out, o, vecEnd, wo);
                    tail = true;
                }
            }
            if (code > 0 && (!clamp || tail)) {   // (a clamp is idempotent: a row with a scalar tail is clamped again)
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

    /** Per thread: [0] the ring of k padded input rows plus a zero row, [1] one input row, [2] buffered output rows. */
    private static final ThreadLocal<float[][]> DW_RING = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * Depthwise from the unpadded plane: each input row is copied once into a ring of k zero-padded (and, when
     * strided, column-phase-split) rows, so the working set is k rows in L1 rather than a padded copy of the plane;
     * output rows are computed in whole vectors into a row buffer (lanes past wo spill into the next row's cells,
     * which that row then overwrites), activated there and copied out in runs of rows. 3×3 keeps its nine weights in
     * registers; other sizes take one pass per kernel row over the buffered output row (5×5: five weights in
     * registers per pass), which keeps the specification's order (bias, then ky outer, kx inner).
     */
    @Override
    public void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                  float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                  int ho, int wo) {
        if (ho <= 0 || wo <= 0 || channels <= 0) {
            return;
        }
        int maxWidth = interleavedMaxWidth(k);
        if (flatDepthwise() && wo > maxWidth) {
            flat(k, stride, padH, padW, channels, x, xOff, h, w, wt, wOff, bias, biasOff, act, out, outOff, ho, wo);
            return;
        }
        if (wo <= maxWidth) {
            // the per-call switches read once here, not once per group of channels
            int paths = (vectorTranspose() ? IL_TRANSPOSE : 0)
                    | (Boolean.parseBoolean(System.getProperty("minnow.cnn.il5", "true")) ? IL_5X5 : 0)
                    | (Boolean.parseBoolean(System.getProperty("minnow.cnn.ilBlock4", "true")) ? IL_BLOCK4 : 0);
            for (int c0 = 0; c0 < channels; c0 += LANES) {
                int n = Math.min(LANES, channels - c0);
                interleaved(paths, k, stride, padH, padW, n, x, xOff + (long) c0 * h * w, h, w, wt, wOff + c0 * k * k, bias, biasOff + c0, act,
                        out, outOff + (long) c0 * ho * wo, ho, wo);
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            depthwisePlane(k, stride, padH, padW, x, xOff + (long) c * h * w, h, w, wt, wOff + c * k * k,
                    bias == null ? 0f : bias[biasOff + c], act, out, outOff + (long) c * ho * wo, ho, wo);
        }
    }

    /**
     * Whether depthwise convolutions run {@link #flat} (default) rather than the row, ring-row and channels-in-lanes
     * kernels ({@code -Dminnow.cnn.dwFlat=false}; read per call, for A/B runs).
     */
    private static boolean flatDepthwise() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwFlat", "true"));
    }

    /**
     * Widest stride-1 output that {@link #depthwiseStride1} sends to {@link #flat}; wider planes keep its row pairs
     * ({@link #s1Pair3}: ConvLayerBench --ab, 1 thread, 32 channels at 112² 0.77× through flat, 144 at 56² 1.06×).
     */
    private static final int FLAT_S1_MAX_WIDTH = 64;

    /** Per thread: [0] the phase planes, [1] a staged input plane, [2] the flat sums, [3] the compacted output plane. */
    private static final ThreadLocal<float[][]> DW_FLAT = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0], new float[0]});

    /**
     * Depthwise over flat phase planes, any k, stride and padding. The zero-padded plane of what the taps reach
     * ({@code hp × wp}) is split into its s × s phases ({@code hq × wq} each: padded cell (r, c) in phase
     * (r mod s, c mod s) at (r / s, c / s)), so that every tap is one constant offset and output (oy, ox) sits at flat
     * index oy·wq + ox: the sums then run over whole vectors of that flat index, four at a time (four independent FMA
     * chains), with no row edges; the columns ox ≥ wo of each flat row are computed and dropped. Input rows are spread
     * into the planes in vectors (stride 2: split into even and odd columns by two rearranges), the last of each row
     * with a masked store so the padding stays zero; finished rows are compacted on the heap and copied out in one run
     * per channel. Each sum in the specification's order (bias, then ky outer, kx inner); ReLU and ReLU6 as a clamp in
     * register, other activations over the compacted plane.
     */
    private static void flat(int k, int s, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                             float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                             int ho, int wo) {
        int hp = (ho - 1) * s + k, wp = (wo - 1) * s + k;
        int hq = (hp + s - 1) / s, wq = (wp + s - 1) / s, phase = hq * wq, taps = k * k;
        int[] off = new int[taps];
        int maxOff = 0;
        for (int t = 0; t < taps; t++) {
            int ky = t / k, kx = t % k;
            off[t] = ((ky % s) * s + kx % s) * phase + (ky / s) * wq + kx / s;
            maxOff = Math.max(maxOff, off[t]);
        }
        int n = ho * wq, nv = (n + LANES - 1) / LANES * LANES;       // flat outputs, in whole vectors
        int planes = Math.max(s * s * phase, maxOff + nv) + LANES;   // every flat read stays inside
        int rows = Math.min(h, hp - padH), cols = Math.min(w, wp - padW);   // the input cells the taps reach
        int plane = h * w, oplane = ho * wo;
        float[][] sc = DW_FLAT.get();
        if (sc[0].length < planes) {
            sc[0] = new float[planes];
        }
        if (sc[1].length < plane + 2 * LANES) {
            sc[1] = new float[plane + 2 * LANES];
        }
        if (sc[2].length < nv + LANES) {
            sc[2] = new float[nv + LANES];
        }
        if (sc[3].length < oplane + LANES) {
            sc[3] = new float[oplane + LANES];
        }
        float[] pl = sc[0], stage = sc[1], o = sc[2], os = sc[3];
        java.util.Arrays.fill(pl, 0, planes, 0f);   // padding: the spread below writes interior cells only
        int code = code(act);
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
            if (rows > 0 && cols > 0) {
                MemorySegment.copy(x, F32, (xOff + (long) c * plane) * 4, stage, 0, rows * w);
                if (s == 1) {
                    spread1(stage, w, rows, cols, pl, wq, padH, padW);
                } else if (s == 2) {
                    spread2(stage, w, rows, cols, pl, wq, phase, padH, padW);
                } else {
                    for (int iy = 0; iy < rows; iy++) {
                        int r = iy + padH;
                        for (int ix = 0; ix < cols; ix++) {
                            int cc = ix + padW;
                            pl[((r % s) * s + cc % s) * phase + (r / s) * wq + cc / s] = stage[iy * w + ix];
                        }
                    }
                }
            }
            float b = bias == null ? 0f : bias[biasOff + c];
            int wc = wOff + c * taps;
            if (k == 3) {
                flat3(pl, o, nv, off, wt, wc, b, lo, hi);
            } else {
                flatAny(taps, off, pl, wt, wc, b, lo, hi, o, nv);
            }
            compact(o, wq, os, ho, wo);
            if (code > 2 || code < 0) {
                activateArray(code, act, os, oplane);
            }
            MemorySegment.copy(os, 0, out, F32, (outOff + (long) c * oplane) * 4, oplane);
        }
    }

    /** os[oy·wo + ox] = o[oy·wq + ox] for ox < wo, in whole vectors: what lands past a row's end the next row overwrites. */
    private static void compact(float[] o, int wq, float[] os, int ho, int wo) {
        if (wo <= LANES) {
            for (int oy = 0; oy < ho; oy++) {
                FloatVector.fromArray(SPECIES, o, oy * wq).intoArray(os, oy * wo);
            }
            return;
        }
        for (int oy = 0; oy < ho; oy++) {
            int src = oy * wq, dst = oy * wo;
            for (int j = 0; j < wo; j += LANES) {
                FloatVector.fromArray(SPECIES, o, src + j).intoArray(os, dst + j);
            }
        }
    }

    /** Stride 1: input row iy (cols floats of stage at iy·w) to padded row iy + padH, column padW of the plane. */
    private static void spread1(float[] stage, int w, int rows, int cols, float[] pl, int wq, int padH, int padW) {
        int lastAt = (cols - 1) / LANES * LANES;
        VectorMask<Float> last = SPECIES.indexInRange(lastAt, cols);
        for (int iy = 0; iy < rows; iy++) {
            int src = iy * w, dst = (iy + padH) * wq + padW;
            for (int j = 0; j < lastAt; j += LANES) {
                FloatVector.fromArray(SPECIES, stage, src + j).intoArray(pl, dst + j);
            }
            FloatVector.fromArray(SPECIES, stage, src + lastAt).intoArray(pl, dst + lastAt, last);
        }
    }

    /**
     * Stride 2: input row iy split into its even and odd columns (two rearranges and a blend per 2·LANES floats) and
     * stored into the two column phases of padded row iy + padH; the last vectors of each phase with masked stores.
     */
    private static void spread2(float[] stage, int w, int rows, int cols, float[] pl, int wq, int phase, int padH, int padW) {
        int pe = padW & 1, ce = padW >> 1, co = (padW + 1) >> 1;   // even input columns: phase pe, from column ce
        for (int iy = 0; iy < rows; iy++) {
            int r = iy + padH, src = iy * w;
            int rowAt = (r & 1) * 2 * phase + (r >> 1) * wq;
            int de = rowAt + pe * phase + ce, dOdd = rowAt + (1 - pe) * phase + co;
            for (int ix = 0; ix < cols; ix += 2 * LANES) {
                FloatVector a = FloatVector.fromArray(SPECIES, stage, src + ix);
                FloatVector b = FloatVector.fromArray(SPECIES, stage, src + ix + LANES);
                FloatVector ev = a.rearrange(EVEN_ODD).blend(b.rearrange(ODD_EVEN), UPPER);
                FloatVector od = a.rearrange(ODD_EVEN).blend(b.rearrange(EVEN_ODD), UPPER);
                int rem = cols - ix, j = ix >> 1;
                if (rem >= 2 * LANES) {
                    ev.intoArray(pl, de + j);
                    od.intoArray(pl, dOdd + j);
                } else {
                    ev.intoArray(pl, de + j, SPECIES.indexInRange(0, (rem + 1) >> 1));
                    od.intoArray(pl, dOdd + j, SPECIES.indexInRange(0, rem >> 1));
                }
            }
        }
    }

    /**
     * 3×3: o[i …] for i < nv in whole vectors, the nine weights in registers and the nine tap offsets loop invariants,
     * so that every load is the loop index plus an invariant (C2 then hoists the range checks out of the loop). No sum
     * depends on the previous iteration's, so the core overlaps the iterations' FMA chains.
     */
    private static void flat3(float[] pl, float[] o, int nv, int[] off, float[] wt, int wc, float b, float lo, float hi) {
        int t0 = off[0], t1 = off[1], t2 = off[2], t3 = off[3], t4 = off[4], t5 = off[5], t6 = off[6], t7 = off[7], t8 = off[8];
        FloatVector w0 = FloatVector.broadcast(SPECIES, wt[wc]), w1 = FloatVector.broadcast(SPECIES, wt[wc + 1]);
        FloatVector w2 = FloatVector.broadcast(SPECIES, wt[wc + 2]), w3 = FloatVector.broadcast(SPECIES, wt[wc + 3]);
        FloatVector w4 = FloatVector.broadcast(SPECIES, wt[wc + 4]), w5 = FloatVector.broadcast(SPECIES, wt[wc + 5]);
        FloatVector w6 = FloatVector.broadcast(SPECIES, wt[wc + 6]), w7 = FloatVector.broadcast(SPECIES, wt[wc + 7]);
        FloatVector w8 = FloatVector.broadcast(SPECIES, wt[wc + 8]);
        FloatVector bv = FloatVector.broadcast(SPECIES, b);
        for (int i = 0; i < nv; i += LANES) {
            FloatVector a = fma(w0, FloatVector.fromArray(SPECIES, pl, i + t0), bv);
            a = fma(w1, FloatVector.fromArray(SPECIES, pl, i + t1), a);
            a = fma(w2, FloatVector.fromArray(SPECIES, pl, i + t2), a);
            a = fma(w3, FloatVector.fromArray(SPECIES, pl, i + t3), a);
            a = fma(w4, FloatVector.fromArray(SPECIES, pl, i + t4), a);
            a = fma(w5, FloatVector.fromArray(SPECIES, pl, i + t5), a);
            a = fma(w6, FloatVector.fromArray(SPECIES, pl, i + t6), a);
            a = fma(w7, FloatVector.fromArray(SPECIES, pl, i + t7), a);
            a = fma(w8, FloatVector.fromArray(SPECIES, pl, i + t8), a);
            clamp(a, lo, hi).intoArray(o, i);
        }
    }

    /**
     * Any k: o[i …] = clamp(b + Σ_t wt[wc + t] · pl[off[t] + i …]) for i < nv, four vectors at a time (four independent
     * chains, one broadcast weight per tap; the taps one flat loop, see {@link #s1Block4}), then one at a time. Kept in
     * one method above C2's hot-inlining size: inlined into {@link #flat} (as two small block methods were), C2 compiled
     * the vector calls out of line in some JVMs and boxed every vector (5×5 layers 3× slower, measured).
     */
    private static void flatAny(int taps, int[] off, float[] pl, float[] wt, int wc, float b, float lo, float hi, float[] o, int nv) {
        FloatVector bv = FloatVector.broadcast(SPECIES, b);
        int i = 0;
        for (; i <= nv - 4 * LANES; i += 4 * LANES) {
            FloatVector a0 = bv, a1 = bv, a2 = bv, a3 = bv;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(SPECIES, wt[wc + t]);
                int at = off[t] + i;
                a0 = fma(wv, FloatVector.fromArray(SPECIES, pl, at), a0);
                a1 = fma(wv, FloatVector.fromArray(SPECIES, pl, at + LANES), a1);
                a2 = fma(wv, FloatVector.fromArray(SPECIES, pl, at + 2 * LANES), a2);
                a3 = fma(wv, FloatVector.fromArray(SPECIES, pl, at + 3 * LANES), a3);
            }
            clamp(a0, lo, hi).intoArray(o, i);
            clamp(a1, lo, hi).intoArray(o, i + LANES);
            clamp(a2, lo, hi).intoArray(o, i + 2 * LANES);
            clamp(a3, lo, hi).intoArray(o, i + 3 * LANES);
        }
        for (; i < nv; i += LANES) {
            FloatVector a = bv;
            for (int t = 0; t < taps; t++) {
                a = fma(FloatVector.broadcast(SPECIES, wt[wc + t]), FloatVector.fromArray(SPECIES, pl, off[t] + i), a);
            }
            clamp(a, lo, hi).intoArray(o, i);
        }
    }

    /**
     * Stride 1, 3×3 with outputs at least a vector wide and 5×5 with outputs at least {@link #DW5_PAIRS_MIN_WIDTH}
     * wide (other shapes: {@link #depthwiseChannels}; 5×5 rows in pairs by {@link #s1Pair5}): each channel's
     * plane is spread (whole vectors, {@link #s1Spread}) into a zero-padded heap plane of row stride
     * {@code wp = padW + w + padW} (loads from a heap array keep C2's range-check elimination: the same kernel reading
     * the segment in place ran 3× slower, and masking the lanes of edge vectors instead of padding left vector
     * operations in Java code on AVX2). Output rows whose three input rows are all inside the plane go in pairs
     * ({@link #s1Pair3}: row reuse, nine weights in registers); the others one at a time with the kernel rows outside
     * the plane skipped (their taps add exact zeros in the specification). Along a row, whole vectors, the last placed
     * to end at wo (overlapping the one before: the same values again). Identity, ReLU and ReLU6 are a clamp in
     * register; hard-sigmoid/-swish run over the stored rows ({@link #activateRow}), other activations in scalar.
     */
    @Override
    public void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                                 float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff,
                                 int ho, int wo) {
        if (ho <= 0 || wo <= 0 || channels <= 0) {
            return;
        }
        boolean pairs5 = k == 5 && wo >= DW5_PAIRS_MIN_WIDTH && Boolean.parseBoolean(System.getProperty("minnow.cnn.dw5Pairs", "true"));
        if (k != 3 && !pairs5 || wo < LANES || flatDepthwise() && wo < FLAT_S1_MAX_WIDTH) {
            // measured no faster here (ConvLayerBench --ab, 1 thread: other sizes through the one-row blocks 0.5–0.8×,
            // 5×5 at 14² 0.96–0.97×, outputs narrower than a vector 0.69×): the ring-row and channels-in-lanes kernels
            // of depthwiseChannels
            depthwiseChannels(k, 1, padH, padW, channels, x, xOff, h, w, wt, wOff, bias, biasOff, act, out, outOff, ho, wo);
            return;
        }
        int code = code(act);
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        int plane = h * w, wp = w + 2 * padW;
        // padded plane: row iy at xp[iy·wp], input column ix at + padW; a tail of zeros that the vectors of the last row
        // (and the spread's whole-vector spill) may reach
        int tail = 2 * LANES + k;
        int padLen = h * wp + tail;
        float[][] sc = S1_SCRATCH.get();
        if (sc[0].length < padLen) {
            sc[0] = new float[padLen];
        }
        float[] xp = sc[0];
        int vw = (wo + LANES - 1) / LANES * LANES;
        if (sc[2].length < 2 * vw) {
            sc[2] = new float[2 * vw];
        }
        float[] acc = sc[2];
        java.util.Arrays.fill(xp, 0, padLen, 0f);
        int[] tapOff = new int[k * k];   // tap (ky, kx) relative to the padded row of kernel row 0
        for (int t = 0; t < k * k; t++) {
            tapOff[t] = (t / k) * wp + t % k;
        }
        long xEnd = x.byteSize();
        // narrow rows: one bulk copy of the plane, then the spread heap to heap (ConvLayerBench --ab, 1 thread: 576
        // channels at 14² 1.20–1.25× faster that way; 56² and 112² planes 1.07–1.16× faster read from the segment)
        boolean staged = w < STAGED_MAX_WIDTH;
        if (staged && sc[1].length < plane + LANES) {
            sc[1] = new float[plane + LANES];
        }
        float[] stage = sc[1];
        for (int c = 0; c < channels; c++) {
            if (staged) {
                MemorySegment.copy(x, F32, (xOff + (long) c * plane) * 4, stage, 0, plane);
                s1Spread(stage, h, w, xp, wp, padW);
            } else {
                s1Spread(x, (xOff + (long) c * plane) * 4, xEnd, h, w, xp, wp, padW);
            }
            long oc = outOff + (long) c * ho * wo;
            float b = bias == null ? 0f : bias[biasOff + c];
            int wc = wOff + c * k * k;
            for (int oy = 0; oy < ho; ) {
                int ky0 = Math.max(0, padH - oy), ky1 = Math.min(k, h + padH - oy);
                long o = oc + (long) oy * wo;
                int rowBase = (oy - padH) * wp;   // padded row of kernel row 0 (only rows ky0..ky1−1 are read)
                int rows = 1;
                if (k == 5) {
                    rows = oy + 1 < ho ? 2 : 1;
                    s1Pair5(xp, oy - padH, h, wp, wt, wc, b, rows == 2, acc, vw, lo, hi, out, o, wo);
                } else if (ky0 == 0 && oy + 1 < ho && oy - padH + 4 <= h) {
                    s1Pair3(xp, rowBase, wp, wt, wc, b, lo, hi, out, o, wo);   // rows oy and oy + 1, all taps inside
                    rows = 2;
                } else {
                    s1Row(tapOff, ky0 * k, ky1 * k, xp, rowBase, wt, wc, b, lo, hi, out, o, wo);
                }
                if (code > 2) {
                    activateRow(code, out, o * 4, rows * wo);
                } else if (code < 0) {
                    for (int i = 0; i < rows * wo; i++) {
                        out.setAtIndex(F32, o + i, ScalarKernels.activation(act, out.getAtIndex(F32, o + i)));
                    }
                }
                oy += rows;
            }
        }
    }

    /**
     * Narrowest output for the 5×5 pairs ({@link #s1Pair5}; {@code -Dminnow.cnn.dw5Pairs=false} turns them off, read
     * per call): ConvLayerBench --ab, 1 thread, 240 channels at 28² 1.11–1.15×, at 14² 0.96–0.97×.
     */
    private static final int DW5_PAIRS_MIN_WIDTH = 24;
    /** Per thread: [0] the padded plane, [1] a plane as copied (narrow rows), [2] two rows of 5×5 partial sums. */
    private static final ThreadLocal<float[][]> S1_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});
    /** Rows narrower than this are spread from a bulk copy of the plane, wider ones straight from the segment. */
    private static final int STAGED_MAX_WIDTH = 24;

    /**
     * Spreads the {@code h × w} plane at byte {@code at} of x into rows of stride {@code wp} at column {@code padW} of
     * {@code xp} in whole vectors read straight from the segment (each row's last vector spills past the row; later
     * rows overwrite what lands in them; a row whose last vector would read past the segment is copied in bulk), then
     * clears the padding columns the spill reached.
     */
    private static void s1Spread(MemorySegment x, long at, long xEnd, int h, int w, float[] xp, int wp, int padW) {
        int vw = (w + LANES - 1) / LANES * LANES;
        for (int iy = 0; iy < h; iy++) {
            long src = at + (long) iy * w * 4;
            int dst = iy * wp + padW;
            if (src + vw * 4L > xEnd) {
                MemorySegment.copy(x, F32, src, xp, dst, w);
                continue;
            }
            for (int j = 0; j < w; j += LANES) {
                FloatVector.fromMemorySegment(SPECIES, x, src + j * 4L, LE).intoArray(xp, dst + j);
            }
        }
        int spill = vw - w;   // cells written past each row's end
        for (int iy = 0; iy < h; iy++) {
            int end = iy * wp + padW + w;
            java.util.Arrays.fill(xp, end, end + Math.min(spill, 2 * padW), 0f);   // right padding, next row's left
            if (spill > 2 * padW && iy == h - 1) {
                java.util.Arrays.fill(xp, end, end + spill, 0f);
            }
        }
    }

    /**
     * Spreads the {@code h × w} plane {@code stage} into rows of stride {@code wp} at column {@code padW} of {@code xp}
     * in whole vectors (each row's last vector spills past the row; later rows overwrite what lands in them), then
     * clears the padding columns the spill reached. {@code stage} has LANES of slack past the plane.
     */
    private static void s1Spread(float[] stage, int h, int w, float[] xp, int wp, int padW) {
        for (int iy = 0; iy < h; iy++) {
            int src = iy * w, dst = iy * wp + padW;
            for (int j = 0; j < w; j += LANES) {
                FloatVector.fromArray(SPECIES, stage, src + j).intoArray(xp, dst + j);
            }
        }
        int spill = (w + LANES - 1) / LANES * LANES - w;   // cells written past each row's end
        for (int iy = 0; iy < h; iy++) {
            int end = iy * wp + padW + w;
            java.util.Arrays.fill(xp, end, end + Math.min(spill, 2 * padW), 0f);   // right padding, next row's left
            if (spill > 2 * padW && iy == h - 1) {
                java.util.Arrays.fill(xp, end, end + spill, 0f);
            }
        }
    }

    /**
     * 3×3, two output rows at once (row reuse: the two middle input rows feed both), nine weights in registers: per
     * column vector 12 loads and 18 FMAs instead of 18 and 18; each sum in the specification's order. Output rows at
     * {@code o} and {@code o + wo}, input rows from {@code xp[rowBase]}, all inside the padded plane.
     */
    private static void s1Pair3(float[] xp, int rowBase, int wp, float[] wt, int wc, float b, float lo, float hi,
                                MemorySegment out, long o, int wo) {
        FloatVector w0 = FloatVector.broadcast(SPECIES, wt[wc]), w1 = FloatVector.broadcast(SPECIES, wt[wc + 1]);
        FloatVector w2 = FloatVector.broadcast(SPECIES, wt[wc + 2]), w3 = FloatVector.broadcast(SPECIES, wt[wc + 3]);
        FloatVector w4 = FloatVector.broadcast(SPECIES, wt[wc + 4]), w5 = FloatVector.broadcast(SPECIES, wt[wc + 5]);
        FloatVector w6 = FloatVector.broadcast(SPECIES, wt[wc + 6]), w7 = FloatVector.broadcast(SPECIES, wt[wc + 7]);
        FloatVector w8 = FloatVector.broadcast(SPECIES, wt[wc + 8]);
        FloatVector bv = FloatVector.broadcast(SPECIES, b);
        int r0 = rowBase, r1 = r0 + wp, r2 = r1 + wp, r3 = r2 + wp;
        long d0 = o * 4, d1 = (o + wo) * 4;
        int last = wo - LANES;
        for (int p = 0; p < wo; p += LANES) {
            int q = Math.min(p, last);
            FloatVector u = fma(w0, FloatVector.fromArray(SPECIES, xp, r0 + q), bv);
            u = fma(w1, FloatVector.fromArray(SPECIES, xp, r0 + q + 1), u);
            u = fma(w2, FloatVector.fromArray(SPECIES, xp, r0 + q + 2), u);
            FloatVector x0 = FloatVector.fromArray(SPECIES, xp, r1 + q);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xp, r1 + q + 1);
            FloatVector x2 = FloatVector.fromArray(SPECIES, xp, r1 + q + 2);
            u = fma(w3, x0, u);
            FloatVector v = fma(w0, x0, bv);
            u = fma(w4, x1, u);
            v = fma(w1, x1, v);
            u = fma(w5, x2, u);
            v = fma(w2, x2, v);
            x0 = FloatVector.fromArray(SPECIES, xp, r2 + q);
            x1 = FloatVector.fromArray(SPECIES, xp, r2 + q + 1);
            x2 = FloatVector.fromArray(SPECIES, xp, r2 + q + 2);
            u = fma(w6, x0, u);
            v = fma(w3, x0, v);
            u = fma(w7, x1, u);
            v = fma(w4, x1, v);
            u = fma(w8, x2, u);
            v = fma(w5, x2, v);
            v = fma(w6, FloatVector.fromArray(SPECIES, xp, r3 + q), v);
            v = fma(w7, FloatVector.fromArray(SPECIES, xp, r3 + q + 1), v);
            v = fma(w8, FloatVector.fromArray(SPECIES, xp, r3 + q + 2), v);
            u.max(lo).min(hi).intoMemorySegment(out, d0 + q * 4L, LE);
            v.max(lo).min(hi).intoMemorySegment(out, d1 + q * 4L, LE);
        }
    }

    /**
     * 5×5, output rows oy and (when {@code two}) oy + 1 in passes over the input rows y0 … y0 + 5 (y0 = oy − padH; rows
     * outside the plane skipped, their taps adding exact zeros in the specification): each pass reads its input row
     * once for both outputs, five weights per output row in registers, the sums kept in {@code acc} (two rows of vw,
     * bias first), so each sum still runs ky outer, kx inner. Then clamped and stored (the last vector ending at wo).
     */
    private static void s1Pair5(float[] xp, int y0, int h, int wp, float[] wt, int wc, float b, boolean two, float[] acc, int vw,
                                float lo, float hi, MemorySegment out, long o, int wo) {
        java.util.Arrays.fill(acc, 0, two ? 2 * vw : vw, b);
        for (int r = 0; r < (two ? 6 : 5); r++) {
            int iy = y0 + r;
            if (iy < 0 || iy >= h) {
                continue;
            }
            int xr = iy * wp;
            boolean first = r <= 4, second = two && r >= 1;
            if (first && second) {
                s1Pass5Two(xp, xr, wt, wc + r * 5, wc + (r - 1) * 5, acc, vw);
            } else {
                s1Pass5(xp, xr, wt, first ? wc + r * 5 : wc + (r - 1) * 5, acc, first ? 0 : vw, vw);
            }
        }
        s1Store(acc, 0, lo, hi, out, o, wo);
        if (two) {
            s1Store(acc, vw, lo, hi, out, o + wo, wo);
        }
    }

    /** acc[a + q …] += the five taps of weights wt[w0 …] over padded row xp[xr …], for q < vw. */
    private static void s1Pass5(float[] xp, int xr, float[] wt, int w0, float[] acc, int a, int vw) {
        FloatVector u0 = FloatVector.broadcast(SPECIES, wt[w0]), u1 = FloatVector.broadcast(SPECIES, wt[w0 + 1]);
        FloatVector u2 = FloatVector.broadcast(SPECIES, wt[w0 + 2]), u3 = FloatVector.broadcast(SPECIES, wt[w0 + 3]);
        FloatVector u4 = FloatVector.broadcast(SPECIES, wt[w0 + 4]);
        for (int q = 0; q < vw; q += LANES) {
            int x = xr + q;
            FloatVector s = FloatVector.fromArray(SPECIES, acc, a + q);
            s = fma(u0, FloatVector.fromArray(SPECIES, xp, x), s);
            s = fma(u1, FloatVector.fromArray(SPECIES, xp, x + 1), s);
            s = fma(u2, FloatVector.fromArray(SPECIES, xp, x + 2), s);
            s = fma(u3, FloatVector.fromArray(SPECIES, xp, x + 3), s);
            s = fma(u4, FloatVector.fromArray(SPECIES, xp, x + 4), s);
            s.intoArray(acc, a + q);
        }
    }

    /** {@link #s1Pass5} into both rows of acc at once: weights wt[wA …] for row 0, wt[wB …] for row 1. */
    private static void s1Pass5Two(float[] xp, int xr, float[] wt, int wA, int wB, float[] acc, int vw) {
        FloatVector a0 = FloatVector.broadcast(SPECIES, wt[wA]), a1 = FloatVector.broadcast(SPECIES, wt[wA + 1]);
        FloatVector a2 = FloatVector.broadcast(SPECIES, wt[wA + 2]), a3 = FloatVector.broadcast(SPECIES, wt[wA + 3]);
        FloatVector a4 = FloatVector.broadcast(SPECIES, wt[wA + 4]);
        FloatVector b0 = FloatVector.broadcast(SPECIES, wt[wB]), b1 = FloatVector.broadcast(SPECIES, wt[wB + 1]);
        FloatVector b2 = FloatVector.broadcast(SPECIES, wt[wB + 2]), b3 = FloatVector.broadcast(SPECIES, wt[wB + 3]);
        FloatVector b4 = FloatVector.broadcast(SPECIES, wt[wB + 4]);
        for (int q = 0; q < vw; q += LANES) {
            int x = xr + q;
            FloatVector s = FloatVector.fromArray(SPECIES, acc, q), t = FloatVector.fromArray(SPECIES, acc, vw + q);
            FloatVector v = FloatVector.fromArray(SPECIES, xp, x);
            s = fma(a0, v, s);
            t = fma(b0, v, t);
            v = FloatVector.fromArray(SPECIES, xp, x + 1);
            s = fma(a1, v, s);
            t = fma(b1, v, t);
            v = FloatVector.fromArray(SPECIES, xp, x + 2);
            s = fma(a2, v, s);
            t = fma(b2, v, t);
            v = FloatVector.fromArray(SPECIES, xp, x + 3);
            s = fma(a3, v, s);
            t = fma(b3, v, t);
            v = FloatVector.fromArray(SPECIES, xp, x + 4);
            s = fma(a4, v, s);
            t = fma(b4, v, t);
            s.intoArray(acc, q);
            t.intoArray(acc, vw + q);
        }
    }

    /** out[o + q] = clamp(acc[a + q]) for q < wo (≥ LANES): whole vectors, the last ending at wo. */
    private static void s1Store(float[] acc, int a, float lo, float hi, MemorySegment out, long o, int wo) {
        int last = wo - LANES;
        for (int p = 0; p < wo; p += LANES) {
            int q = Math.min(p, last);
            FloatVector.fromArray(SPECIES, acc, a + q).max(lo).min(hi).intoMemorySegment(out, (o + q) * 4, LE);
        }
    }

    /** One output row of at least one vector: padded row of kernel row 0 at {@code xp[rowBase]}, taps [t0, t1). */
    private static void s1Row(int[] tapOff, int t0, int t1, float[] xp, int rowBase, float[] wt, int wc, float b,
                              float lo, float hi, MemorySegment out, long o, int wo) {
        int last = wo - LANES;
        int p = 0;
        for (; p + 4 * LANES <= wo; p += 4 * LANES) {
            s1Block4(tapOff, t0, t1, xp, rowBase, wt, wc, b, lo, hi, out, o, p);
        }
        // one vector at a time, written out here like the other row kernels of this class: a helper returning the vector
        // (80 bytes) is boxed wherever the JIT leaves it out of line (PrintInlining showed C1 refusing it here; no
        // slowdown from it was measured)
        for (; p < wo; p += LANES) {
            int q = Math.min(p, last);
            FloatVector a = FloatVector.broadcast(SPECIES, b);
            int base = rowBase + q;
            for (int t = t0; t < t1; t++) {
                a = fma(FloatVector.broadcast(SPECIES, wt[wc + t]), FloatVector.fromArray(SPECIES, xp, base + tapOff[t]), a);
            }
            a.max(lo).min(hi).intoMemorySegment(out, (o + q) * 4, LE);
        }
    }

    /**
     * Four vectors at output columns [q, q + 4·LANES): one broadcast weight per tap, four accumulators; taps [t0, t1)
     * at {@code xp[rowBase + q + tapOff[t]]} with weight {@code wt[wc + t]}. One flat loop: accumulators carried
     * through nested loops were boxed by C2 (3× slower, measured).
     */
    private static void s1Block4(int[] tapOff, int t0, int t1, float[] xp, int rowBase, float[] wt, int wc, float b,
                                 float lo, float hi, MemorySegment out, long o, int q) {
        FloatVector a0 = FloatVector.broadcast(SPECIES, b), a1 = a0, a2 = a0, a3 = a0;
        int base = rowBase + q;
        for (int t = t0; t < t1; t++) {
            FloatVector wv = FloatVector.broadcast(SPECIES, wt[wc + t]);
            int at = base + tapOff[t];
            a0 = fma(wv, FloatVector.fromArray(SPECIES, xp, at), a0);
            a1 = fma(wv, FloatVector.fromArray(SPECIES, xp, at + LANES), a1);
            a2 = fma(wv, FloatVector.fromArray(SPECIES, xp, at + 2 * LANES), a2);
            a3 = fma(wv, FloatVector.fromArray(SPECIES, xp, at + 3 * LANES), a3);
        }
        long d = (o + q) * 4;
        a0.max(lo).min(hi).intoMemorySegment(out, d, LE);
        a1.max(lo).min(hi).intoMemorySegment(out, d + LANES * 4L, LE);
        a2.max(lo).min(hi).intoMemorySegment(out, d + 2 * LANES * 4L, LE);
        a3.max(lo).min(hi).intoMemorySegment(out, d + 3 * LANES * 4L, LE);
    }

    /**
     * Widest output for {@link #interleaved}: 32 for 3×3 and 5×5, 16 for other sizes; wider ones run {@link #flat}
     * ({@code -Dminnow.cnn.dwInterleavedMaxWidth=N} sets one width for all sizes, {@code -Dminnow.cnn.dwInterleaved=false}
     * sends everything to flat; both read per call, for A/B runs). ConvLayerBench --ab, 1 thread (session 17, Zen 5,
     * 512 bits), against flat: 3×3 outputs of 7 to 28 1.13–2.64× (stride 2 576 @14 2.4–2.6×, 960 @7 1.56–1.63×), 56
     * wide 0.84–1.03×; 5×5 (through {@link #il5}) 7 to 14 wide 1.55–1.74×, 28 wide 1.07–1.15×.
     */
    /** Per thread: [0] the zero-padded grid of one channel block, [1] its output, [2] its weight vectors and bias. */
    private static final ThreadLocal<float[][]> DW_NCHWC = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * Channel-blocked depthwise: per block, its rows copied in bulk into a zero-padded {@code hp × wp × LANES} grid
     * (the padding cleared once per call), then the channels-in-lanes kernels of {@link #interleaved} ({@link #il3},
     * {@link #il5}, {@link #ilAny4}), and the block's output copied out in one run. No transposes: the layout is
     * already the lanes'. Other lane counts: the specification.
     */
    @Override
    public void depthwiseNchwc(int lanes, int k, int s, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                               float[] packed, Activation act, MemorySegment out, long outOff, int ho, int wo, int cb0, int cb1) {
        if (lanes != LANES) {
            CnnKernels.scalar().depthwiseNchwc(lanes, k, s, padH, padW, channels, x, xOff, h, w, packed, act, out, outOff, ho, wo, cb0, cb1);
            return;
        }
        if (ho <= 0 || wo <= 0 || cb0 >= cb1) {
            return;
        }
        int hp = (ho - 1) * s + k, wp = (wo - 1) * s + k, taps = k * k, oplane = ho * wo;
        int code = code(act);
        if (k == 3 && (s == 2 || s == 1 && wo >= DW_DIRECT_MIN_WIDTH_S1) && code >= 0 && dwDirect()) {
            float[] wv = DW_DIRECT.get();
            for (int cb = cb0; cb < cb1; cb++) {
                System.arraycopy(packed, cb * (taps + 1) * LANES, wv, 0, (taps + 1) * LANES);
                dw3Direct(s, x, (xOff + (long) cb * h * w * LANES) * 4, h, w, padH, padW, wv, out, (outOff + (long) cb * oplane * LANES) * 4,
                        ho, wo, code, Math.min(LANES, channels - cb * LANES));
            }
            return;
        }
        float[][] sc = DW_NCHWC.get();
        int gridLen = hp * wp * LANES;
        if (sc[0].length < gridLen) {
            sc[0] = new float[gridLen];
        }
        if (sc[1].length < oplane * LANES) {
            sc[1] = new float[oplane * LANES];
        }
        if (sc[2].length < (taps + 1) * LANES) {
            sc[2] = new float[(taps + 1) * LANES];
        }
        float[] grid = sc[0], o = sc[1], wv = sc[2];
        int rows = Math.max(0, Math.min(h, hp - padH)), cols = Math.max(0, Math.min(w, wp - padW));
        if (rows == 0 || cols == 0) {
            java.util.Arrays.fill(grid, 0, gridLen, 0f);
        } else {
            java.util.Arrays.fill(grid, 0, padH * wp * LANES, 0f);
            java.util.Arrays.fill(grid, (padH + rows) * wp * LANES, gridLen, 0f);
            for (int gy = padH; gy < padH + rows; gy++) {
                java.util.Arrays.fill(grid, gy * wp * LANES, (gy * wp + padW) * LANES, 0f);
                java.util.Arrays.fill(grid, (gy * wp + padW + cols) * LANES, (gy + 1) * wp * LANES, 0f);
            }
        }
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        boolean written = (k == 3 || k == 5) && s <= 2;
        int after = written && (code == 1 || code == 2) ? 0 : code;   // ReLU and ReLU6 clamp in register there
        for (int cb = cb0; cb < cb1; cb++) {
            int n = Math.min(LANES, channels - cb * LANES);
            System.arraycopy(packed, cb * (taps + 1) * LANES, wv, 0, (taps + 1) * LANES);
            long src = xOff + (long) cb * h * w * LANES;
            for (int iy = 0; iy < rows; iy++) {
                MemorySegment.copy(x, F32, (src + (long) iy * w * LANES) * 4, grid, ((iy + padH) * wp + padW) * LANES, cols * LANES);
            }
            if (k == 3 && s <= 2) {
                il3(s, grid, wp, wv, o, ho, wo, lo, hi);
            } else if (k == 5 && s <= 2) {
                il5(s, grid, wp, wv, o, ho, wo, lo, hi);
            } else {
                ilAny4(k, s, grid, wp, wv, o, ho, wo);
            }
            if (after != 0) {
                activateArray(after, act, o, oplane * LANES);
            }
            if (n < LANES) {
                zeroLanesFrom(n, o, oplane);
            }
            MemorySegment.copy(o, 0, out, F32, (outOff + (long) cb * oplane * LANES) * 4, oplane * LANES);
        }
    }

    /**
     * Whether channel-blocked 3×3 depthwise layers (stride 1 or 2, activations up to hard-swish) read their input and
     * write their output in place ({@link #dw3Direct}, default) rather than through a zero-padded heap grid and a heap
     * output block ({@code -Dminnow.cnn.dwDirect=false}; read per call, for A/B runs).
     */
    private static boolean dwDirect() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwDirect", "true"));
    }

    /**
     * Narrowest stride-1 output row for {@link #dw3Direct}: its padding columns take the slow per-pixel path, and on
     * 14- and 7-wide planes that made it slower than the grid (ConvLayerBench --ab, 1 thread: 576 channels at 14²
     * 0.88×, 960 at 7² 0.64×; at 28² and wider 1.2–1.8× faster). Stride 2 pads only the left column of even planes
     * (576 channels at 14² → 7²: 1.08×).
     */
    private static final int DW_DIRECT_MIN_WIDTH_S1 = 20;

    /** Per thread: one block's 3×3 weight vectors and its bias vector, for {@link #dw3Direct}. */
    private static final ThreadLocal<float[]> DW_DIRECT = ThreadLocal.withInitial(() -> new float[10 * LANES]);

    /**
     * One channel block of a 3×3 depthwise convolution at stride 1 or 2, read from the blocked input at byte {@code xb}
     * (h × w pixels of L lanes) and written to the blocked output at byte {@code ob}, activation {@code code} (0–4) in
     * register and the lanes from {@code n} on cleared. Output rows whose three input rows exist run their interior
     * pixels through {@link #dw3RowS1} / {@link #dw3RowS2} (loads straight from the segment, shared between neighbouring
     * outputs); the pixels whose window reaches into the padding take {@link #dw3Edge}, which reads zeros there. Same
     * sums in the same order as the specification.
     */
    private static void dw3Direct(int s, MemorySegment x, long xb, int h, int w, int padH, int padW, float[] wv, MemorySegment out, long ob,
                                  int ho, int wo, int code, int n) {
        long px = 4L * LANES, rowBytes = w * px;
        int oxA = Math.min(wo, (padW + s - 1) / s);
        int oxB = Math.max(oxA, w + padW >= 3 ? Math.min(wo, (w + padW - 3) / s + 1) : 0);
        // ReLU and ReLU6 clamp in register; hard-sigmoid, hard-swish and the lanes past n in a pass over each row
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        for (int oy = 0; oy < ho; oy++) {
            int iy = oy * s - padH;
            long d = ob + (long) oy * wo * px;
            int to = wo;
            if (iy >= 0 && iy + 2 < h && oxB > oxA) {
                long r0 = xb + iy * rowBytes + (long) (oxA * s - padW) * px;
                if (s == 1) {
                    dw3RowS1(x, r0, rowBytes, wv, out, d + oxA * px, oxB - oxA, lo, hi);
                } else {
                    dw3RowS2(x, r0, rowBytes, wv, out, d + oxA * px, oxB - oxA, lo, hi);
                }
                for (int ox = oxB; ox < wo; ox++) {
                    dw3Edge(s, x, xb, h, w, padH, padW, wv, out, d + ox * px, oy, ox, lo, hi);
                }
                to = oxA;
            }
            for (int ox = 0; ox < to; ox++) {
                dw3Edge(s, x, xb, h, w, padH, padW, wv, out, d + ox * px, oy, ox, lo, hi);
            }
            if (code >= 3 || n < LANES) {
                dwFinish(out, d, wo, code, n);
            }
        }
    }

    /** One output pixel of {@link #dw3Direct} whose window may leave the plane: zeros there, the same order of sums. */
    private static void dw3Edge(int s, MemorySegment x, long xb, int h, int w, int padH, int padW, float[] wv, MemorySegment out, long at,
                                int oy, int ox, float lo, float hi) {
        FloatVector acc = FloatVector.fromArray(SPECIES, wv, 9 * LANES), zero = FloatVector.zero(SPECIES);
        for (int ky = 0; ky < 3; ky++) {
            int iy = oy * s - padH + ky;
            for (int kx = 0; kx < 3; kx++) {
                int ix = ox * s - padW + kx;
                FloatVector v = iy >= 0 && iy < h && ix >= 0 && ix < w
                        ? FloatVector.fromMemorySegment(SPECIES, x, xb + ((long) iy * w + ix) * LANES * 4, LE) : zero;
                FloatVector u = FloatVector.fromArray(SPECIES, wv, (ky * 3 + kx) * LANES);
                acc = FMA ? u.fma(v, acc) : u.mul(v).add(acc);
            }
        }
        clamp(acc, lo, hi).intoMemorySegment(out, at, LE);
    }

    /**
     * The rest of {@link #dw3Direct}'s epilogue over one output row of {@code count} pixels at byte {@code d}:
     * hard-sigmoid (3) or hard-swish (4) as {@link #activateArray} computes them, then the lanes from {@code n} on set to +0.
     */
    private static void dwFinish(MemorySegment out, long d, int count, int code, int n) {
        VectorMask<Float> keep = SPECIES.indexInRange(0, n);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int j = 0; j < count; j++) {
            long at = d + 4L * j * LANES;
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, out, at, LE);
            if (code == 3) {
                v = clamp(v.div(6f).add(0.5f), 0f, 1f);
            } else if (code == 4) {
                v = v.mul(clamp(v.div(6f).add(0.5f), 0f, 1f));
            }
            zero.blend(v, keep).intoMemorySegment(out, at, LE);
        }
    }

    /**
     * {@code count} consecutive interior outputs of a stride-1 3×3 row: window rows at bytes {@code r0}, + rowBytes,
     * + 2·rowBytes (first window column), four outputs per step from six loaded columns per row.
     */
    private static void dw3RowS1(MemorySegment x, long r0, long rowBytes, float[] wv, MemorySegment out, long d, int count, float lo, float hi) {
        FloatVector w0 = FloatVector.fromArray(SPECIES, wv, 0), w1 = FloatVector.fromArray(SPECIES, wv, LANES);
        FloatVector w2 = FloatVector.fromArray(SPECIES, wv, 2 * LANES), w3 = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
        FloatVector w4 = FloatVector.fromArray(SPECIES, wv, 4 * LANES), w5 = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
        FloatVector w6 = FloatVector.fromArray(SPECIES, wv, 6 * LANES), w7 = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
        FloatVector w8 = FloatVector.fromArray(SPECIES, wv, 8 * LANES), b = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        long px = 4L * LANES;
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            long c = r0 + j * px;
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE), x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE), x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            FloatVector x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE), x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            FloatVector a0 = (FMA ? w0.fma(x0, b) : w0.mul(x0).add(b)), a1 = (FMA ? w0.fma(x1, b) : w0.mul(x1).add(b)), a2 = (FMA ? w0.fma(x2, b) : w0.mul(x2).add(b)), a3 = (FMA ? w0.fma(x3, b) : w0.mul(x3).add(b));
            a0 = (FMA ? w1.fma(x1, a0) : w1.mul(x1).add(a0)); a1 = (FMA ? w1.fma(x2, a1) : w1.mul(x2).add(a1)); a2 = (FMA ? w1.fma(x3, a2) : w1.mul(x3).add(a2)); a3 = (FMA ? w1.fma(x4, a3) : w1.mul(x4).add(a3));
            a0 = (FMA ? w2.fma(x2, a0) : w2.mul(x2).add(a0)); a1 = (FMA ? w2.fma(x3, a1) : w2.mul(x3).add(a1)); a2 = (FMA ? w2.fma(x4, a2) : w2.mul(x4).add(a2)); a3 = (FMA ? w2.fma(x5, a3) : w2.mul(x5).add(a3));
            c += rowBytes;
            x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE); x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE); x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE); x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            a0 = (FMA ? w3.fma(x0, a0) : w3.mul(x0).add(a0)); a1 = (FMA ? w3.fma(x1, a1) : w3.mul(x1).add(a1)); a2 = (FMA ? w3.fma(x2, a2) : w3.mul(x2).add(a2)); a3 = (FMA ? w3.fma(x3, a3) : w3.mul(x3).add(a3));
            a0 = (FMA ? w4.fma(x1, a0) : w4.mul(x1).add(a0)); a1 = (FMA ? w4.fma(x2, a1) : w4.mul(x2).add(a1)); a2 = (FMA ? w4.fma(x3, a2) : w4.mul(x3).add(a2)); a3 = (FMA ? w4.fma(x4, a3) : w4.mul(x4).add(a3));
            a0 = (FMA ? w5.fma(x2, a0) : w5.mul(x2).add(a0)); a1 = (FMA ? w5.fma(x3, a1) : w5.mul(x3).add(a1)); a2 = (FMA ? w5.fma(x4, a2) : w5.mul(x4).add(a2)); a3 = (FMA ? w5.fma(x5, a3) : w5.mul(x5).add(a3));
            c += rowBytes;
            x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE); x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE); x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE); x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            a0 = (FMA ? w6.fma(x0, a0) : w6.mul(x0).add(a0)); a1 = (FMA ? w6.fma(x1, a1) : w6.mul(x1).add(a1)); a2 = (FMA ? w6.fma(x2, a2) : w6.mul(x2).add(a2)); a3 = (FMA ? w6.fma(x3, a3) : w6.mul(x3).add(a3));
            a0 = (FMA ? w7.fma(x1, a0) : w7.mul(x1).add(a0)); a1 = (FMA ? w7.fma(x2, a1) : w7.mul(x2).add(a1)); a2 = (FMA ? w7.fma(x3, a2) : w7.mul(x3).add(a2)); a3 = (FMA ? w7.fma(x4, a3) : w7.mul(x4).add(a3));
            a0 = (FMA ? w8.fma(x2, a0) : w8.mul(x2).add(a0)); a1 = (FMA ? w8.fma(x3, a1) : w8.mul(x3).add(a1)); a2 = (FMA ? w8.fma(x4, a2) : w8.mul(x4).add(a2)); a3 = (FMA ? w8.fma(x5, a3) : w8.mul(x5).add(a3));
            a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + j * px, LE);
            a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 1) * px, LE);
            a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 2) * px, LE);
            a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 3) * px, LE);
        }
        for (; j < count; j++) {
            dw3One(x, r0 + j * px, rowBytes, px, wv, out, d + j * px, lo, hi);
        }
    }

    /** {@link #dw3RowS1} at stride 2: four outputs per step from nine loaded columns per row. */
    private static void dw3RowS2(MemorySegment x, long r0, long rowBytes, float[] wv, MemorySegment out, long d, int count, float lo, float hi) {
        FloatVector w0 = FloatVector.fromArray(SPECIES, wv, 0), w1 = FloatVector.fromArray(SPECIES, wv, LANES);
        FloatVector w2 = FloatVector.fromArray(SPECIES, wv, 2 * LANES), w3 = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
        FloatVector w4 = FloatVector.fromArray(SPECIES, wv, 4 * LANES), w5 = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
        FloatVector w6 = FloatVector.fromArray(SPECIES, wv, 6 * LANES), w7 = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
        FloatVector w8 = FloatVector.fromArray(SPECIES, wv, 8 * LANES), b = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        long px = 4L * LANES;
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            long c = r0 + 2 * j * px;
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE); FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE); FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            FloatVector x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE); FloatVector x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            FloatVector x6 = FloatVector.fromMemorySegment(SPECIES, x, c + 6 * px, LE); FloatVector x7 = FloatVector.fromMemorySegment(SPECIES, x, c + 7 * px, LE);
            FloatVector x8 = FloatVector.fromMemorySegment(SPECIES, x, c + 8 * px, LE);
            FloatVector a0 = (FMA ? w0.fma(x0, b) : w0.mul(x0).add(b)), a1 = (FMA ? w0.fma(x2, b) : w0.mul(x2).add(b)), a2 = (FMA ? w0.fma(x4, b) : w0.mul(x4).add(b)), a3 = (FMA ? w0.fma(x6, b) : w0.mul(x6).add(b));
            a0 = (FMA ? w1.fma(x1, a0) : w1.mul(x1).add(a0)); a1 = (FMA ? w1.fma(x3, a1) : w1.mul(x3).add(a1)); a2 = (FMA ? w1.fma(x5, a2) : w1.mul(x5).add(a2)); a3 = (FMA ? w1.fma(x7, a3) : w1.mul(x7).add(a3));
            a0 = (FMA ? w2.fma(x2, a0) : w2.mul(x2).add(a0)); a1 = (FMA ? w2.fma(x4, a1) : w2.mul(x4).add(a1)); a2 = (FMA ? w2.fma(x6, a2) : w2.mul(x6).add(a2)); a3 = (FMA ? w2.fma(x8, a3) : w2.mul(x8).add(a3));
            c += rowBytes;
            x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE); x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE); x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE); x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            x6 = FloatVector.fromMemorySegment(SPECIES, x, c + 6 * px, LE); x7 = FloatVector.fromMemorySegment(SPECIES, x, c + 7 * px, LE);
            x8 = FloatVector.fromMemorySegment(SPECIES, x, c + 8 * px, LE);
            a0 = (FMA ? w3.fma(x0, a0) : w3.mul(x0).add(a0)); a1 = (FMA ? w3.fma(x2, a1) : w3.mul(x2).add(a1)); a2 = (FMA ? w3.fma(x4, a2) : w3.mul(x4).add(a2)); a3 = (FMA ? w3.fma(x6, a3) : w3.mul(x6).add(a3));
            a0 = (FMA ? w4.fma(x1, a0) : w4.mul(x1).add(a0)); a1 = (FMA ? w4.fma(x3, a1) : w4.mul(x3).add(a1)); a2 = (FMA ? w4.fma(x5, a2) : w4.mul(x5).add(a2)); a3 = (FMA ? w4.fma(x7, a3) : w4.mul(x7).add(a3));
            a0 = (FMA ? w5.fma(x2, a0) : w5.mul(x2).add(a0)); a1 = (FMA ? w5.fma(x4, a1) : w5.mul(x4).add(a1)); a2 = (FMA ? w5.fma(x6, a2) : w5.mul(x6).add(a2)); a3 = (FMA ? w5.fma(x8, a3) : w5.mul(x8).add(a3));
            c += rowBytes;
            x0 = FloatVector.fromMemorySegment(SPECIES, x, c, LE); x1 = FloatVector.fromMemorySegment(SPECIES, x, c + px, LE);
            x2 = FloatVector.fromMemorySegment(SPECIES, x, c + 2 * px, LE); x3 = FloatVector.fromMemorySegment(SPECIES, x, c + 3 * px, LE);
            x4 = FloatVector.fromMemorySegment(SPECIES, x, c + 4 * px, LE); x5 = FloatVector.fromMemorySegment(SPECIES, x, c + 5 * px, LE);
            x6 = FloatVector.fromMemorySegment(SPECIES, x, c + 6 * px, LE); x7 = FloatVector.fromMemorySegment(SPECIES, x, c + 7 * px, LE);
            x8 = FloatVector.fromMemorySegment(SPECIES, x, c + 8 * px, LE);
            a0 = (FMA ? w6.fma(x0, a0) : w6.mul(x0).add(a0)); a1 = (FMA ? w6.fma(x2, a1) : w6.mul(x2).add(a1)); a2 = (FMA ? w6.fma(x4, a2) : w6.mul(x4).add(a2)); a3 = (FMA ? w6.fma(x6, a3) : w6.mul(x6).add(a3));
            a0 = (FMA ? w7.fma(x1, a0) : w7.mul(x1).add(a0)); a1 = (FMA ? w7.fma(x3, a1) : w7.mul(x3).add(a1)); a2 = (FMA ? w7.fma(x5, a2) : w7.mul(x5).add(a2)); a3 = (FMA ? w7.fma(x7, a3) : w7.mul(x7).add(a3));
            a0 = (FMA ? w8.fma(x2, a0) : w8.mul(x2).add(a0)); a1 = (FMA ? w8.fma(x4, a1) : w8.mul(x4).add(a1)); a2 = (FMA ? w8.fma(x6, a2) : w8.mul(x6).add(a2)); a3 = (FMA ? w8.fma(x8, a3) : w8.mul(x8).add(a3));
            a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + j * px, LE);
            a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 1) * px, LE);
            a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 2) * px, LE);
            a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoMemorySegment(out, d + (j + 3) * px, LE);
        }
        for (; j < count; j++) {
            dw3One(x, r0 + 2 * j * px, rowBytes, px, wv, out, d + j * px, lo, hi);
        }
    }

    /** One interior output of {@link #dw3RowS1}/{@link #dw3RowS2}: its window's first column at byte {@code c}. */
    private static void dw3One(MemorySegment x, long c, long rowBytes, long px, float[] wv, MemorySegment out, long at, float lo, float hi) {
        FloatVector acc = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
        for (int ky = 0; ky < 3; ky++, c += rowBytes) {
            for (int kx = 0; kx < 3; kx++) {
                FloatVector u = FloatVector.fromArray(SPECIES, wv, (ky * 3 + kx) * LANES), v = FloatVector.fromMemorySegment(SPECIES, x, c + kx * px, LE);
                acc = FMA ? u.fma(v, acc) : u.mul(v).add(acc);
            }
        }
        clamp(acc, lo, hi).intoMemorySegment(out, at, LE);
    }

    /** {@link CnnKernels#blockedMeans}: whole pixel vectors added in pixel order, then divided. */
    @Override
    public void blockedMeans(int lanes, int blocks, int plane, MemorySegment x, long xOff, float[] out) {
        if (lanes != LANES) {
            CnnKernels.super.blockedMeans(lanes, blocks, plane, x, xOff, out);
            return;
        }
        for (int cb = 0; cb < blocks; cb++) {
            long at = (xOff + (long) cb * plane * LANES) * 4;
            FloatVector s = FloatVector.zero(SPECIES);
            for (int p = 0; p < plane; p++) {
                s = s.add(FloatVector.fromMemorySegment(SPECIES, x, at + 4L * p * LANES, LE));
            }
            s.div((float) plane).intoArray(out, cb * LANES);
        }
    }

    /** {@link CnnKernels#blockedScale}: one multiply per pixel vector, the lanes past the channels blended to +0. */
    @Override
    public void blockedScale(int lanes, int channels, int plane, float[] g, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (lanes != LANES) {
            CnnKernels.super.blockedScale(lanes, channels, plane, g, x, xOff, y, yOff);
            return;
        }
        int blocks = (channels + LANES - 1) / LANES;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int cb = 0; cb < blocks; cb++) {
            int n = Math.min(LANES, channels - cb * LANES);
            VectorMask<Float> keep = SPECIES.indexInRange(0, n);
            FloatVector gv = zero.blend(FloatVector.fromArray(SPECIES, g, cb * LANES, keep), keep);
            long xa = (xOff + (long) cb * plane * LANES) * 4, ya = (yOff + (long) cb * plane * LANES) * 4;
            for (int p = 0; p < plane; p++) {
                FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, xa + 4L * p * LANES, LE).mul(gv);
                (n < LANES ? zero.blend(v, keep) : v).intoMemorySegment(y, ya + 4L * p * LANES, LE);
            }
        }
    }

    /** Per thread: an L × L square as loaded and as transposed, for the layout conversions. */
    private static final ThreadLocal<float[]> CONVERT = ThreadLocal.withInitial(() -> new float[2 * LANES * LANES + LANES]);

    /**
     * NCHW → blocked by L × L squares: L channels' rows of L pixels loaded (zeros past the channels), transposed in
     * registers, stored as L pixels of L lanes in one run; the pixels past the last whole square one by one.
     */
    @Override
    public void nchwToBlocked(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (lanes != LANES) {
            CnnKernels.toNchwc(lanes, channels, plane, x, xOff, y, yOff);
            return;
        }
        float[] sq = CONVERT.get();
        int blocks = (channels + LANES - 1) / LANES, whole = plane / LANES * LANES, t = LANES * LANES;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int cb = 0; cb < blocks; cb++) {
            int n = Math.min(LANES, channels - cb * LANES);
            long dst = (yOff + (long) cb * plane * LANES) * 4;
            for (int p = 0; p < whole; p += LANES) {
                for (int l = 0; l < LANES; l++) {
                    (l < n ? FloatVector.fromMemorySegment(SPECIES, x, (xOff + (long) (cb * LANES + l) * plane + p) * 4, LE) : zero).intoArray(sq, l * LANES);
                }
                transpose(sq, 0, LANES, sq, t, LANES);
                MemorySegment.copy(sq, t, y, F32, dst + 4L * p * LANES, t);
            }
            for (int p = whole; p < plane; p++) {
                for (int l = 0; l < LANES; l++) {
                    y.setAtIndex(F32, yOff + ((long) cb * plane + p) * LANES + l, l < n ? x.getAtIndex(F32, xOff + (long) (cb * LANES + l) * plane + p) : 0f);
                }
            }
        }
    }

    /** Blocked → NCHW, the inverse of {@link #nchwToBlocked} for the first {@code channels} channels. */
    @Override
    public void blockedToNchw(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (lanes != LANES) {
            CnnKernels.fromNchwc(lanes, channels, plane, x, xOff, y, yOff);
            return;
        }
        float[] sq = CONVERT.get();
        int blocks = (channels + LANES - 1) / LANES, whole = plane / LANES * LANES, t = LANES * LANES;
        for (int cb = 0; cb < blocks; cb++) {
            int n = Math.min(LANES, channels - cb * LANES);
            long src = (xOff + (long) cb * plane * LANES) * 4;
            for (int p = 0; p < whole; p += LANES) {
                MemorySegment.copy(x, F32, src + 4L * p * LANES, sq, 0, t);
                transpose(sq, 0, LANES, sq, t, LANES);
                for (int l = 0; l < n; l++) {
                    FloatVector.fromArray(SPECIES, sq, t + l * LANES).intoMemorySegment(y, (yOff + (long) (cb * LANES + l) * plane + p) * 4, LE);
                }
            }
            for (int p = whole; p < plane; p++) {
                for (int l = 0; l < n; l++) {
                    y.setAtIndex(F32, yOff + (long) (cb * LANES + l) * plane + p, x.getAtIndex(F32, xOff + ((long) cb * plane + p) * LANES + l));
                }
            }
        }
    }

    /** Lanes {@code n..LANES} of the {@code pixels} vectors of {@code o} set to +0. */
    private static void zeroLanesFrom(int n, float[] o, int pixels) {
        VectorMask<Float> keep = SPECIES.indexInRange(0, n);
        for (int p = 0; p < pixels; p++) {
            FloatVector.fromArray(SPECIES, o, p * LANES, keep).intoArray(o, p * LANES);
        }
    }

    /**
     * Whether a last pixel tile of at most four pixels runs the four-pixel register tile ({@link #pwcTile4}, default)
     * rather than the eight-pixel one ({@code -Dminnow.cnn.quarterTiles=false}; read per call, for A/B runs).
     */
    private static boolean quarterTiles() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.quarterTiles", "true"));
    }

    /** Pixels per tile of {@link #pointwiseNchwc}. */
    private static final int PWC_PIXELS = 8;

    /** Per thread: [0] the staged input of one pixel tile, [1] a finished tile, [2] the bias padded to whole blocks. */
    private static final ThreadLocal<float[][]> PW_NCHWC = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * Channel-blocked pointwise: per tile of {@link #PWC_PIXELS} pixels, the input staged on the heap (a blocked input
     * as {@code [cin/L][8][L]}, one bulk copy per input block; an NCHW one as {@code [cin][8]}, one masked vector load
     * per channel), then per pair of output blocks 2 × 8 accumulators ({@link #pwcTile}: two weight vectors and eight
     * broadcast pixels per input channel; a last single block {@link #pwcTile1}). The tile goes out through a heap block:
     * activation, the lanes past cout cleared, the residual added, one copy per output block (blocked) or a store per
     * channel and pixel (NCHW). Other lane counts: the specification.
     */
    @Override
    public void pointwiseNchwc(int lanes, int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff,
                               boolean xBlocked, int plane, MemorySegment r, long rOff, MemorySegment y, long yOff, boolean yBlocked,
                               int ob0, int ob1, int p0, int p1) {
        if (lanes != LANES || cin == 0) {
            CnnKernels.scalar().pointwiseNchwc(lanes, cout, cin, packed, bias, act, x, xOff, xBlocked, plane, r, rOff, y, yOff, yBlocked,
                    ob0, ob1, p0, p1);
            return;
        }
        int ib = (cin + LANES - 1) / LANES, tileLen = PWC_PIXELS * LANES, obs = (cout + LANES - 1) / LANES;
        float[][] sc = PW_NCHWC.get();
        if (sc[0].length < ib * tileLen + 2 * LANES * LANES) {
            sc[0] = new float[ib * tileLen + 2 * LANES * LANES];   // the staged tile, a transpose's spill, its square
        }
        if (sc[1].length < 3 * tileLen + LANES * LANES) {
            sc[1] = new float[3 * tileLen + LANES * LANES];   // two blocks, the rows a transpose reads past them, its output
        }
        if (sc[2].length < obs * LANES) {
            sc[2] = new float[obs * LANES];
        }
        float[] st = sc[0], t = sc[1], bv = sc[2];
        for (int o = ob0 * LANES; o < ob1 * LANES; o++) {
            bv[o] = bias != null && o < cout ? bias[o] : 0f;
        }
        int code = code(act);
        // whole tiles of a blocked output in one pass (-Dminnow.cnn.pwcDirect=false: the general epilogue)
        boolean direct = yBlocked && code >= 0 && Boolean.parseBoolean(System.getProperty("minnow.cnn.pwcDirect", "true"));
        boolean vectorStage = Boolean.parseBoolean(System.getProperty("minnow.cnn.pwcVectorStage", "true"));
        // ReLU, ReLU6 or none on whole blocks: the two-block tile clamps and stores itself (-Dminnow.cnn.pwcFused=false)
        boolean fused = direct && code <= 2 && Boolean.parseBoolean(System.getProperty("minnow.cnn.pwcFused", "true"));
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        for (int p = p0; p < p1; p += PWC_PIXELS) {
            int np = Math.min(PWC_PIXELS, p1 - p);
            pwcStage(cin, ib, x, xOff, xBlocked, vectorStage, plane, p, np, st);
            for (int ob = ob0, blocks; ob < ob1; ob += blocks) {
                blocks = Math.min(2, ob1 - ob);
                if (blocks == 2 && np <= PWC_PIXELS / 2 && quarterTiles()) {
                    pwcTile4(cin, packed, ob * cin * LANES, (ob + 1) * cin * LANES, st, bv, ob * LANES, t);
                } else if (blocks == 2) {
                    if (fused && r == null && np == PWC_PIXELS && cout >= (ob + 2) * LANES) {
                        // both blocks whole, no residual: clamped and stored from the registers
                        long ya = (yOff + ((long) ob * plane + p) * LANES) * 4;
                        pwcTile(cin, packed, ob * cin * LANES, (ob + 1) * cin * LANES, st, bv, ob * LANES, t, y, ya, (long) plane * LANES * 4, lo, hi);
                        continue;
                    }
                    pwcTile(cin, packed, ob * cin * LANES, (ob + 1) * cin * LANES, st, bv, ob * LANES, t, null, 0, 0, 0f, 0f);
                } else {
                    if (fused && r == null && np == PWC_PIXELS && cout >= (ob + 1) * LANES) {
                        pwcTile1(cin, packed, ob * cin * LANES, st, bv, ob * LANES, t, y, (yOff + ((long) ob * plane + p) * LANES) * 4, lo, hi);
                        continue;
                    }
                    pwcTile1(cin, packed, ob * cin * LANES, st, bv, ob * LANES, t, null, 0, 0f, 0f);
                }
                if (direct && np == PWC_PIXELS) {
                    // whole pixel tiles: clamp, zero the lanes past cout, add the residual, store, in one pass
                    long ya = (yOff + ((long) ob * plane + p) * LANES) * 4, ra = (rOff + ((long) ob * plane + p) * LANES) * 4;
                    long next = (long) plane * LANES * 4;
                    for (int tb = 0; tb < blocks; tb++) {
                        pwcOut(t, tb * tileLen, Math.min(LANES, cout - (ob + tb) * LANES), code, lo, hi, r, ra + tb * next, y, ya + tb * next);
                    }
                    continue;
                }
                if (code != 0) {
                    activateArray(code, act, t, blocks * tileLen);
                }
                for (int tb = 0; tb < blocks; tb++) {
                    int o0 = (ob + tb) * LANES, n = Math.min(LANES, cout - o0);
                    if (yBlocked) {
                        long at = (long) (ob + tb) * plane + p;   // in pixels of L lanes
                        VectorMask<Float> keep = SPECIES.indexInRange(0, Math.max(0, n));
                        for (int j = 0; j < np; j++) {
                            int q = tb * tileLen + j * LANES;
                            FloatVector v = n < LANES ? FloatVector.fromArray(SPECIES, t, q, keep) : FloatVector.fromArray(SPECIES, t, q);
                            if (r != null) {
                                v = v.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + (at + j) * LANES) * 4, LE));
                            }
                            v.intoMemorySegment(y, (yOff + (at + j) * LANES) * 4, LE);
                        }
                    } else if (LANES >= PWC_PIXELS) {
                        // NCHW: the block's [8 pixels][L] rows turned into [L][pixels] by one L × L transpose (rows past
                        // the eighth: whatever follows in t, dropped), then a masked run per channel
                        transpose(t, tb * tileLen, LANES, t, 3 * tileLen, LANES);
                        VectorMask<Float> pm = SPECIES.indexInRange(0, np);
                        for (int l = 0; l < n; l++) {
                            long at = (long) (o0 + l) * plane + p;
                            FloatVector v = FloatVector.fromArray(SPECIES, t, 3 * tileLen + l * LANES, pm);
                            if (r != null) {
                                v = v.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + at) * 4, LE, pm));
                            }
                            v.intoMemorySegment(y, (yOff + at) * 4, LE, pm);
                        }
                    } else {
                        for (int l = 0; l < n; l++) {
                            long at = (long) (o0 + l) * plane + p;
                            for (int j = 0; j < np; j++) {
                                float v = t[tb * tileLen + j * LANES + l];
                                if (r != null) {
                                    v += r.getAtIndex(F32, rOff + at + j);
                                }
                                y.setAtIndex(F32, yOff + at + j, v);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Blocked k×k convolution as the pointwise register tiles over K = ceil(cin/L)·kh·kw·L taps: per tile of
     * {@link #PWC_PIXELS} output pixels, each pixel's window staged as K/L vectors of L input channels
     * ({@link #kxkStage}: one vector copy each, zeros outside the plane and past cin), then {@link #pwcTile} /
     * {@link #pwcTile1} per pair of output blocks and {@link #pwcOut}. Other lane counts: the specification. (The
     * pairs of output blocks outside the tiles, so that each weight is read once per call, was slower: 0.91× on
     * ResNet18, 0.96× on SqueezeNet.)
     */
    @Override
    public void convNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, int padH, int padW, float[] packed, float[] bias,
                          Activation act, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                          int ob0, int ob1, int p0, int p1) {
        int code = code(act);
        if (lanes != LANES || cin == 0 || code < 0) {
            CnnKernels.scalar().convNchwc(lanes, cout, cin, kh, kw, stride, padH, padW, packed, bias, act, x, xOff, h, w, y, yOff, ho, wo,
                    ob0, ob1, p0, p1);
            return;
        }
        int ib = (cin + LANES - 1) / LANES, groups = ib * kh * kw, taps = groups * LANES;
        int tileLen = PWC_PIXELS * LANES, obs = (cout + LANES - 1) / LANES, plane = ho * wo;
        float[][] sc = PW_NCHWC.get();
        if (sc[0].length < groups * tileLen + 2 * LANES * LANES) {
            sc[0] = new float[groups * tileLen + 2 * LANES * LANES];
        }
        if (sc[1].length < 3 * tileLen + LANES * LANES) {
            sc[1] = new float[3 * tileLen + LANES * LANES];
        }
        if (sc[2].length < obs * LANES) {
            sc[2] = new float[obs * LANES];
        }
        float[] st = sc[0], t = sc[1], bv = sc[2];
        for (int o = ob0 * LANES; o < ob1 * LANES; o++) {
            bv[o] = bias != null && o < cout ? bias[o] : 0f;
        }
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        for (int p = p0; p < p1; p += PWC_PIXELS) {
            int np = Math.min(PWC_PIXELS, p1 - p);
            kxkStage(cin, ib, kh, kw, stride, padH, padW, x, xOff, h, w, wo, p, np, st);
            for (int ob = ob0, blocks; ob < ob1; ob += blocks) {
                blocks = Math.min(2, ob1 - ob);
                kxkPair(cout, taps, packed, act, code, lo, hi, st, bv, t, plane, y, yOff, ob, blocks, p, np);
            }
        }
    }

    /** {@link #convNchwc} for output blocks {@code [ob, ob + blocks)} and the staged tile at {@code p}: register tile, epilogue. */
    private static void kxkPair(int cout, int taps, float[] packed, Activation act, int code, float lo, float hi, float[] st, float[] bv,
                                float[] t, int plane, MemorySegment y, long yOff, int ob, int blocks, int p, int np) {
        int tileLen = PWC_PIXELS * LANES;
        if (blocks == 2 && np <= PWC_PIXELS / 2 && quarterTiles()) {
            pwcTile4(taps, packed, ob * taps * LANES, (ob + 1) * taps * LANES, st, bv, ob * LANES, t);
        } else if (blocks == 2) {
            pwcTile(taps, packed, ob * taps * LANES, (ob + 1) * taps * LANES, st, bv, ob * LANES, t, null, 0, 0, 0f, 0f);
        } else {
            pwcTile1(taps, packed, ob * taps * LANES, st, bv, ob * LANES, t, null, 0, 0f, 0f);
        }
        long ya = (yOff + ((long) ob * plane + p) * LANES) * 4, next = (long) plane * LANES * 4;
        if (np < PWC_PIXELS) {
            activateArray(code, act, t, blocks * tileLen);
        }
        for (int tb = 0; tb < blocks; tb++) {
            int n = Math.min(LANES, cout - (ob + tb) * LANES);
            if (np == PWC_PIXELS) {
                pwcOut(t, tb * tileLen, n, code, lo, hi, null, 0, y, ya + tb * next);
                continue;
            }
            VectorMask<Float> keep = SPECIES.indexInRange(0, n);
            for (int j = 0; j < np; j++) {
                FloatVector.fromArray(SPECIES, t, tb * tileLen + j * LANES, keep).intoMemorySegment(y, ya + tb * next + 4L * j * LANES, LE);
            }
        }
    }

    /**
     * Stages the windows of output pixels {@code [p, p + np)} for {@link #convNchwc} as {@code [ib·kh·kw][8][L]}: group
     * {@code (cb·kh + ky)·kw + kx}, pixel j holds the L input channels of block cb at the window's (ky, kx), zero outside
     * the plane and in the lanes past cin; the pixels from np on are zero.
     */
    private static void kxkStage(int cin, int ib, int kh, int kw, int s, int padH, int padW, MemorySegment x, long xOff, int h, int w,
                                 int wo, int p, int np, float[] st) {
        int tileLen = PWC_PIXELS * LANES, last = cin - (ib - 1) * LANES;
        FloatVector zero = FloatVector.zero(SPECIES);
        VectorMask<Float> keep = SPECIES.indexInRange(0, last);
        long blockBytes = 4L * h * w * LANES, rowBytes = 4L * w * LANES, px = 4L * LANES;
        for (int j = 0; j < PWC_PIXELS; j++) {
            int q = j * LANES;
            if (j >= np) {
                for (int g = 0; g < ib * kh * kw; g++) {
                    zero.intoArray(st, g * tileLen + q);
                }
                continue;
            }
            int oy = (p + j) / wo, ox = (p + j) % wo, y0 = oy * s - padH, x0 = ox * s - padW;
            for (int cb = 0, g = 0; cb < ib; cb++) {
                long base = xOff * 4 + cb * blockBytes;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = y0 + ky;
                    for (int kx = 0; kx < kw; kx++, g++) {
                        int ix = x0 + kx;
                        FloatVector v = iy >= 0 && iy < h && ix >= 0 && ix < w
                                ? FloatVector.fromMemorySegment(SPECIES, x, base + iy * rowBytes + ix * px, LE) : zero;
                        if (cb == ib - 1 && last < LANES) {
                            v = zero.blend(v, keep);
                        }
                        v.intoArray(st, g * tileLen + q);
                    }
                }
            }
        }
    }

    /**
     * One output block's {@link #PWC_PIXELS} finished pixels from the tile {@code t[q..]} to the blocked output at byte
     * {@code ya}: activated (codes 0–2 clamped to [lo, hi], 3 and 4 as {@link #activateArray}) by {@link #clamp}'s compares
     * and blends, lanes from {@code n} on zeroed, the
     * residual at byte {@code ra} of {@code r} added (when not null). Kept out of the tile kernels: with this epilogue
     * inside, C2 stopped inlining the Vector API calls of {@link #pwcTile} in some JVMs (boxed vectors, 40× slower).
     */
    private static void pwcOut(float[] t, int q, int n, int code, float lo, float hi, MemorySegment r, long ra, MemorySegment y, long ya) {
        VectorMask<Float> keep = SPECIES.indexInRange(0, n);
        for (int j = 0; j < PWC_PIXELS; j++) {
            FloatVector v = FloatVector.fromArray(SPECIES, t, q + j * LANES);
            if (code == 3) {
                v = clamp(v.div(6f).add(0.5f), 0f, 1f);
            } else if (code == 4) {
                v = v.mul(clamp(v.div(6f).add(0.5f), 0f, 1f));
            } else {
                v = clamp(v, lo, hi);
            }
            if (n < LANES) {
                v = FloatVector.zero(SPECIES).blend(v, keep);
            }
            if (r != null) {
                v = v.add(FloatVector.fromMemorySegment(SPECIES, r, ra + 4L * j * LANES, LE));
            }
            v.intoMemorySegment(y, ya + 4L * j * LANES, LE);
        }
    }

    /** Stages pixels {@code [p, p + np)} of every input channel for {@link #pwcTile} (layouts: see {@link #pointwiseNchwc}). */
    private static void pwcStage(int cin, int ib, MemorySegment x, long xOff, boolean xBlocked, boolean vectorStage, int plane, int p, int np,
                                 float[] st) {
        int tileLen = PWC_PIXELS * LANES;
        if (xBlocked && np == PWC_PIXELS && vectorStage) {
            // whole tiles by vector copies (-Dminnow.cnn.pwcVectorStage=false, read per call: a segment copy per block)
            for (int b = 0; b < ib; b++) {
                long a = (xOff + ((long) b * plane + p) * LANES) * 4;
                int d = b * tileLen;
                for (int j = 0; j < PWC_PIXELS; j++) {
                    FloatVector.fromMemorySegment(SPECIES, x, a + 4L * j * LANES, LE).intoArray(st, d + j * LANES);
                }
            }
        } else if (xBlocked) {
            for (int b = 0; b < ib; b++) {
                MemorySegment.copy(x, F32, (xOff + ((long) b * plane + p) * LANES) * 4, st, b * tileLen, np * LANES);
                if (np < PWC_PIXELS) {
                    java.util.Arrays.fill(st, b * tileLen + np * LANES, (b + 1) * tileLen, 0f);
                }
            }
        } else if (LANES >= PWC_PIXELS) {
            // NCHW into the same [cin/L][8][L] layout (the tile kernels then read with constant strides, which lets C2
            // drop their range checks): per input block, L masked row loads into an L × L square, one transpose into
            // the block's rows (at 16 lanes its rows 8–15 spill into the next block's place, rewritten after, or into
            // the slack past the last)
            VectorMask<Float> pm = SPECIES.indexInRange(0, np);
            FloatVector zero = FloatVector.zero(SPECIES);
            int sq = ib * tileLen + LANES * LANES;
            for (int b = 0; b < ib; b++) {
                int nl = Math.min(LANES, cin - b * LANES);
                if (nl == LANES && p + LANES <= plane) {
                    // unmasked whole-vector loads (the lanes past the tile's pixels become rows the transpose spills
                    // and the tile ignores): the masked loads cost about as much as the tile's FMAs
                    for (int l = 0; l < LANES; l++) {
                        FloatVector.fromMemorySegment(SPECIES, x, (xOff + (long) (b * LANES + l) * plane + p) * 4, LE).intoArray(st, sq + l * LANES);
                    }
                    if (np < PWC_PIXELS) {
                        java.util.Arrays.fill(st, b * tileLen + np * LANES, (b + 1) * tileLen, 0f);
                    }
                } else {
                    for (int l = 0; l < LANES; l++) {
                        FloatVector v = l < nl ? FloatVector.fromMemorySegment(SPECIES, x, (xOff + (long) (b * LANES + l) * plane + p) * 4, LE, pm) : zero;
                        v.intoArray(st, sq + l * LANES);
                    }
                }
                transpose(st, sq, LANES, st, b * tileLen, LANES);
            }
        } else {
            for (int i = 0; i < cin; i++) {
                int base = (i / LANES) * tileLen + i % LANES;
                long src = xOff + (long) i * plane + p;
                for (int j = 0; j < np; j++) {
                    st[base + j * LANES] = x.getAtIndex(F32, src + j);
                }
                for (int j = np; j < PWC_PIXELS; j++) {
                    st[base + j * LANES] = 0f;
                }
            }
        }
    }

    /** Per thread: the stem's bias vectors and its tile of sums. */
    private static final ThreadLocal<float[][]> STEM = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * The stem's blocked convolution: per output row, tiles of {@link #PWC_PIXELS} pixels × two output blocks
     * ({@link #stemTile}, one block alone: {@link #stemTile1}), each tap's input values broadcast straight from the input's
     * stride phases (consecutive output pixels read consecutive cells, so C2 merges the range checks of a tap's eight
     * broadcasts), then {@link #pwcOut}. Input pixels outer, blocks inner: the tile's window stays in L1 over the blocks. A
     * row's last tile ends at wo, overlapping the one before (its pixels recomputed with the same sums: the same values
     * written again). Rows narrower than a tile, other lane counts and other activations: the specification.
     */
    @Override
    public void convStemNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, float[] packed, float[] bias, Activation act,
                              float[] xp, int hq, int wq, MemorySegment y, long yOff, int ho, int wo, int ob0, int ob1, int oy0, int oy1) {
        int code = code(act);
        if (lanes != LANES || code < 0 || wo < PWC_PIXELS || cin == 0) {
            CnnKernels.scalar().convStemNchwc(lanes, cout, cin, kh, kw, stride, packed, bias, act, xp, hq, wq, y, yOff, ho, wo, ob0, ob1, oy0, oy1);
            return;
        }
        int taps = cin * kh * kw, tileLen = PWC_PIXELS * LANES;
        int[] off = new int[taps];   // tap t's input offset from the window's corner
        for (int i = 0; i < cin; i++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    off[(i * kh + ky) * kw + kx] = ((i * stride + ky % stride) * stride + kx % stride) * hq * wq + (ky / stride) * wq + kx / stride;
                }
            }
        }
        float[][] sc = STEM.get();
        if (sc[0].length < ob1 * LANES) {
            sc[0] = new float[ob1 * LANES];
        }
        if (sc[1].length < 2 * tileLen) {
            sc[1] = new float[2 * tileLen];
        }
        float[] bv = sc[0], t = sc[1];
        for (int o = ob0 * LANES; o < ob1 * LANES; o++) {
            bv[o] = bias != null && o < cout ? bias[o] : 0f;
        }
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        long blockStep = (long) ho * wo * LANES * 4;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < wo; ox += PWC_PIXELS) {
                int at = Math.min(ox, wo - PWC_PIXELS), x0 = oy * wq + at;
                for (int ob = ob0, blocks; ob < ob1; ob += blocks) {
                    blocks = Math.min(2, ob1 - ob);
                    if (blocks == 2) {
                        stemTile(taps, off, packed, ob * taps * LANES, (ob + 1) * taps * LANES, xp, x0, bv, ob * LANES, t);
                    } else {
                        stemTile1(taps, off, packed, ob * taps * LANES, xp, x0, bv, ob * LANES, t);
                    }
                    long ya = (yOff + (((long) ob * ho + oy) * wo + at) * LANES) * 4;
                    for (int tb = 0; tb < blocks; tb++) {
                        pwcOut(t, tb * tileLen, Math.min(LANES, cout - (ob + tb) * LANES), code, lo, hi, null, 0, y, ya + tb * blockStep);
                    }
                }
            }
        }
    }

    /**
     * Two output blocks × {@link #PWC_PIXELS} pixels of the stem, 16 accumulators started from the bias vectors at
     * {@code bv[b0]}, {@code bv[b0 + L]}: per tap t (ascending) the blocks' weight vectors at {@code pk[wa + t·L]},
     * {@code pk[wb + t·L]} times pixel j's value {@code xp[x0 + off[t] + j]} broadcast; the sums go to {@code t} as
     * {@code [2][8][L]}.
     */
    private static void stemTile(int taps, int[] off, float[] pk, int wa, int wb, float[] xp, int x0, float[] bv, int b0, float[] t) {
        FloatVector ba = FloatVector.fromArray(SPECIES, bv, b0), bb = FloatVector.fromArray(SPECIES, bv, b0 + LANES);
        FloatVector a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba;
        FloatVector b1 = bb, b2 = bb, b3 = bb, b4 = bb, b5 = bb, b6 = bb, b7 = bb, b0v = bb;
        for (int k = 0; k < taps; k++) {
            int q = x0 + off[k];
            FloatVector u = FloatVector.fromArray(SPECIES, pk, wa + k * LANES), v = FloatVector.fromArray(SPECIES, pk, wb + k * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, xp[q]);
            a0 = FMA ? u.fma(x, a0) : u.mul(x).add(a0);
            b0v = FMA ? v.fma(x, b0v) : v.mul(x).add(b0v);
            x = FloatVector.broadcast(SPECIES, xp[q + 1]);
            a1 = FMA ? u.fma(x, a1) : u.mul(x).add(a1);
            b1 = FMA ? v.fma(x, b1) : v.mul(x).add(b1);
            x = FloatVector.broadcast(SPECIES, xp[q + 2]);
            a2 = FMA ? u.fma(x, a2) : u.mul(x).add(a2);
            b2 = FMA ? v.fma(x, b2) : v.mul(x).add(b2);
            x = FloatVector.broadcast(SPECIES, xp[q + 3]);
            a3 = FMA ? u.fma(x, a3) : u.mul(x).add(a3);
            b3 = FMA ? v.fma(x, b3) : v.mul(x).add(b3);
            x = FloatVector.broadcast(SPECIES, xp[q + 4]);
            a4 = FMA ? u.fma(x, a4) : u.mul(x).add(a4);
            b4 = FMA ? v.fma(x, b4) : v.mul(x).add(b4);
            x = FloatVector.broadcast(SPECIES, xp[q + 5]);
            a5 = FMA ? u.fma(x, a5) : u.mul(x).add(a5);
            b5 = FMA ? v.fma(x, b5) : v.mul(x).add(b5);
            x = FloatVector.broadcast(SPECIES, xp[q + 6]);
            a6 = FMA ? u.fma(x, a6) : u.mul(x).add(a6);
            b6 = FMA ? v.fma(x, b6) : v.mul(x).add(b6);
            x = FloatVector.broadcast(SPECIES, xp[q + 7]);
            a7 = FMA ? u.fma(x, a7) : u.mul(x).add(a7);
            b7 = FMA ? v.fma(x, b7) : v.mul(x).add(b7);
        }
        int tileLen = PWC_PIXELS * LANES;
        a0.intoArray(t, 0);
        a1.intoArray(t, LANES);
        a2.intoArray(t, 2 * LANES);
        a3.intoArray(t, 3 * LANES);
        a4.intoArray(t, 4 * LANES);
        a5.intoArray(t, 5 * LANES);
        a6.intoArray(t, 6 * LANES);
        a7.intoArray(t, 7 * LANES);
        b0v.intoArray(t, tileLen);
        b1.intoArray(t, tileLen + LANES);
        b2.intoArray(t, tileLen + 2 * LANES);
        b3.intoArray(t, tileLen + 3 * LANES);
        b4.intoArray(t, tileLen + 4 * LANES);
        b5.intoArray(t, tileLen + 5 * LANES);
        b6.intoArray(t, tileLen + 6 * LANES);
        b7.intoArray(t, tileLen + 7 * LANES);
    }

    /** {@link #stemTile} for one output block, 8 accumulators. */
    private static void stemTile1(int taps, int[] off, float[] pk, int wa, float[] xp, int x0, float[] bv, int b0, float[] t) {
        FloatVector ba = FloatVector.fromArray(SPECIES, bv, b0);
        FloatVector a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba;
        for (int k = 0; k < taps; k++) {
            int q = x0 + off[k];
            FloatVector u = FloatVector.fromArray(SPECIES, pk, wa + k * LANES);
            a0 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q]), a0) : u.mul(FloatVector.broadcast(SPECIES, xp[q])).add(a0);
            a1 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 1]), a1) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 1])).add(a1);
            a2 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 2]), a2) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 2])).add(a2);
            a3 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 3]), a3) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 3])).add(a3);
            a4 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 4]), a4) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 4])).add(a4);
            a5 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 5]), a5) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 5])).add(a5);
            a6 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 6]), a6) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 6])).add(a6);
            a7 = FMA ? u.fma(FloatVector.broadcast(SPECIES, xp[q + 7]), a7) : u.mul(FloatVector.broadcast(SPECIES, xp[q + 7])).add(a7);
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, LANES);
        a2.intoArray(t, 2 * LANES);
        a3.intoArray(t, 3 * LANES);
        a4.intoArray(t, 4 * LANES);
        a5.intoArray(t, 5 * LANES);
        a6.intoArray(t, 6 * LANES);
        a7.intoArray(t, 7 * LANES);
    }

    /**
     * Two output blocks × {@link #PWC_PIXELS} pixels, 16 accumulators started from the bias vectors at {@code bv[b0]} and
     * {@code bv[b0 + L]}: per input channel i (ascending), the two blocks' weight vectors at {@code pk[wa + i·L]},
     * {@code pk[wb + i·L]} times the eight pixels' values broadcast from the staged tile (pixel j of channel i at
     * {@code (i/L)·8L + (i%L)·ls + j·js}); the sums go to {@code t} as {@code [2][8][L]}.
     */
    private static void pwcTile(int cin, float[] pk, int wa, int wb, float[] st, float[] bv, int b0, float[] t, MemorySegment y, long ya,
                                long next, float lo, float hi) {
        FloatVector ba = FloatVector.fromArray(SPECIES, bv, b0), bb = FloatVector.fromArray(SPECIES, bv, b0 + LANES);
        FloatVector a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba;
        FloatVector b1 = bb, b2 = bb, b3 = bb, b4 = bb, b5 = bb, b6 = bb, b7 = bb, b0v = bb;
        int tileLen = PWC_PIXELS * LANES;
        for (int i0 = 0, sb = 0; i0 < cin; i0 += LANES, sb += tileLen) {
            int n = Math.min(LANES, cin - i0);
            for (int l = 0; l < n; l++) {
                int i = i0 + l, q = sb + l;
                FloatVector u = FloatVector.fromArray(SPECIES, pk, wa + i * LANES), v = FloatVector.fromArray(SPECIES, pk, wb + i * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, st[q]);
                a0 = FMA ? u.fma(x, a0) : u.mul(x).add(a0);
                b0v = FMA ? v.fma(x, b0v) : v.mul(x).add(b0v);
                x = FloatVector.broadcast(SPECIES, st[q + LANES]);
                a1 = FMA ? u.fma(x, a1) : u.mul(x).add(a1);
                b1 = FMA ? v.fma(x, b1) : v.mul(x).add(b1);
                x = FloatVector.broadcast(SPECIES, st[q + 2 * LANES]);
                a2 = FMA ? u.fma(x, a2) : u.mul(x).add(a2);
                b2 = FMA ? v.fma(x, b2) : v.mul(x).add(b2);
                x = FloatVector.broadcast(SPECIES, st[q + 3 * LANES]);
                a3 = FMA ? u.fma(x, a3) : u.mul(x).add(a3);
                b3 = FMA ? v.fma(x, b3) : v.mul(x).add(b3);
                x = FloatVector.broadcast(SPECIES, st[q + 4 * LANES]);
                a4 = FMA ? u.fma(x, a4) : u.mul(x).add(a4);
                b4 = FMA ? v.fma(x, b4) : v.mul(x).add(b4);
                x = FloatVector.broadcast(SPECIES, st[q + 5 * LANES]);
                a5 = FMA ? u.fma(x, a5) : u.mul(x).add(a5);
                b5 = FMA ? v.fma(x, b5) : v.mul(x).add(b5);
                x = FloatVector.broadcast(SPECIES, st[q + 6 * LANES]);
                a6 = FMA ? u.fma(x, a6) : u.mul(x).add(a6);
                b6 = FMA ? v.fma(x, b6) : v.mul(x).add(b6);
                x = FloatVector.broadcast(SPECIES, st[q + 7 * LANES]);
                a7 = FMA ? u.fma(x, a7) : u.mul(x).add(a7);
                b7 = FMA ? v.fma(x, b7) : v.mul(x).add(b7);
            }
        }
        if (y != null) {   // straight into two whole blocks of a blocked output, clamped to [lo, hi] as pwcOut does
            FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
            long q = 4L * LANES, yb = ya + next;
            a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya, LE);
            a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + q, LE);
            a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 2 * q, LE);
            a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 3 * q, LE);
            a4.blend(l, a4.compare(VectorOperators.LE, l)).blend(h, a4.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 4 * q, LE);
            a5.blend(l, a5.compare(VectorOperators.LE, l)).blend(h, a5.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 5 * q, LE);
            a6.blend(l, a6.compare(VectorOperators.LE, l)).blend(h, a6.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 6 * q, LE);
            a7.blend(l, a7.compare(VectorOperators.LE, l)).blend(h, a7.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 7 * q, LE);
            b0v.blend(l, b0v.compare(VectorOperators.LE, l)).blend(h, b0v.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb, LE);
            b1.blend(l, b1.compare(VectorOperators.LE, l)).blend(h, b1.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + q, LE);
            b2.blend(l, b2.compare(VectorOperators.LE, l)).blend(h, b2.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 2 * q, LE);
            b3.blend(l, b3.compare(VectorOperators.LE, l)).blend(h, b3.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 3 * q, LE);
            b4.blend(l, b4.compare(VectorOperators.LE, l)).blend(h, b4.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 4 * q, LE);
            b5.blend(l, b5.compare(VectorOperators.LE, l)).blend(h, b5.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 5 * q, LE);
            b6.blend(l, b6.compare(VectorOperators.LE, l)).blend(h, b6.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 6 * q, LE);
            b7.blend(l, b7.compare(VectorOperators.LE, l)).blend(h, b7.compare(VectorOperators.GE, h)).intoMemorySegment(y, yb + 7 * q, LE);
            return;
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, LANES);
        a2.intoArray(t, 2 * LANES);
        a3.intoArray(t, 3 * LANES);
        a4.intoArray(t, 4 * LANES);
        a5.intoArray(t, 5 * LANES);
        a6.intoArray(t, 6 * LANES);
        a7.intoArray(t, 7 * LANES);
        b0v.intoArray(t, tileLen);
        b1.intoArray(t, tileLen + LANES);
        b2.intoArray(t, tileLen + 2 * LANES);
        b3.intoArray(t, tileLen + 3 * LANES);
        b4.intoArray(t, tileLen + 4 * LANES);
        b5.intoArray(t, tileLen + 5 * LANES);
        b6.intoArray(t, tileLen + 6 * LANES);
        b7.intoArray(t, tileLen + 7 * LANES);
    }

    /**
     * {@link #pwcTile} for the first four pixels of the tile only (a plane's last tile of at most four pixels: 7² planes
     * end in one), 8 accumulators; {@code t}'s rows of the other pixels are left as they were.
     */
    private static void pwcTile4(int cin, float[] pk, int wa, int wb, float[] st, float[] bv, int b0, float[] t) {
        FloatVector ba = FloatVector.fromArray(SPECIES, bv, b0), bb = FloatVector.fromArray(SPECIES, bv, b0 + LANES);
        FloatVector a0 = ba, a1 = ba, a2 = ba, a3 = ba, b0v = bb, b1 = bb, b2 = bb, b3 = bb;
        int tileLen = PWC_PIXELS * LANES;
        for (int i0 = 0, sb = 0; i0 < cin; i0 += LANES, sb += tileLen) {
            int n = Math.min(LANES, cin - i0);
            for (int l = 0; l < n; l++) {
                int i = i0 + l, q = sb + l;
                FloatVector u = FloatVector.fromArray(SPECIES, pk, wa + i * LANES), v = FloatVector.fromArray(SPECIES, pk, wb + i * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, st[q]);
                a0 = FMA ? u.fma(x, a0) : u.mul(x).add(a0);
                b0v = FMA ? v.fma(x, b0v) : v.mul(x).add(b0v);
                x = FloatVector.broadcast(SPECIES, st[q + LANES]);
                a1 = FMA ? u.fma(x, a1) : u.mul(x).add(a1);
                b1 = FMA ? v.fma(x, b1) : v.mul(x).add(b1);
                x = FloatVector.broadcast(SPECIES, st[q + 2 * LANES]);
                a2 = FMA ? u.fma(x, a2) : u.mul(x).add(a2);
                b2 = FMA ? v.fma(x, b2) : v.mul(x).add(b2);
                x = FloatVector.broadcast(SPECIES, st[q + 3 * LANES]);
                a3 = FMA ? u.fma(x, a3) : u.mul(x).add(a3);
                b3 = FMA ? v.fma(x, b3) : v.mul(x).add(b3);
            }
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, LANES);
        a2.intoArray(t, 2 * LANES);
        a3.intoArray(t, 3 * LANES);
        b0v.intoArray(t, tileLen);
        b1.intoArray(t, tileLen + LANES);
        b2.intoArray(t, tileLen + 2 * LANES);
        b3.intoArray(t, tileLen + 3 * LANES);
    }

    /** {@link #pwcTile} for one output block: 8 accumulators into {@code t[0, 8L)}. */
    private static void pwcTile1(int cin, float[] pk, int wa, float[] st, float[] bv, int b0, float[] t, MemorySegment y, long ya, float lo,
                                 float hi) {
        FloatVector ba = FloatVector.fromArray(SPECIES, bv, b0);
        FloatVector a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba;
        int tileLen = PWC_PIXELS * LANES;
        for (int i0 = 0, sb = 0; i0 < cin; i0 += LANES, sb += tileLen) {
            int n = Math.min(LANES, cin - i0);
            for (int l = 0; l < n; l++) {
                int i = i0 + l, q = sb + l;
                FloatVector u = FloatVector.fromArray(SPECIES, pk, wa + i * LANES);
                a0 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q]), a0) : u.mul(st[q]).add(a0);
                a1 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + LANES]), a1) : u.mul(st[q + LANES]).add(a1);
                a2 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 2 * LANES]), a2) : u.mul(st[q + 2 * LANES]).add(a2);
                a3 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 3 * LANES]), a3) : u.mul(st[q + 3 * LANES]).add(a3);
                a4 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 4 * LANES]), a4) : u.mul(st[q + 4 * LANES]).add(a4);
                a5 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 5 * LANES]), a5) : u.mul(st[q + 5 * LANES]).add(a5);
                a6 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 6 * LANES]), a6) : u.mul(st[q + 6 * LANES]).add(a6);
                a7 = FMA ? u.fma(FloatVector.broadcast(SPECIES, st[q + 7 * LANES]), a7) : u.mul(st[q + 7 * LANES]).add(a7);
            }
        }
        if (y != null) {   // straight into a whole block of a blocked output, as pwcTile does
            FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
            long q = 4L * LANES;
            a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya, LE);
            a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + q, LE);
            a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 2 * q, LE);
            a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 3 * q, LE);
            a4.blend(l, a4.compare(VectorOperators.LE, l)).blend(h, a4.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 4 * q, LE);
            a5.blend(l, a5.compare(VectorOperators.LE, l)).blend(h, a5.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 5 * q, LE);
            a6.blend(l, a6.compare(VectorOperators.LE, l)).blend(h, a6.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 6 * q, LE);
            a7.blend(l, a7.compare(VectorOperators.LE, l)).blend(h, a7.compare(VectorOperators.GE, h)).intoMemorySegment(y, ya + 7 * q, LE);
            return;
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, LANES);
        a2.intoArray(t, 2 * LANES);
        a3.intoArray(t, 3 * LANES);
        a4.intoArray(t, 4 * LANES);
        a5.intoArray(t, 5 * LANES);
        a6.intoArray(t, 6 * LANES);
        a7.intoArray(t, 7 * LANES);
    }

    private static int interleavedMaxWidth(int k) {
        if (flatDepthwise() && !Boolean.parseBoolean(System.getProperty("minnow.cnn.dwInterleaved", "true"))) {
            return 0;
        }
        return Integer.getInteger("minnow.cnn.dwInterleavedMaxWidth", k == 3 || k == 5 ? 32 : 16);
    }

    /**
     * {@link #interleaved}'s paths, as bits: vector transposes ({@code minnow.cnn.dwTranspose}), the written-out 5×5
     * kernels ({@code minnow.cnn.il5}), four pixels per weight load in the generic loop ({@code minnow.cnn.ilBlock4}).
     */
    private static final int IL_TRANSPOSE = 1, IL_5X5 = 2, IL_BLOCK4 = 4;

    /** Per thread: [0] interleaved padded input, [1] planes staged, [2] interleaved output, [3] interleaved weights. */
    private static final ThreadLocal<float[][]> DW_IL = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0], new float[0]});

    /**
     * Depthwise of up to LANES channels of a small plane with the channels in the vector lanes: the planes are
     * staged with one bulk copy and moved into a zero-padded {@code hp × wp × LANES} grid by LANES × LANES vector
     * transposes ({@link #transposeIn}), each output pixel is then LANES channels at once (weights per tap as a vector
     * of the channels' weights; 3×3 and 5×5 at stride 1 and 2 through the written-out {@link #il3} and {@link #il5}),
     * and the result is transposed back ({@link #transposeOut}) and copied out in one run. Lanes past n compute on
     * stale values and are dropped.
     */
    private static void interleaved(int paths, int k, int s, int padH, int padW, int n, MemorySegment x, long xOff, int h, int w, float[] wt, int wOff,
                                    float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo) {
        int hp = (ho - 1) * s + k, wp = (wo - 1) * s + k, taps = k * k, plane = h * w, oplane = ho * wo;
        float[][] sc = DW_IL.get();
        int gridLen = hp * wp * LANES;
        if (sc[0].length < gridLen + LANES * LANES) {
            sc[0] = new float[gridLen + LANES * LANES];   // slack: the last row's transposed block may spill past the grid
        }
        boolean vt = (paths & IL_TRANSPOSE) != 0;
        int stageLen = LANES * Math.max(plane, oplane) + LANES;   // the transposes read and write all LANES channels
        if (sc[1].length < stageLen) {
            sc[1] = new float[stageLen];
        }
        int oVecs = (oplane + LANES - 1) / LANES * LANES;   // the output transposes read whole blocks of pixels
        if (sc[2].length < oVecs * LANES) {
            sc[2] = new float[oVecs * LANES];
        }
        if (sc[3].length < (taps + 1) * LANES) {
            sc[3] = new float[(taps + 1) * LANES];
        }
        float[] grid = sc[0], stage = sc[1], o = sc[2], wv = sc[3];
        java.util.Arrays.fill(wv, 0, (taps + 1) * LANES, 0f);
        for (int c = 0; c < n; c++) {
            for (int t = 0; t < taps; t++) {
                wv[t * LANES + c] = wt[wOff + c * taps + t];
            }
            wv[taps * LANES + c] = bias == null ? 0f : bias[biasOff + c];
        }
        int rows = Math.min(h, hp - padH), cols = Math.min(w, wp - padW);
        MemorySegment.copy(x, F32, xOff * 4, stage, 0, n * plane);
        if (vt) {
            transposeIn(stage, plane, w, rows, cols, grid, wp, padH, padW, gridLen);   // clears the padding itself
        } else {
            java.util.Arrays.fill(grid, 0, gridLen, 0f);
            for (int c = 0; c < n; c++) {
                for (int iy = 0; iy < rows; iy++) {
                    int src = c * plane + iy * w, dst = ((iy + padH) * wp + padW) * LANES + c;
                    for (int ix = 0; ix < cols; ix++) {
                        grid[dst + ix * LANES] = stage[src + ix];
                    }
                }
            }
        }
        int code = code(act);
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        boolean clamped = code == 1 || code == 2;   // ReLU and ReLU6 in register in the written-out kernels
        if (k == 3 && s <= 2) {
            il3(s, grid, wp, wv, o, ho, wo, lo, hi);
        } else if (k == 5 && s <= 2 && (paths & IL_5X5) != 0) {
            il5(s, grid, wp, wv, o, ho, wo, lo, hi);
        } else {
            clamped = false;
            // four output pixels per weight load (-Dminnow.cnn.ilBlock4=false: one, read per call; ConvLayerBench
            // --ab, session 9, AVX2, 1 thread: 5×5 layers of 7² to 14² outputs 1.12–1.38×; CnnAb MnasNet 1.02×,
            // MobileNetV3-Small 1.06×, outputs bit-identical)
            if ((paths & IL_BLOCK4) != 0) {
                ilAny4(k, s, grid, wp, wv, o, ho, wo);
            } else {
                ilAny(k, s, grid, wp, wv, o, ho, wo);
            }
        }
        if (clamped) {
            code = 0;
        }
        if (code != 0) {
            activateArray(code, act, o, oplane * LANES);
        }
        if (vt) {
            transposeOut(o, oplane, stage);
        } else {
            for (int c = 0; c < n; c++) {
                int dst = c * oplane;
                for (int p = 0; p < oplane; p++) {
                    stage[dst + p] = o[p * LANES + c];
                }
            }
        }
        MemorySegment.copy(stage, 0, out, F32, outOff * 4, n * oplane);
    }

    /**
     * Whether {@link #interleaved} moves its planes in and out of the lanes with vector transposes (default) rather
     * than element by element ({@code -Dminnow.cnn.dwTranspose=false}; read per call, for A/B runs). Gathers (one per
     * pixel in, one per LANES pixels out) were tried first: the same speed as the scalar loops on Zen 5 (about 25
     * cycles per 16-lane gather).
     */
    private static boolean vectorTranspose() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwTranspose", "true"));
    }

    /**
     * The index vectors of {@link #transpose}, two per stage: stage s swaps the off-diagonal b × b blocks (b = LANES
     * &gt;&gt; (s + 1)) of every 2b × 2b block, row i (i &amp; b = 0) taking columns j &amp; b ≠ 0 from row i + b
     * (index LANES + j − b) and row i + b taking columns j &amp; b = 0 from row i (index j + b).
     */
    private static final float[][] TRANSPOSE_INDEX = transposeIndex();

    private static float[][] transposeIndex() {
        int stages = Integer.numberOfTrailingZeros(LANES);
        float[][] t = new float[2 * stages][LANES];
        for (int st = 0; st < stages; st++) {
            int b = LANES >> (st + 1);
            for (int j = 0; j < LANES; j++) {
                boolean left = (j & b) == 0;
                t[2 * st][j] = left ? j : LANES + j - b;
                t[2 * st + 1][j] = left ? j + b : LANES + j;
            }
        }
        return t;
    }

    /**
     * Transposes a LANES × LANES block: dst[d + j·ds + i] = src[so + i·ss + j]. log2(LANES) stages of block swaps, each
     * LANES two-vector selections (AVX-512: one vpermt2ps each), the rows in registers (a version passing the rows
     * through an array between stages, and one storing the result through a scratch block, spent most of their time
     * on loop overhead and on the scratch's loads).
     */
    private static void transpose(float[] src, int so, int ss, float[] dst, int d, int ds) {
        if (LANES == 16) {
            transpose16(src, so, ss, dst, d, ds);
        } else if (LANES == 8) {
            transpose8(src, so, ss, dst, d, ds);
        } else {
            transpose4(src, so, ss, dst, d, ds);
        }
    }

    /** {@link #transpose} for 4 lanes, the rows in registers. */
    private static void transpose4(float[] src, int so, int ss, float[] dst, int d, int ds) {
        float[][] ix = TRANSPOSE_INDEX;
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, so), r1 = FloatVector.fromArray(SPECIES, src, so + ss);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, so + 2 * ss), r3 = FloatVector.fromArray(SPECIES, src, so + 3 * ss);
        FloatVector lo0 = FloatVector.fromArray(SPECIES, ix[0], 0), hi0 = FloatVector.fromArray(SPECIES, ix[1], 0);
        FloatVector a0 = lo0.selectFrom(r0, r2), a2 = hi0.selectFrom(r0, r2);
        FloatVector a1 = lo0.selectFrom(r1, r3), a3 = hi0.selectFrom(r1, r3);
        FloatVector lo1 = FloatVector.fromArray(SPECIES, ix[2], 0), hi1 = FloatVector.fromArray(SPECIES, ix[3], 0);
        FloatVector b0 = lo1.selectFrom(a0, a1), b1 = hi1.selectFrom(a0, a1);
        FloatVector b2 = lo1.selectFrom(a2, a3), b3 = hi1.selectFrom(a2, a3);
        b0.intoArray(dst, d);
        b1.intoArray(dst, d + ds);
        b2.intoArray(dst, d + 2 * ds);
        b3.intoArray(dst, d + 3 * ds);
    }

    /** {@link #transpose} for 8 lanes, the rows in registers. */
    private static void transpose8(float[] src, int so, int ss, float[] dst, int d, int ds) {
        float[][] ix = TRANSPOSE_INDEX;
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, so), r1 = FloatVector.fromArray(SPECIES, src, so + ss);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, so + 2 * ss), r3 = FloatVector.fromArray(SPECIES, src, so + 3 * ss);
        FloatVector r4 = FloatVector.fromArray(SPECIES, src, so + 4 * ss), r5 = FloatVector.fromArray(SPECIES, src, so + 5 * ss);
        FloatVector r6 = FloatVector.fromArray(SPECIES, src, so + 6 * ss), r7 = FloatVector.fromArray(SPECIES, src, so + 7 * ss);
        FloatVector lo0 = FloatVector.fromArray(SPECIES, ix[0], 0), hi0 = FloatVector.fromArray(SPECIES, ix[1], 0);
        FloatVector a0 = lo0.selectFrom(r0, r4), a4 = hi0.selectFrom(r0, r4);
        FloatVector a1 = lo0.selectFrom(r1, r5), a5 = hi0.selectFrom(r1, r5);
        FloatVector a2 = lo0.selectFrom(r2, r6), a6 = hi0.selectFrom(r2, r6);
        FloatVector a3 = lo0.selectFrom(r3, r7), a7 = hi0.selectFrom(r3, r7);
        FloatVector lo1 = FloatVector.fromArray(SPECIES, ix[2], 0), hi1 = FloatVector.fromArray(SPECIES, ix[3], 0);
        FloatVector b0 = lo1.selectFrom(a0, a2), b2 = hi1.selectFrom(a0, a2);
        FloatVector b1 = lo1.selectFrom(a1, a3), b3 = hi1.selectFrom(a1, a3);
        FloatVector b4 = lo1.selectFrom(a4, a6), b6 = hi1.selectFrom(a4, a6);
        FloatVector b5 = lo1.selectFrom(a5, a7), b7 = hi1.selectFrom(a5, a7);
        FloatVector lo2 = FloatVector.fromArray(SPECIES, ix[4], 0), hi2 = FloatVector.fromArray(SPECIES, ix[5], 0);
        FloatVector c0 = lo2.selectFrom(b0, b1), c1 = hi2.selectFrom(b0, b1);
        FloatVector c2 = lo2.selectFrom(b2, b3), c3 = hi2.selectFrom(b2, b3);
        FloatVector c4 = lo2.selectFrom(b4, b5), c5 = hi2.selectFrom(b4, b5);
        FloatVector c6 = lo2.selectFrom(b6, b7), c7 = hi2.selectFrom(b6, b7);
        c0.intoArray(dst, d);
        c1.intoArray(dst, d + ds);
        c2.intoArray(dst, d + 2 * ds);
        c3.intoArray(dst, d + 3 * ds);
        c4.intoArray(dst, d + 4 * ds);
        c5.intoArray(dst, d + 5 * ds);
        c6.intoArray(dst, d + 6 * ds);
        c7.intoArray(dst, d + 7 * ds);
    }

    /** {@link #transpose} for 16 lanes, the rows in registers. */
    private static void transpose16(float[] src, int so, int ss, float[] dst, int d, int ds) {
        float[][] ix = TRANSPOSE_INDEX;
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, so), r1 = FloatVector.fromArray(SPECIES, src, so + ss);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, so + 2 * ss), r3 = FloatVector.fromArray(SPECIES, src, so + 3 * ss);
        FloatVector r4 = FloatVector.fromArray(SPECIES, src, so + 4 * ss), r5 = FloatVector.fromArray(SPECIES, src, so + 5 * ss);
        FloatVector r6 = FloatVector.fromArray(SPECIES, src, so + 6 * ss), r7 = FloatVector.fromArray(SPECIES, src, so + 7 * ss);
        FloatVector r8 = FloatVector.fromArray(SPECIES, src, so + 8 * ss), r9 = FloatVector.fromArray(SPECIES, src, so + 9 * ss);
        FloatVector r10 = FloatVector.fromArray(SPECIES, src, so + 10 * ss), r11 = FloatVector.fromArray(SPECIES, src, so + 11 * ss);
        FloatVector r12 = FloatVector.fromArray(SPECIES, src, so + 12 * ss), r13 = FloatVector.fromArray(SPECIES, src, so + 13 * ss);
        FloatVector r14 = FloatVector.fromArray(SPECIES, src, so + 14 * ss), r15 = FloatVector.fromArray(SPECIES, src, so + 15 * ss);
        FloatVector lo0 = FloatVector.fromArray(SPECIES, ix[0], 0), hi0 = FloatVector.fromArray(SPECIES, ix[1], 0);
        FloatVector a0 = lo0.selectFrom(r0, r8), a8 = hi0.selectFrom(r0, r8);
        FloatVector a1 = lo0.selectFrom(r1, r9), a9 = hi0.selectFrom(r1, r9);
        FloatVector a2 = lo0.selectFrom(r2, r10), a10 = hi0.selectFrom(r2, r10);
        FloatVector a3 = lo0.selectFrom(r3, r11), a11 = hi0.selectFrom(r3, r11);
        FloatVector a4 = lo0.selectFrom(r4, r12), a12 = hi0.selectFrom(r4, r12);
        FloatVector a5 = lo0.selectFrom(r5, r13), a13 = hi0.selectFrom(r5, r13);
        FloatVector a6 = lo0.selectFrom(r6, r14), a14 = hi0.selectFrom(r6, r14);
        FloatVector a7 = lo0.selectFrom(r7, r15), a15 = hi0.selectFrom(r7, r15);
        FloatVector lo1 = FloatVector.fromArray(SPECIES, ix[2], 0), hi1 = FloatVector.fromArray(SPECIES, ix[3], 0);
        FloatVector b0 = lo1.selectFrom(a0, a4), b4 = hi1.selectFrom(a0, a4);
        FloatVector b1 = lo1.selectFrom(a1, a5), b5 = hi1.selectFrom(a1, a5);
        FloatVector b2 = lo1.selectFrom(a2, a6), b6 = hi1.selectFrom(a2, a6);
        FloatVector b3 = lo1.selectFrom(a3, a7), b7 = hi1.selectFrom(a3, a7);
        FloatVector b8 = lo1.selectFrom(a8, a12), b12 = hi1.selectFrom(a8, a12);
        FloatVector b9 = lo1.selectFrom(a9, a13), b13 = hi1.selectFrom(a9, a13);
        FloatVector b10 = lo1.selectFrom(a10, a14), b14 = hi1.selectFrom(a10, a14);
        FloatVector b11 = lo1.selectFrom(a11, a15), b15 = hi1.selectFrom(a11, a15);
        FloatVector lo2 = FloatVector.fromArray(SPECIES, ix[4], 0), hi2 = FloatVector.fromArray(SPECIES, ix[5], 0);
        FloatVector c0 = lo2.selectFrom(b0, b2), c2 = hi2.selectFrom(b0, b2);
        FloatVector c1 = lo2.selectFrom(b1, b3), c3 = hi2.selectFrom(b1, b3);
        FloatVector c4 = lo2.selectFrom(b4, b6), c6 = hi2.selectFrom(b4, b6);
        FloatVector c5 = lo2.selectFrom(b5, b7), c7 = hi2.selectFrom(b5, b7);
        FloatVector c8 = lo2.selectFrom(b8, b10), c10 = hi2.selectFrom(b8, b10);
        FloatVector c9 = lo2.selectFrom(b9, b11), c11 = hi2.selectFrom(b9, b11);
        FloatVector c12 = lo2.selectFrom(b12, b14), c14 = hi2.selectFrom(b12, b14);
        FloatVector c13 = lo2.selectFrom(b13, b15), c15 = hi2.selectFrom(b13, b15);
        FloatVector lo3 = FloatVector.fromArray(SPECIES, ix[6], 0), hi3 = FloatVector.fromArray(SPECIES, ix[7], 0);
        FloatVector d0 = lo3.selectFrom(c0, c1), d1 = hi3.selectFrom(c0, c1);
        FloatVector d2 = lo3.selectFrom(c2, c3), d3 = hi3.selectFrom(c2, c3);
        FloatVector d4 = lo3.selectFrom(c4, c5), d5 = hi3.selectFrom(c4, c5);
        FloatVector d6 = lo3.selectFrom(c6, c7), d7 = hi3.selectFrom(c6, c7);
        FloatVector d8 = lo3.selectFrom(c8, c9), d9 = hi3.selectFrom(c8, c9);
        FloatVector d10 = lo3.selectFrom(c10, c11), d11 = hi3.selectFrom(c10, c11);
        FloatVector d12 = lo3.selectFrom(c12, c13), d13 = hi3.selectFrom(c12, c13);
        FloatVector d14 = lo3.selectFrom(c14, c15), d15 = hi3.selectFrom(c14, c15);
        d0.intoArray(dst, d);
        d1.intoArray(dst, d + ds);
        d2.intoArray(dst, d + 2 * ds);
        d3.intoArray(dst, d + 3 * ds);
        d4.intoArray(dst, d + 4 * ds);
        d5.intoArray(dst, d + 5 * ds);
        d6.intoArray(dst, d + 6 * ds);
        d7.intoArray(dst, d + 7 * ds);
        d8.intoArray(dst, d + 8 * ds);
        d9.intoArray(dst, d + 9 * ds);
        d10.intoArray(dst, d + 10 * ds);
        d11.intoArray(dst, d + 11 * ds);
        d12.intoArray(dst, d + 12 * ds);
        d13.intoArray(dst, d + 13 * ds);
        d14.intoArray(dst, d + 14 * ds);
        d15.intoArray(dst, d + 15 * ds);
    }

    /**
     * grid[((iy + padH)·wp + ix + padW)·LANES + c] = stage[c·plane + iy·w + ix] for c &lt; n, iy &lt; rows, ix &lt; cols:
     * each row in LANES × LANES blocks of LANES pixels, transposed straight into the grid row. A row's last block
     * spills past its end (its lanes read on into the plane, and channels past n read stale cells of {@code stage}:
     * lanes that are dropped); what lands in the next row's interior that row then overwrites. Only the padding is
     * cleared (the interior is all written): the cells before the first row's interior first, the rest afterwards.
     */
    private static void transposeIn(float[] stage, int plane, int w, int rows, int cols, float[] grid, int wp, int padH, int padW,
                                    int gridLen) {
        if (rows <= 0 || cols <= 0) {
            java.util.Arrays.fill(grid, 0, gridLen, 0f);
            return;
        }
        java.util.Arrays.fill(grid, 0, (padH * wp + padW) * LANES, 0f);   // the top padding and the first row's left
        for (int iy = 0; iy < rows; iy++) {
            int src = iy * w, dst = ((iy + padH) * wp + padW) * LANES;
            for (int ix = 0; ix < cols; ix += LANES) {
                transpose(stage, src + ix, plane, grid, dst + ix * LANES, LANES);
            }
        }
        for (int iy = 0; iy < rows; iy++) {   // after the spills: right padding and the next row's left, the bottom rows
            int end = ((iy + padH) * wp + padW + cols) * LANES;
            java.util.Arrays.fill(grid, end, iy == rows - 1 ? gridLen : end + (wp - cols) * LANES, 0f);
        }
    }

    /**
     * stage[c·oplane + p] = o[p·LANES + c] for c &lt; LANES, p &lt; oplane, in LANES × LANES blocks (o holds whole blocks
     * of pixels; channels past n land past n·oplane, in the slack). The last block goes first: its stores spill into
     * the next channel's first pixels, which are written after it.
     */
    private static void transposeOut(float[] o, int oplane, float[] stage) {
        int last = (oplane - 1) / LANES * LANES;
        for (int k = 0; k <= last / LANES; k++) {
            int p0 = k == 0 ? last : (k - 1) * LANES;
            transpose(o, p0 * LANES, LANES, stage, p0, oplane);
        }
    }

    /**
     * 3×3 over the interleaved grid: nine weight vectors and the bias in registers, four output pixels of a row at a
     * time (four independent FMA chains; one pixel at a time the nine dependent FMAs of each left the core waiting on
     * their latency), then one at a time; ReLU and ReLU6 as a clamp in register (lo, hi), each sum in the order bias,
     * then the taps row by row. Stride 1 or 2 (written out for each: a constant stride lets C2 remove the loads' range
     * checks from the loop); other strides take {@link #ilAny4}.
     */
    private static void il3(int s, float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        if (s == 1) {
            il3s1(g, wp, wv, o, ho, wo, lo, hi);
        } else {
            il3s2(g, wp, wv, o, ho, wo, lo, hi);
        }
    }

    /** {@link #il3} at stride 1 (a constant stride: C2 then removes the loads' range checks from the loop). */
    private static void il3s1(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector w0 = FloatVector.fromArray(SPECIES, wv, 0), w1 = FloatVector.fromArray(SPECIES, wv, LANES);
        FloatVector w2 = FloatVector.fromArray(SPECIES, wv, 2 * LANES), w3 = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
        FloatVector w4 = FloatVector.fromArray(SPECIES, wv, 4 * LANES), w5 = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
        FloatVector w6 = FloatVector.fromArray(SPECIES, wv, 6 * LANES), w7 = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
        FloatVector w8 = FloatVector.fromArray(SPECIES, wv, 8 * LANES), b = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES, step = LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r0 = oy * row, r1 = r0 + row, r2 = r1 + row, d = oy * wo * LANES;
            int ox = 0;
            for (; ox + 4 <= wo; ox += 4) {
                int c = ox * step;
                FloatVector x0 = FloatVector.fromArray(SPECIES, g, r0 + c), a0 = FMA ? w0.fma(x0, b) : w0.mul(x0).add(b);
                FloatVector x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step), a1 = FMA ? w0.fma(x1, b) : w0.mul(x1).add(b);
                FloatVector x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step), a2 = FMA ? w0.fma(x2, b) : w0.mul(x2).add(b);
                FloatVector x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step), a3 = FMA ? w0.fma(x3, b) : w0.mul(x3).add(b);
                x0 = FloatVector.fromArray(SPECIES, g, r0 + c + LANES);
                a0 = FMA ? w1.fma(x0, a0) : w1.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step + LANES);
                a1 = FMA ? w1.fma(x1, a1) : w1.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step + LANES);
                a2 = FMA ? w1.fma(x2, a2) : w1.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step + LANES);
                a3 = FMA ? w1.fma(x3, a3) : w1.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * LANES);
                a0 = FMA ? w2.fma(x0, a0) : w2.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step + 2 * LANES);
                a1 = FMA ? w2.fma(x1, a1) : w2.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w2.fma(x2, a2) : w2.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w2.fma(x3, a3) : w2.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c);
                a0 = FMA ? w3.fma(x0, a0) : w3.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step);
                a1 = FMA ? w3.fma(x1, a1) : w3.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step);
                a2 = FMA ? w3.fma(x2, a2) : w3.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step);
                a3 = FMA ? w3.fma(x3, a3) : w3.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c + LANES);
                a0 = FMA ? w4.fma(x0, a0) : w4.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step + LANES);
                a1 = FMA ? w4.fma(x1, a1) : w4.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step + LANES);
                a2 = FMA ? w4.fma(x2, a2) : w4.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step + LANES);
                a3 = FMA ? w4.fma(x3, a3) : w4.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * LANES);
                a0 = FMA ? w5.fma(x0, a0) : w5.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step + 2 * LANES);
                a1 = FMA ? w5.fma(x1, a1) : w5.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w5.fma(x2, a2) : w5.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w5.fma(x3, a3) : w5.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c);
                a0 = FMA ? w6.fma(x0, a0) : w6.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step);
                a1 = FMA ? w6.fma(x1, a1) : w6.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step);
                a2 = FMA ? w6.fma(x2, a2) : w6.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step);
                a3 = FMA ? w6.fma(x3, a3) : w6.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c + LANES);
                a0 = FMA ? w7.fma(x0, a0) : w7.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step + LANES);
                a1 = FMA ? w7.fma(x1, a1) : w7.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step + LANES);
                a2 = FMA ? w7.fma(x2, a2) : w7.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step + LANES);
                a3 = FMA ? w7.fma(x3, a3) : w7.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * LANES);
                a0 = FMA ? w8.fma(x0, a0) : w8.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step + 2 * LANES);
                a1 = FMA ? w8.fma(x1, a1) : w8.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w8.fma(x2, a2) : w8.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w8.fma(x3, a3) : w8.mul(x3).add(a3);
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
                a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 2) * LANES);
                a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 3) * LANES);
            }
            for (; ox < wo; ox++) {
                int c = ox * step;
                FloatVector x = FloatVector.fromArray(SPECIES, g, r0 + c), acc = FMA ? w0.fma(x, b) : w0.mul(x).add(b);
                x = FloatVector.fromArray(SPECIES, g, r0 + c + LANES);
                acc = FMA ? w1.fma(x, acc) : w1.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * LANES);
                acc = FMA ? w2.fma(x, acc) : w2.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c);
                acc = FMA ? w3.fma(x, acc) : w3.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c + LANES);
                acc = FMA ? w4.fma(x, acc) : w4.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * LANES);
                acc = FMA ? w5.fma(x, acc) : w5.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c);
                acc = FMA ? w6.fma(x, acc) : w6.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c + LANES);
                acc = FMA ? w7.fma(x, acc) : w7.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * LANES);
                acc = FMA ? w8.fma(x, acc) : w8.mul(x).add(acc);
                acc.blend(l, acc.compare(VectorOperators.LE, l)).blend(h, acc.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
            }
        }
    }

    /** {@link #il3} at stride 2. */
    private static void il3s2(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector w0 = FloatVector.fromArray(SPECIES, wv, 0), w1 = FloatVector.fromArray(SPECIES, wv, LANES);
        FloatVector w2 = FloatVector.fromArray(SPECIES, wv, 2 * LANES), w3 = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
        FloatVector w4 = FloatVector.fromArray(SPECIES, wv, 4 * LANES), w5 = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
        FloatVector w6 = FloatVector.fromArray(SPECIES, wv, 6 * LANES), w7 = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
        FloatVector w8 = FloatVector.fromArray(SPECIES, wv, 8 * LANES), b = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES, step = 2 * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r0 = oy * 2 * row, r1 = r0 + row, r2 = r1 + row, d = oy * wo * LANES;
            int ox = 0;
            for (; ox + 4 <= wo; ox += 4) {
                int c = ox * step;
                FloatVector x0 = FloatVector.fromArray(SPECIES, g, r0 + c), a0 = FMA ? w0.fma(x0, b) : w0.mul(x0).add(b);
                FloatVector x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step), a1 = FMA ? w0.fma(x1, b) : w0.mul(x1).add(b);
                FloatVector x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step), a2 = FMA ? w0.fma(x2, b) : w0.mul(x2).add(b);
                FloatVector x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step), a3 = FMA ? w0.fma(x3, b) : w0.mul(x3).add(b);
                x0 = FloatVector.fromArray(SPECIES, g, r0 + c + LANES);
                a0 = FMA ? w1.fma(x0, a0) : w1.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step + LANES);
                a1 = FMA ? w1.fma(x1, a1) : w1.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step + LANES);
                a2 = FMA ? w1.fma(x2, a2) : w1.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step + LANES);
                a3 = FMA ? w1.fma(x3, a3) : w1.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * LANES);
                a0 = FMA ? w2.fma(x0, a0) : w2.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r0 + c + step + 2 * LANES);
                a1 = FMA ? w2.fma(x1, a1) : w2.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w2.fma(x2, a2) : w2.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r0 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w2.fma(x3, a3) : w2.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c);
                a0 = FMA ? w3.fma(x0, a0) : w3.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step);
                a1 = FMA ? w3.fma(x1, a1) : w3.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step);
                a2 = FMA ? w3.fma(x2, a2) : w3.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step);
                a3 = FMA ? w3.fma(x3, a3) : w3.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c + LANES);
                a0 = FMA ? w4.fma(x0, a0) : w4.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step + LANES);
                a1 = FMA ? w4.fma(x1, a1) : w4.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step + LANES);
                a2 = FMA ? w4.fma(x2, a2) : w4.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step + LANES);
                a3 = FMA ? w4.fma(x3, a3) : w4.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * LANES);
                a0 = FMA ? w5.fma(x0, a0) : w5.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r1 + c + step + 2 * LANES);
                a1 = FMA ? w5.fma(x1, a1) : w5.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w5.fma(x2, a2) : w5.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r1 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w5.fma(x3, a3) : w5.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c);
                a0 = FMA ? w6.fma(x0, a0) : w6.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step);
                a1 = FMA ? w6.fma(x1, a1) : w6.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step);
                a2 = FMA ? w6.fma(x2, a2) : w6.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step);
                a3 = FMA ? w6.fma(x3, a3) : w6.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c + LANES);
                a0 = FMA ? w7.fma(x0, a0) : w7.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step + LANES);
                a1 = FMA ? w7.fma(x1, a1) : w7.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step + LANES);
                a2 = FMA ? w7.fma(x2, a2) : w7.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step + LANES);
                a3 = FMA ? w7.fma(x3, a3) : w7.mul(x3).add(a3);
                x0 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * LANES);
                a0 = FMA ? w8.fma(x0, a0) : w8.mul(x0).add(a0);
                x1 = FloatVector.fromArray(SPECIES, g, r2 + c + step + 2 * LANES);
                a1 = FMA ? w8.fma(x1, a1) : w8.mul(x1).add(a1);
                x2 = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * step + 2 * LANES);
                a2 = FMA ? w8.fma(x2, a2) : w8.mul(x2).add(a2);
                x3 = FloatVector.fromArray(SPECIES, g, r2 + c + 3 * step + 2 * LANES);
                a3 = FMA ? w8.fma(x3, a3) : w8.mul(x3).add(a3);
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
                a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 2) * LANES);
                a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 3) * LANES);
            }
            for (; ox < wo; ox++) {
                int c = ox * step;
                FloatVector x = FloatVector.fromArray(SPECIES, g, r0 + c), acc = FMA ? w0.fma(x, b) : w0.mul(x).add(b);
                x = FloatVector.fromArray(SPECIES, g, r0 + c + LANES);
                acc = FMA ? w1.fma(x, acc) : w1.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r0 + c + 2 * LANES);
                acc = FMA ? w2.fma(x, acc) : w2.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c);
                acc = FMA ? w3.fma(x, acc) : w3.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c + LANES);
                acc = FMA ? w4.fma(x, acc) : w4.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r1 + c + 2 * LANES);
                acc = FMA ? w5.fma(x, acc) : w5.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c);
                acc = FMA ? w6.fma(x, acc) : w6.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c + LANES);
                acc = FMA ? w7.fma(x, acc) : w7.mul(x).add(acc);
                x = FloatVector.fromArray(SPECIES, g, r2 + c + 2 * LANES);
                acc = FMA ? w8.fma(x, acc) : w8.mul(x).add(acc);
                acc.blend(l, acc.compare(VectorOperators.LE, l)).blend(h, acc.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
            }
        }
    }

    /**
     * 5×5 over the interleaved grid at stride 1 or 2 (others: {@link #ilAny4}), output pixels of a row four at a time at
     * stride 1, two at stride 2 (four made the method too large for C1: "out of virtual registers", and it then ran
     * as boxed tier-2 code); per kernel row the input columns they share are loaded once (stride 1: 8 loads for 20
     * FMAs, stride 2: 7 for 10),
     * the weight vectors per tap from {@code wv}; everything written out (no loop-carried accumulators, no helper
     * calls: either made C2 box the vectors) at a constant stride (C2 then removes the loads' range checks). ReLU and
     * ReLU6 as a clamp in register (lo, hi); each sum in the order bias, then the taps row by row, as {@link #ilAny}.
     */
    private static void il5(int s, float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        if (s == 1) {
            if (wo >= 4 && il5Quads()) {
                il5s1Quads(g, wp, wv, o, ho, wo, lo, hi);
            } else {
                il5s1(g, wp, wv, o, ho, wo, lo, hi);
            }
        } else if (wo >= 4 && il5Quads()) {
            il5s2Quads(g, wp, wv, o, ho, wo, lo, hi);
        } else {
            il5s2(g, wp, wv, o, ho, wo, lo, hi);
        }
    }

    /**
     * Whether 5×5 channels-in-lanes rows of at least four outputs run four outputs per step ({@link #il5s1Quads},
     * {@link #il5s2Quads}; default) rather than pairs ({@code -Dminnow.cnn.il5Quads=false}; read per call, for A/B runs).
     */
    private static boolean il5Quads() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.il5Quads", "true"));
    }

    /**
     * {@link #il5s1} four outputs per step: each window row's eight input vectors loaded once for the four (13 loads
     * per 20 FMAs, against 11 per 10 in pairs), the last step of a row placed to end at its last output (overlapping
     * outputs are recomputed with the same sums, so the values written twice are equal). Needs {@code wo ≥ 4}.
     */
    private static void il5s1Quads(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector b = FloatVector.fromArray(SPECIES, wv, 25 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r = oy * row, d = oy * wo * LANES;
            for (int q = 0; q < wo; q += 4) {
                int ox = Math.min(q, wo - 4);
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int ky = 0; ky < 5; ky++) {
                    int c = r + ky * row + ox * LANES;
                    FloatVector x0 = FloatVector.fromArray(SPECIES, g, c), x1 = FloatVector.fromArray(SPECIES, g, c + LANES);
                    FloatVector x2 = FloatVector.fromArray(SPECIES, g, c + 2 * LANES), x3 = FloatVector.fromArray(SPECIES, g, c + 3 * LANES);
                    FloatVector x4 = FloatVector.fromArray(SPECIES, g, c + 4 * LANES), x5 = FloatVector.fromArray(SPECIES, g, c + 5 * LANES);
                    FloatVector x6 = FloatVector.fromArray(SPECIES, g, c + 6 * LANES), x7 = FloatVector.fromArray(SPECIES, g, c + 7 * LANES);
                    FloatVector w;
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 0) * LANES);
                    a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                    a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                    a2 = FMA ? w.fma(x2, a2) : w.mul(x2).add(a2);
                    a3 = FMA ? w.fma(x3, a3) : w.mul(x3).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 1) * LANES);
                    a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                    a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                    a2 = FMA ? w.fma(x3, a2) : w.mul(x3).add(a2);
                    a3 = FMA ? w.fma(x4, a3) : w.mul(x4).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 2) * LANES);
                    a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                    a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                    a2 = FMA ? w.fma(x4, a2) : w.mul(x4).add(a2);
                    a3 = FMA ? w.fma(x5, a3) : w.mul(x5).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 3) * LANES);
                    a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                    a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                    a2 = FMA ? w.fma(x5, a2) : w.mul(x5).add(a2);
                    a3 = FMA ? w.fma(x6, a3) : w.mul(x6).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 4) * LANES);
                    a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                    a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                    a2 = FMA ? w.fma(x6, a2) : w.mul(x6).add(a2);
                    a3 = FMA ? w.fma(x7, a3) : w.mul(x7).add(a3);
                }
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
                a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 2) * LANES);
                a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 3) * LANES);
            }
        }
    }

    /** {@link #il5} at stride 1. */
    private static void il5s1(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector b = FloatVector.fromArray(SPECIES, wv, 25 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r = oy * row, d = oy * wo * LANES;
            int ox = 0;
            for (; ox + 2 <= wo; ox += 2) {
                int c = r + ox * LANES;
                FloatVector a0 = b, a1 = b;
                int c0 = c;
                FloatVector x0 = FloatVector.fromArray(SPECIES, g, c0);
                FloatVector x1 = FloatVector.fromArray(SPECIES, g, c0 + LANES);
                FloatVector x2 = FloatVector.fromArray(SPECIES, g, c0 + 2 * LANES);
                FloatVector x3 = FloatVector.fromArray(SPECIES, g, c0 + 3 * LANES);
                FloatVector x4 = FloatVector.fromArray(SPECIES, g, c0 + 4 * LANES);
                FloatVector x5 = FloatVector.fromArray(SPECIES, g, c0 + 5 * LANES);
                FloatVector w = FloatVector.fromArray(SPECIES, wv, 0);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 2 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 4 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                int c1 = c + row;
                x0 = FloatVector.fromArray(SPECIES, g, c1);
                x1 = FloatVector.fromArray(SPECIES, g, c1 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c1 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c1 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c1 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c1 + 5 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 6 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 8 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                int c2 = c + 2 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c2);
                x1 = FloatVector.fromArray(SPECIES, g, c2 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c2 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c2 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c2 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c2 + 5 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 10 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 11 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 12 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 13 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 14 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                int c3 = c + 3 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c3);
                x1 = FloatVector.fromArray(SPECIES, g, c3 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c3 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c3 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c3 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c3 + 5 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 15 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 16 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 17 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 18 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 19 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                int c4 = c + 4 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c4);
                x1 = FloatVector.fromArray(SPECIES, g, c4 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c4 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c4 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c4 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c4 + 5 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 20 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x1, a1) : w.mul(x1).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 21 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 22 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 23 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 24 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
            }
            if (ox < wo) {
                il5Tail(1, g, r, row, wv, o, d, ox, wo, lo, hi);
            }
        }
    }

    /**
     * {@link #il5s2} four outputs per step: four accumulators instead of two, so that the 25 dependent FMAs of each
     * output overlap (two chains left the FMA units half idle on their latency), and each window row's eleven input
     * vectors loaded once for the four (16 loads per 20 FMAs, against 12 per 10 in pairs). The last step of a row is
     * placed to end at its last output, as in {@link #il5s1Quads}; every output's sum is the pairs' sum, in the same
     * order. Needs {@code wo ≥ 4}.
     */
    private static void il5s2Quads(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector b = FloatVector.fromArray(SPECIES, wv, 25 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r = oy * 2 * row, d = oy * wo * LANES;
            for (int q = 0; q < wo; q += 4) {
                int ox = Math.min(q, wo - 4);
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int ky = 0; ky < 5; ky++) {
                    int c = r + ky * row + 2 * ox * LANES;
                    FloatVector x0 = FloatVector.fromArray(SPECIES, g, c), x1 = FloatVector.fromArray(SPECIES, g, c + LANES);
                    FloatVector x2 = FloatVector.fromArray(SPECIES, g, c + 2 * LANES), x3 = FloatVector.fromArray(SPECIES, g, c + 3 * LANES);
                    FloatVector x4 = FloatVector.fromArray(SPECIES, g, c + 4 * LANES), x5 = FloatVector.fromArray(SPECIES, g, c + 5 * LANES);
                    FloatVector x6 = FloatVector.fromArray(SPECIES, g, c + 6 * LANES), x7 = FloatVector.fromArray(SPECIES, g, c + 7 * LANES);
                    FloatVector x8 = FloatVector.fromArray(SPECIES, g, c + 8 * LANES), x9 = FloatVector.fromArray(SPECIES, g, c + 9 * LANES);
                    FloatVector x10 = FloatVector.fromArray(SPECIES, g, c + 10 * LANES);
                    FloatVector w;
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 0) * LANES);
                    a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                    a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                    a2 = FMA ? w.fma(x4, a2) : w.mul(x4).add(a2);
                    a3 = FMA ? w.fma(x6, a3) : w.mul(x6).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 1) * LANES);
                    a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                    a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                    a2 = FMA ? w.fma(x5, a2) : w.mul(x5).add(a2);
                    a3 = FMA ? w.fma(x7, a3) : w.mul(x7).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 2) * LANES);
                    a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                    a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                    a2 = FMA ? w.fma(x6, a2) : w.mul(x6).add(a2);
                    a3 = FMA ? w.fma(x8, a3) : w.mul(x8).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 3) * LANES);
                    a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                    a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                    a2 = FMA ? w.fma(x7, a2) : w.mul(x7).add(a2);
                    a3 = FMA ? w.fma(x9, a3) : w.mul(x9).add(a3);
                    w = FloatVector.fromArray(SPECIES, wv, (ky * 5 + 4) * LANES);
                    a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                    a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                    a2 = FMA ? w.fma(x8, a2) : w.mul(x8).add(a2);
                    a3 = FMA ? w.fma(x10, a3) : w.mul(x10).add(a3);
                }
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
                a2.blend(l, a2.compare(VectorOperators.LE, l)).blend(h, a2.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 2) * LANES);
                a3.blend(l, a3.compare(VectorOperators.LE, l)).blend(h, a3.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 3) * LANES);
            }
        }
    }

    /** {@link #il5} at stride 2. */
    private static void il5s2(float[] g, int wp, float[] wv, float[] o, int ho, int wo, float lo, float hi) {
        FloatVector b = FloatVector.fromArray(SPECIES, wv, 25 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        int row = wp * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r = oy * 2 * row, d = oy * wo * LANES;
            int ox = 0;
            for (; ox + 2 <= wo; ox += 2) {
                int c = r + ox * 2 * LANES;
                FloatVector a0 = b, a1 = b;
                int c0 = c;
                FloatVector x0 = FloatVector.fromArray(SPECIES, g, c0);
                FloatVector x1 = FloatVector.fromArray(SPECIES, g, c0 + LANES);
                FloatVector x2 = FloatVector.fromArray(SPECIES, g, c0 + 2 * LANES);
                FloatVector x3 = FloatVector.fromArray(SPECIES, g, c0 + 3 * LANES);
                FloatVector x4 = FloatVector.fromArray(SPECIES, g, c0 + 4 * LANES);
                FloatVector x5 = FloatVector.fromArray(SPECIES, g, c0 + 5 * LANES);
                FloatVector x6 = FloatVector.fromArray(SPECIES, g, c0 + 6 * LANES);
                FloatVector w = FloatVector.fromArray(SPECIES, wv, 0);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 2 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 3 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 4 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                int c1 = c + row;
                x0 = FloatVector.fromArray(SPECIES, g, c1);
                x1 = FloatVector.fromArray(SPECIES, g, c1 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c1 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c1 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c1 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c1 + 5 * LANES);
                x6 = FloatVector.fromArray(SPECIES, g, c1 + 6 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 5 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 6 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 7 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 8 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 9 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                int c2 = c + 2 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c2);
                x1 = FloatVector.fromArray(SPECIES, g, c2 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c2 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c2 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c2 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c2 + 5 * LANES);
                x6 = FloatVector.fromArray(SPECIES, g, c2 + 6 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 10 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 11 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 12 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 13 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 14 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                int c3 = c + 3 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c3);
                x1 = FloatVector.fromArray(SPECIES, g, c3 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c3 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c3 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c3 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c3 + 5 * LANES);
                x6 = FloatVector.fromArray(SPECIES, g, c3 + 6 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 15 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 16 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 17 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 18 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 19 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                int c4 = c + 4 * row;
                x0 = FloatVector.fromArray(SPECIES, g, c4);
                x1 = FloatVector.fromArray(SPECIES, g, c4 + LANES);
                x2 = FloatVector.fromArray(SPECIES, g, c4 + 2 * LANES);
                x3 = FloatVector.fromArray(SPECIES, g, c4 + 3 * LANES);
                x4 = FloatVector.fromArray(SPECIES, g, c4 + 4 * LANES);
                x5 = FloatVector.fromArray(SPECIES, g, c4 + 5 * LANES);
                x6 = FloatVector.fromArray(SPECIES, g, c4 + 6 * LANES);
                w = FloatVector.fromArray(SPECIES, wv, 20 * LANES);
                a0 = FMA ? w.fma(x0, a0) : w.mul(x0).add(a0);
                a1 = FMA ? w.fma(x2, a1) : w.mul(x2).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 21 * LANES);
                a0 = FMA ? w.fma(x1, a0) : w.mul(x1).add(a0);
                a1 = FMA ? w.fma(x3, a1) : w.mul(x3).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 22 * LANES);
                a0 = FMA ? w.fma(x2, a0) : w.mul(x2).add(a0);
                a1 = FMA ? w.fma(x4, a1) : w.mul(x4).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 23 * LANES);
                a0 = FMA ? w.fma(x3, a0) : w.mul(x3).add(a0);
                a1 = FMA ? w.fma(x5, a1) : w.mul(x5).add(a1);
                w = FloatVector.fromArray(SPECIES, wv, 24 * LANES);
                a0 = FMA ? w.fma(x4, a0) : w.mul(x4).add(a0);
                a1 = FMA ? w.fma(x6, a1) : w.mul(x6).add(a1);
                a0.blend(l, a0.compare(VectorOperators.LE, l)).blend(h, a0.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
                a1.blend(l, a1.compare(VectorOperators.LE, l)).blend(h, a1.compare(VectorOperators.GE, h)).intoArray(o, d + (ox + 1) * LANES);
            }
            if (ox < wo) {
                il5Tail(2, g, r, row, wv, o, d, ox, wo, lo, hi);
            }
        }
    }

    /** Output pixels ox..wo-1 of a row of {@link #il5} one at a time (a method of its own: C1 could not compile il5 with them). */
    private static void il5Tail(int s, float[] g, int r, int row, float[] wv, float[] o, int d, int ox0, int wo, float lo, float hi) {
        FloatVector b = FloatVector.fromArray(SPECIES, wv, 25 * LANES);
        FloatVector l = FloatVector.broadcast(SPECIES, lo), h = FloatVector.broadcast(SPECIES, hi);
        for (int ox = ox0; ox < wo; ox++) {
            int c = r + ox * s * LANES;
            FloatVector a = b;
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 0).fma(FloatVector.fromArray(SPECIES, g, c), a) : FloatVector.fromArray(SPECIES, wv, 0).mul(FloatVector.fromArray(SPECIES, g, c)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, LANES).fma(FloatVector.fromArray(SPECIES, g, c + LANES), a) : FloatVector.fromArray(SPECIES, wv, LANES).mul(FloatVector.fromArray(SPECIES, g, c + LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 2 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 2 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 3 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 3 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 4 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 4 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 5 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + row), a) : FloatVector.fromArray(SPECIES, wv, 5 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + row)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 6 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + row + LANES), a) : FloatVector.fromArray(SPECIES, wv, 6 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + row + LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 7 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + row + 2 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 7 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + row + 2 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 8 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + row + 3 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 8 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + row + 3 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 9 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + row + 4 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 9 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + row + 4 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 10 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * row), a) : FloatVector.fromArray(SPECIES, wv, 10 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * row)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 11 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * row + LANES), a) : FloatVector.fromArray(SPECIES, wv, 11 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * row + LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 12 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * row + 2 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 12 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * row + 2 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 13 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * row + 3 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 13 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * row + 3 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 14 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 2 * row + 4 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 14 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 2 * row + 4 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 15 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * row), a) : FloatVector.fromArray(SPECIES, wv, 15 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * row)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 16 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * row + LANES), a) : FloatVector.fromArray(SPECIES, wv, 16 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * row + LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 17 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * row + 2 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 17 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * row + 2 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 18 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * row + 3 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 18 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * row + 3 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 19 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 3 * row + 4 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 19 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 3 * row + 4 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 20 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * row), a) : FloatVector.fromArray(SPECIES, wv, 20 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * row)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 21 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * row + LANES), a) : FloatVector.fromArray(SPECIES, wv, 21 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * row + LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 22 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * row + 2 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 22 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * row + 2 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 23 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * row + 3 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 23 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * row + 3 * LANES)).add(a);
            a = FMA ? FloatVector.fromArray(SPECIES, wv, 24 * LANES).fma(FloatVector.fromArray(SPECIES, g, c + 4 * row + 4 * LANES), a) : FloatVector.fromArray(SPECIES, wv, 24 * LANES).mul(FloatVector.fromArray(SPECIES, g, c + 4 * row + 4 * LANES)).add(a);
            a.blend(l, a.compare(VectorOperators.LE, l)).blend(h, a.compare(VectorOperators.GE, h)).intoArray(o, d + ox * LANES);
        }
    }

    /**
     * {@link #ilAny} four output pixels of a row at a time: each tap's weight vector is loaded once for four FMAs
     * (five loads per four FMAs instead of two per one: with k = 5 the 25 weight vectors do not fit in registers). One
     * flat loop over the taps' grid offsets (accumulators carried through nested loops were boxed, see s1Block4);
     * each sum in the same order as {@link #ilAny}: bias, then the taps row by row.
     */
    private static void ilAny4(int k, int s, float[] g, int wp, float[] wv, float[] o, int ho, int wo) {
        int taps = k * k;
        int[] off = new int[taps];
        int row = wp * LANES, step = s * LANES;
        for (int t = 0; t < taps; t++) {
            off[t] = (t / k) * row + (t % k) * LANES;
        }
        FloatVector b = FloatVector.fromArray(SPECIES, wv, taps * LANES);
        for (int oy = 0; oy < ho; oy++) {
            int r0 = oy * s * row, d = oy * wo * LANES;
            int ox = 0;
            for (; ox + 4 <= wo; ox += 4) {
                int base = r0 + ox * step;
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                for (int t = 0; t < taps; t++) {
                    FloatVector w = FloatVector.fromArray(SPECIES, wv, t * LANES);
                    int at = base + off[t];
                    a0 = fma(w, FloatVector.fromArray(SPECIES, g, at), a0);
                    a1 = fma(w, FloatVector.fromArray(SPECIES, g, at + step), a1);
                    a2 = fma(w, FloatVector.fromArray(SPECIES, g, at + 2 * step), a2);
                    a3 = fma(w, FloatVector.fromArray(SPECIES, g, at + 3 * step), a3);
                }
                a0.intoArray(o, d + ox * LANES);
                a1.intoArray(o, d + (ox + 1) * LANES);
                a2.intoArray(o, d + (ox + 2) * LANES);
                a3.intoArray(o, d + (ox + 3) * LANES);
            }
            for (; ox < wo; ox++) {
                int base = r0 + ox * step;
                FloatVector a = b;
                for (int t = 0; t < taps; t++) {
                    a = fma(FloatVector.fromArray(SPECIES, wv, t * LANES), FloatVector.fromArray(SPECIES, g, base + off[t]), a);
                }
                a.intoArray(o, d + ox * LANES);
            }
        }
    }

    /** Any k over the interleaved grid, weight vectors read per tap. */
    private static void ilAny(int k, int s, float[] g, int wp, float[] wv, float[] o, int ho, int wo) {
        int taps = k * k;
        FloatVector b = FloatVector.fromArray(SPECIES, wv, taps * LANES);
        int row = wp * LANES, step = s * LANES;
        for (int oy = 0; oy < ho; oy++) {
            int r0 = oy * s * row, d = oy * wo * LANES;
            for (int ox = 0; ox < wo; ox++) {
                int base = r0 + ox * step;
                FloatVector acc = b;
                for (int ky = 0; ky < k; ky++) {
                    int r = base + ky * row, wk = ky * k * LANES;
                    for (int kx = 0; kx < k; kx++) {
                        acc = fma(FloatVector.fromArray(SPECIES, wv, wk + kx * LANES), FloatVector.fromArray(SPECIES, g, r + kx * LANES), acc);
                    }
                }
                acc.intoArray(o, d + ox * LANES);
            }
        }
    }

    private void depthwisePlane(int k, int s, int padH, int padW, MemorySegment x, long xOff, int h, int w, float[] wt, int wOff,
                                float bias, Activation act, MemorySegment out, long outOff, int ho, int wo) {
        int code = code(act);
        int vw = (wo + LANES - 1) / LANES * LANES;   // output columns computed per row: whole vectors
        int phw = vw + (k - 1) / s;                  // columns per phase in a ring row
        int slot = s * phw;
        int rows = Math.max(1, Math.min(ho, 2048 / wo));   // output rows per copy out
        float[][] sc = DW_RING.get();
        int ringLen = (k + 1) * slot;
        if (sc[0].length < ringLen) {
            sc[0] = new float[ringLen];
        }
        if (sc[1].length < w) {
            sc[1] = new float[w];
        }
        if (sc[2].length < rows * wo + vw) {
            sc[2] = new float[rows * wo + vw];
        }
        float[] ring = sc[0], stage = sc[1], buf = sc[2];
        java.util.Arrays.fill(ring, 0, ringLen, 0f);   // padding columns and the zero row stay zero: rows only write their interior
        int zero = k * slot;
        int loaded = Integer.MIN_VALUE;   // the highest input row copied into the ring so far
        int b0 = 0;                        // the output row at buf[0]
        int[] rowAt = new int[k];   // ring offsets of the input rows of this output row
        for (int oy = 0; oy < ho; oy++) {
            int y0 = oy * s - padH;
            for (int ky = 0; ky < k; ky++) {
                int iy = y0 + ky, at = zero;
                if (iy >= 0 && iy < h) {
                    at = (iy % k) * slot;
                    if (iy > loaded) {
                        loadRow(s, padW, x, xOff + (long) iy * w, w, stage, ring, at, phw);
                        loaded = iy;
                    }
                }
                rowAt[ky] = at;
            }
            int o = (oy - b0) * wo;
            if (k == 3) {
                dw3Row(s, ring, rowAt[0], rowAt[1], rowAt[2], phw, wt, wOff, bias, buf, o, vw);
            } else {
                // one call site per pass kernel: C2 inlines each once (several inlined copies ran past its node budget
                // and left vector operations as boxed calls: 2× slower than the old kernel, measured)
                dwRows(k, s, ring, rowAt, phw, wt, wOff, bias, buf, o, vw);
            }
            if (oy - b0 + 1 == rows || oy == ho - 1) {
                int n = (oy - b0 + 1) * wo;
                if (code != 0) {
                    activateArray(code, act, buf, n);
                }
                MemorySegment.copy(buf, 0, out, F32, (outOff + (long) b0 * wo) * 4, n);
                b0 = oy + 1;
            }
        }
    }

    /** Copies input row {@code src} (w floats) into ring row {@code at}: padded column ix + padW, phase-split by s. */
    private void loadRow(int s, int padW, MemorySegment x, long src, int w, float[] stage, float[] ring, int at, int phw) {
        if (s == 1) {
            int len = Math.min(w, phw - padW);
            if (len > 0) {
                MemorySegment.copy(x, F32, src * 4, ring, at + padW, len);
            }
            return;
        }
        MemorySegment.copy(x, F32, src * 4, stage, 0, w);
        if (s == 2) {   // input column ix → padded x = ix + padW → phase x % 2, column x / 2
            int pe = padW % 2, xe = padW / 2, xo = (padW + 1) / 2;
            int de = at + pe * phw + xe, dOdd = at + (1 - pe) * phw + xo;
            int ne = Math.max(0, Math.min((w + 1) / 2, phw - xe)), no = Math.max(0, Math.min(w / 2, phw - xo));
            // scalar: vector code here sat one call level too deep under the depthwise driver, and C2 then left the
            // driver's vector operations as boxed calls (10× slower in a whole network, seen with PrintInlining)
            for (int j = 0; j < ne; j++) {
                ring[de + j] = stage[2 * j];
            }
            for (int j = 0; j < no; j++) {
                ring[dOdd + j] = stage[2 * j + 1];
            }
            return;
        }
        for (int ix = 0; ix < w; ix++) {
            int px = ix + padW, col = px / s;
            if (col < phw) {
                ring[at + (px % s) * phw + col] = stage[ix];
            }
        }
    }

    /** One 3×3 output row into buf[o, o + vw) from ring rows a0, a1, a2 (phases phw apart), nine weights in registers. */
    private static void dw3Row(int s, float[] r, int a0, int a1, int a2, int phw, float[] w, int wOff, float bias, float[] buf, int o, int vw) {
        int c1 = tapColumn(1, s, phw), c2 = tapColumn(2, s, phw);
        FloatVector w0 = FloatVector.broadcast(SPECIES, w[wOff]), w1 = FloatVector.broadcast(SPECIES, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(SPECIES, w[wOff + 2]), w3 = FloatVector.broadcast(SPECIES, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(SPECIES, w[wOff + 4]), w5 = FloatVector.broadcast(SPECIES, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(SPECIES, w[wOff + 6]), w7 = FloatVector.broadcast(SPECIES, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(SPECIES, w[wOff + 8]);
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        for (int ox = 0; ox < vw; ox += LANES) {
            FloatVector acc = fma(w0, FloatVector.fromArray(SPECIES, r, a0 + ox), b);
            acc = fma(w1, FloatVector.fromArray(SPECIES, r, a0 + c1 + ox), acc);
            acc = fma(w2, FloatVector.fromArray(SPECIES, r, a0 + c2 + ox), acc);
            acc = fma(w3, FloatVector.fromArray(SPECIES, r, a1 + ox), acc);
            acc = fma(w4, FloatVector.fromArray(SPECIES, r, a1 + c1 + ox), acc);
            acc = fma(w5, FloatVector.fromArray(SPECIES, r, a1 + c2 + ox), acc);
            acc = fma(w6, FloatVector.fromArray(SPECIES, r, a2 + ox), acc);
            acc = fma(w7, FloatVector.fromArray(SPECIES, r, a2 + c1 + ox), acc);
            acc = fma(w8, FloatVector.fromArray(SPECIES, r, a2 + c2 + ox), acc);
            acc.intoArray(buf, o + ox);
        }
    }

    /**
     * One output row of a k×k (k ≠ 3) into buf[o, o + vw): the bias, then one pass per kernel row over the buffered
     * row (5×5: five weights in registers per pass; other k: weights broadcast per tap). One method, not one per pass:
     * small pass methods were inlined into the driver, which then outgrew C2's budget and boxed its vectors.
     */
    private static void dwRows(int k, int s, float[] r, int[] rowAt, int phw, float[] w, int wOff, float bias, float[] buf, int o, int vw) {
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        for (int ox = 0; ox < vw; ox += LANES) {
            b.intoArray(buf, o + ox);
        }
        for (int ky = 0; ky < k; ky++) {
            int a = rowAt[ky], wk = wOff + ky * k;
            if (k == 5) {
                int c1 = a + tapColumn(1, s, phw), c2 = a + tapColumn(2, s, phw), c3 = a + tapColumn(3, s, phw), c4 = a + tapColumn(4, s, phw);
                FloatVector w0 = FloatVector.broadcast(SPECIES, w[wk]), w1 = FloatVector.broadcast(SPECIES, w[wk + 1]);
                FloatVector w2 = FloatVector.broadcast(SPECIES, w[wk + 2]), w3 = FloatVector.broadcast(SPECIES, w[wk + 3]);
                FloatVector w4 = FloatVector.broadcast(SPECIES, w[wk + 4]);
                for (int ox = 0; ox < vw; ox += LANES) {
                    FloatVector acc = FloatVector.fromArray(SPECIES, buf, o + ox);
                    acc = fma(w0, FloatVector.fromArray(SPECIES, r, a + ox), acc);
                    acc = fma(w1, FloatVector.fromArray(SPECIES, r, c1 + ox), acc);
                    acc = fma(w2, FloatVector.fromArray(SPECIES, r, c2 + ox), acc);
                    acc = fma(w3, FloatVector.fromArray(SPECIES, r, c3 + ox), acc);
                    acc = fma(w4, FloatVector.fromArray(SPECIES, r, c4 + ox), acc);
                    acc.intoArray(buf, o + ox);
                }
                continue;
            }
            for (int ox = 0; ox < vw; ox += LANES) {
                FloatVector acc = FloatVector.fromArray(SPECIES, buf, o + ox);
                for (int kx = 0; kx < k; kx++) {
                    acc = fma(FloatVector.broadcast(SPECIES, w[wk + kx]), FloatVector.fromArray(SPECIES, r, a + tapColumn(kx, s, phw) + ox), acc);
                }
                acc.intoArray(buf, o + ox);
            }
        }
    }

    /**
     * The activation over a[0, n) on the heap: codes 1–4 in vector with the scalar formulas' operations (scalar tails
     * per case), other activations ({@code code} < 0) by the scalar function. Deliberately one method of more than
     * C2's 325-byte hot-inlining limit: inlined into the depthwise drivers it pushed their vector calls past the
     * inlining depth and budget (boxed vectors, 10× slower in a network). The clamps are {@link #clamp}'s compares and
     * blends (the results of Math.max/min; {@code max(0f).min(6f)} cost 185 µs of pw 16→96 @112's 763 in the
     * channel-blocked pointwise kernel).
     */
    private static void activateArray(int code, Activation act, float[] a, int n) {
        int i = 0;
        int end = n - LANES;
        switch (code) {
            case 1 -> {
                for (; i <= end; i += LANES) {
                    clamp(FloatVector.fromArray(SPECIES, a, i), 0f, Float.POSITIVE_INFINITY).intoArray(a, i);
                }
                for (; i < n; i++) {
                    a[i] = Math.max(a[i], 0f);
                }
            }
            case 2 -> {
                for (; i <= end; i += LANES) {
                    clamp(FloatVector.fromArray(SPECIES, a, i), 0f, 6f).intoArray(a, i);
                }
                for (; i < n; i++) {
                    a[i] = Math.min(Math.max(a[i], 0f), 6f);
                }
            }
            case 3 -> {
                for (; i <= end; i += LANES) {
                    clamp(FloatVector.fromArray(SPECIES, a, i).div(6f).add(0.5f), 0f, 1f).intoArray(a, i);
                }
                for (; i < n; i++) {
                    a[i] = Math.min(Math.max(a[i] / 6f + 0.5f, 0f), 1f);
                }
            }
            case 4 -> {
                for (; i <= end; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, a, i);
                    v.mul(clamp(v.div(6f).add(0.5f), 0f, 1f)).intoArray(a, i);
                }
                for (; i < n; i++) {
                    float v = a[i];
                    a[i] = v * Math.min(Math.max(v / 6f + 0.5f, 0f), 1f);
                }
            }
            default -> {
                if (code < 0) {
                    for (; i < n; i++) {
                        a[i] = ScalarKernels.activation(act, a[i]);
                    }
                }
            }
        }
    }

    /** Per thread: the column maxima of one output row, their two phases, one output row. */
    private static final ThreadLocal<float[][]> POOL_ROW = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * Separable max read in place: per output row, the window rows' column maxima in vectors straight from the plane
     * ({@link #colMaxRows}; the padding and the ceil_mode overhang are −∞ cells of the row buffer, never written, so the
     * clipped windows of the definition give the same maxima); then for stride 2 those split into even and odd columns
     * (window kx is phase kx % 2 at column ox + kx / 2: whole vectors again), stride 1 reads them at k shifts, other
     * strides take the scalar window. Max is exact and order-free, so the result equals the definition's (NaN wins in
     * both: the Vector API's max is Math.max per lane). Planes were copied into a padded heap array before: 2.6× slower on
     * SqueezeNet's first pool (session 21).
     */
    @Override
    public void maxPoolPlanes(int k, int s, int pad, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                              int q0, int q1) {
        if (ho <= 0 || wo <= 0 || q0 >= q1) {
            return;
        }
        int reach = (wo - 1) * s + k;   // padded columns a row's windows cover
        int cols = Math.min(w, reach - pad);   // the plane's columns among them
        int colLen = Math.max(reach, pad + w) + 2 * LANES + k;
        float[][] sc = POOL_ROW.get();
        if (sc[0].length < colLen) {
            sc[0] = new float[colLen];
            sc[1] = new float[colLen];
        }
        if (sc[2].length < wo + LANES) {
            sc[2] = new float[wo + LANES];   // the row kernels store whole vectors
        }
        float[] col = sc[0], ph = sc[1], out = sc[2];
        java.util.Arrays.fill(col, 0, colLen, Float.NEGATIVE_INFINITY);   // cells outside [pad, pad + cols) stay −∞
        int half = (reach + 1) / 2 + LANES;   // odd phase starts here in ph
        for (int q = q0; q < q1; q++) {
            long xp = xOff + (long) q * h * w, yp = yOff + (long) q * ho * wo;
            for (int oy = 0; oy < ho; oy++) {
                int iy0 = Math.max(0, oy * s - pad), iy1 = Math.min(h, oy * s - pad + k);
                colMaxRows(x, xp + (long) iy0 * w, w, iy1 - iy0, col, pad, cols);
                poolRow(k, s, col, reach, ph, half, out, wo);
                long at = (yp + (long) oy * wo) * 4;
                if (wo < LANES) {
                    FloatVector.fromArray(SPECIES, out, 0).intoMemorySegment(y, at, LE, SPECIES.indexInRange(0, wo));
                } else {
                    for (int c = 0; c < wo; c += LANES) {
                        int o = Math.min(c, wo - LANES);   // the last vector ends at wo
                        FloatVector.fromArray(SPECIES, out, o).intoMemorySegment(y, at + 4L * o, LE);
                    }
                }
            }
        }
    }

    /** col[pad + c] = the maximum over {@code n ≥ 1} rows (stride w) from element r0 of x of column c, c &lt; cols. */
    private static void colMaxRows(MemorySegment x, long r0, int w, int n, float[] col, int pad, int cols) {
        if (cols < LANES) {
            for (int c = 0; c < cols; c++) {
                float m = x.getAtIndex(F32, r0 + c);
                for (int r = 1; r < n; r++) {
                    m = Math.max(m, x.getAtIndex(F32, r0 + (long) r * w + c));
                }
                col[pad + c] = m;
            }
            return;
        }
        for (int c = 0; c < cols; c += LANES) {
            int at = Math.min(c, cols - LANES);   // the last vector ends at cols (max is idempotent: overlaps agree)
            long a = (r0 + at) * 4;
            FloatVector m = FloatVector.fromMemorySegment(SPECIES, x, a, LE);
            if (n == 3) {
                m = m.max(FloatVector.fromMemorySegment(SPECIES, x, a + 4L * w, LE)).max(FloatVector.fromMemorySegment(SPECIES, x, a + 8L * w, LE));
            } else {
                for (int r = 1; r < n; r++) {
                    m = m.max(FloatVector.fromMemorySegment(SPECIES, x, a + 4L * r * w, LE));
                }
            }
            m.intoArray(col, pad + at);
        }
    }

    /** One output row from its column maxima {@code col[0, reach)} (ph: the phases' scratch, odd ones from half). */
    private void poolRow(int k, int s, float[] col, int reach, float[] ph, int half, float[] out, int wo) {
        if (s == 2) {
            int pairs = reach / 2;
            if (pairs >= LANES) {
                deinterleaveOverlapping(col, pairs, ph, half);
            } else {
                deinterleave(col, 0, pairs, ph, 0, ph, half);
            }
            if (reach % 2 == 1) {
                ph[pairs] = col[reach - 1];
            }
            if (k == 3) {
                poolRow2k3(ph, half, out, wo);
            } else {
                poolRow2(k, ph, half, out, wo);
            }
        } else if (s == 1) {
            poolRow1(k, col, out, wo);
        } else {
            for (int ox = 0; ox < wo; ox++) {
                float m = col[ox * s];
                for (int kx = 1; kx < k; kx++) {
                    m = Math.max(m, col[ox * s + kx]);
                }
                out[ox] = m;
            }
        }
    }

    /**
     * {@link #deinterleave} of col's first {@code pairs} (≥ LANES) pairs into ph (even from 0, odd from {@code half}) in
     * whole vectors only, the last block placed to end at the last pair (overlapping the one before with the same values).
     */
    private static void deinterleaveOverlapping(float[] col, int pairs, float[] ph, int half) {
        for (int j = 0; j < pairs; j += LANES) {
            int at = Math.min(j, pairs - LANES);
            FloatVector a = FloatVector.fromArray(SPECIES, col, 2 * at);
            FloatVector b = FloatVector.fromArray(SPECIES, col, 2 * at + LANES);
            a.rearrange(EVEN_ODD).blend(b.rearrange(ODD_EVEN), UPPER).intoArray(ph, at);
            a.rearrange(ODD_EVEN).blend(b.rearrange(EVEN_ODD), UPPER).intoArray(ph, half + at);
        }
    }

    /**
     * {@link #poolRow2} for k = 3. Like the other row kernels it runs whole vectors past wo: out holds wo + LANES cells
     * and ph cells past the row's phases (stale values, in the dropped lanes only).
     */
    private static void poolRow2k3(float[] ph, int half, float[] out, int wo) {
        for (int ox = 0; ox < wo; ox += LANES) {
            FloatVector.fromArray(SPECIES, ph, ox).max(FloatVector.fromArray(SPECIES, ph, half + ox))
                    .max(FloatVector.fromArray(SPECIES, ph, ox + 1)).intoArray(out, ox);
        }
    }

    /** Stride 2 from the phases: out[ox] = max_kx ph[(kx % 2)·half + ox + kx / 2], whole vectors (see poolRow2k3). */
    private static void poolRow2(int k, float[] ph, int half, float[] out, int wo) {
        for (int ox = 0; ox < wo; ox += LANES) {
            FloatVector m = FloatVector.fromArray(SPECIES, ph, ox);
            for (int kx = 1; kx < k; kx++) {
                m = m.max(FloatVector.fromArray(SPECIES, ph, (kx & 1) * half + ox + (kx >> 1)));
            }
            m.intoArray(out, ox);
        }
    }

    /** Stride 1: out[ox] = max_kx col[ox + kx], whole vectors (see poolRow2k3). */
    private static void poolRow1(int k, float[] col, float[] out, int wo) {
        for (int ox = 0; ox < wo; ox += LANES) {
            FloatVector m = FloatVector.fromArray(SPECIES, col, ox);
            for (int kx = 1; kx < k; kx++) {
                m = m.max(FloatVector.fromArray(SPECIES, col, ox + kx));
            }
            m.intoArray(out, ox);
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
        if (j < pairs) {   // the last pairs with masked loads and stores (rows of 14 or 28 columns: all or half of a row)
            int rem = pairs - j;
            FloatVector a = FloatVector.fromArray(SPECIES, src, srcOff + 2 * j, SPECIES.indexInRange(0, Math.min(LANES, 2 * rem)));
            FloatVector b = 2 * rem > LANES
                    ? FloatVector.fromArray(SPECIES, src, srcOff + 2 * j + LANES, SPECIES.indexInRange(0, 2 * rem - LANES))
                    : FloatVector.zero(SPECIES);
            VectorMask<Float> m = SPECIES.indexInRange(0, rem);
            a.rearrange(EVEN_ODD).blend(b.rearrange(ODD_EVEN), UPPER).intoArray(even, evenOff + j, m);
            a.rearrange(ODD_EVEN).blend(b.rearrange(EVEN_ODD), UPPER).intoArray(odd, oddOff + j, m);
        }
    }

    /**
     * Pointwise: for each 2-vector pixel block, 4 output channels at a time in 8 accumulators (+ 2 input vectors and a
     * broadcast weight: within the 16 AVX2 registers; at 512 bits first 4-vector blocks in 16 accumulators, {@link #pw44});
     * the block's cin input vectors stay in L1 across the channel blocks. Epilogue (activation) in register. Leftover channels one at a time, leftover pixels in
     * {@link #pointwiseTail}.
     */
    @Override
    public void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                          MemorySegment y, long yOff, int ldy, int p0, int p1) {
        int code = code(act);
        // ReLU and ReLU6 as a clamp in register (identity: ±∞); the others over the finished rows below
        float lo = code == 1 || code == 2 ? 0f : Float.NEGATIVE_INFINITY, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        // pixel blocks of two vectors (4×2 register tile: a 4×3 one measured slower here, reading through the
        // segment), then one vector, then scalar
        int p = p0;
        if (channelsOuter()) {
            // channel blocks outer over sub-blocks whose input (cin rows) stays in L1: four output rows written as
            // runs at a time instead of every output row a few vectors at a time
            int pv = p0 + (p1 - p0) / LANES * LANES;
            int blk = CS_WIDE ? 4 * LANES : 2 * LANES;
            int sub = Math.max(blk, PW_SUB_FLOATS / Math.max(1, cin) / blk * blk);
            for (int s0 = p0; s0 < pv; s0 += sub) {
                int s1 = Math.min(pv, s0 + sub);
                int o = 0;
                for (; o <= cout - 4; o += 4) {
                    long yo = yOff + (long) o * ldy;
                    int q = s0;
                    if (CS_WIDE) {
                        for (; q <= s1 - 4 * LANES; q += 4 * LANES) {
                            pw44(o, cin, w, bias, lo, hi, x, xOff + q, ldx, y, yo + q, ldy);
                        }
                    }
                    for (; q <= s1 - 2 * LANES; q += 2 * LANES) {
                        pw4(o, cin, w, bias, lo, hi, x, xOff + q, ldx, y, yo + q, ldy);
                    }
                    if (q < s1) {
                        pw41(o, cin, w, bias, lo, hi, x, xOff + q, ldx, y, yo + q, ldy);
                    }
                }
                for (; o < cout; o++) {
                    for (int q = s0; q < s1; q += LANES) {
                        pw11(o, cin, w, bias, lo, hi, x, xOff + q, ldx, y, yOff + (long) o * ldy + q);
                    }
                }
            }
            p = pv;
        }
        for (int v = (p1 - p) / LANES; v >= 1; v = (p1 - p) / LANES) {
            int nv = v >= 2 ? 2 : 1;
            int o = 0;
            for (; o <= cout - 4; o += 4) {
                long yo = yOff + (long) o * ldy + p;
                if (nv == 2) {
                    pw4(o, cin, w, bias, lo, hi, x, xOff + p, ldx, y, yo, ldy);
                } else {
                    pw41(o, cin, w, bias, lo, hi, x, xOff + p, ldx, y, yo, ldy);
                }
            }
            for (; o < cout; o++) {
                for (int q = 0; q < nv; q++) {
                    pw11(o, cin, w, bias, lo, hi, x, xOff + p + q * LANES, ldx, y, yOff + (long) o * ldy + p + q * LANES);
                }
            }
            p += nv * LANES;
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

    /** Input floats of a {@link #pointwise} sub-block with the channel blocks outer (16 KiB: half of a 32 KiB L1). */
    private static final int PW_SUB_FLOATS = 4096;

    /**
     * Whether {@link #pointwise} and {@link #convShifted} run the channel blocks outer over L1-sized pixel sub-blocks
     * (default) or every channel block per two-vector pixel block ({@code -Dminnow.cnn.pwChannelsOuter=false}; read per call, for A/B runs).
     */
    private static boolean channelsOuter() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.pwChannelsOuter", "true"));
    }

    /** Channels o..o+3 of pixels [x0, x0 + 4·LANES): {@link #pw4} with twice the pixels per weight broadcast ({@link #CS_WIDE}). */
    private static void pw44(int o, int cin, float[] w, float[] bias, float lo, float hi, MemorySegment x, long x0, int ldx,
                             MemorySegment y, long y0, int ldy) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (bias == null) {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = FloatVector.zero(SPECIES);
            a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(SPECIES);
        } else {
            a00 = a01 = a02 = a03 = FloatVector.broadcast(SPECIES, bias[o]);
            a10 = a11 = a12 = a13 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a20 = a21 = a22 = a23 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a30 = a31 = a32 = a33 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * cin, w1 = w0 + cin, w2 = w1 + cin, w3 = w2 + cin;
        for (int j = 0; j < cin; j++) {
            long at = (x0 + (long) j * ldx) * 4;
            FloatVector xa = FloatVector.fromMemorySegment(SPECIES, x, at, LE);
            FloatVector xb = FloatVector.fromMemorySegment(SPECIES, x, at + LANES * 4L, LE);
            FloatVector xc = FloatVector.fromMemorySegment(SPECIES, x, at + 2 * LANES * 4L, LE);
            FloatVector xd = FloatVector.fromMemorySegment(SPECIES, x, at + 3 * LANES * 4L, LE);
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + j]);
            a00 = fma(v, xa, a00);
            a01 = fma(v, xb, a01);
            a02 = fma(v, xc, a02);
            a03 = fma(v, xd, a03);
            v = FloatVector.broadcast(SPECIES, w[w1 + j]);
            a10 = fma(v, xa, a10);
            a11 = fma(v, xb, a11);
            a12 = fma(v, xc, a12);
            a13 = fma(v, xd, a13);
            v = FloatVector.broadcast(SPECIES, w[w2 + j]);
            a20 = fma(v, xa, a20);
            a21 = fma(v, xb, a21);
            a22 = fma(v, xc, a22);
            a23 = fma(v, xd, a23);
            v = FloatVector.broadcast(SPECIES, w[w3 + j]);
            a30 = fma(v, xa, a30);
            a31 = fma(v, xb, a31);
            a32 = fma(v, xc, a32);
            a33 = fma(v, xd, a33);
        }
        long r = y0 * 4, step = (long) ldy * 4, q = LANES * 4L;
        a00.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a01.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a02.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a03.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a10.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a11.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a12.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a13.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a20.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a21.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a22.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a23.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a30.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a31.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a32.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a33.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
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

    /** Channels o..o+3 of pixels [x0, x0 + LANES). */
    private static void pw41(int o, int cin, float[] w, float[] bias, float lo, float hi, MemorySegment x, long x0, int ldx,
                             MemorySegment y, long y0, int ldy) {
        FloatVector a0, a1, a2, a3;
        if (bias == null) {
            a0 = a1 = a2 = a3 = FloatVector.zero(SPECIES);
        } else {
            a0 = FloatVector.broadcast(SPECIES, bias[o]);
            a1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * cin, w1 = w0 + cin, w2 = w1 + cin, w3 = w2 + cin;
        for (int i = 0; i < cin; i++) {
            FloatVector xa = FloatVector.fromMemorySegment(SPECIES, x, (x0 + (long) i * ldx) * 4, LE);
            a0 = fma(FloatVector.broadcast(SPECIES, w[w0 + i]), xa, a0);
            a1 = fma(FloatVector.broadcast(SPECIES, w[w1 + i]), xa, a1);
            a2 = fma(FloatVector.broadcast(SPECIES, w[w2 + i]), xa, a2);
            a3 = fma(FloatVector.broadcast(SPECIES, w[w3 + i]), xa, a3);
        }
        long r = y0 * 4, step = (long) ldy * 4;
        a0.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a1.max(lo).min(hi).intoMemorySegment(y, r + step, LE);
        a2.max(lo).min(hi).intoMemorySegment(y, r + 2 * step, LE);
        a3.max(lo).min(hi).intoMemorySegment(y, r + 3 * step, LE);
    }

    /** Channel o of pixels [x0, x0 + LANES). */
    private static void pw11(int o, int cin, float[] w, float[] bias, float lo, float hi, MemorySegment x, long x0, int ldx,
                             MemorySegment y, long y0) {
        FloatVector a0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.broadcast(SPECIES, bias[o]);
        int w0 = o * cin;
        for (int i = 0; i < cin; i++) {
            a0 = fma(FloatVector.broadcast(SPECIES, w[w0 + i]), FloatVector.fromMemorySegment(SPECIES, x, (x0 + (long) i * ldx) * 4, LE), a0);
        }
        a0.max(lo).min(hi).intoMemorySegment(y, y0 * 4, LE);
    }

    /** Pixels [p, p1) (fewer than LANES), scalar in the specification's order (FMA when the vector part uses it). */
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
        // (input channel, tap) pairs flattened into one loop over their offsets: the nested loop's short inner trip
        // (9 taps) and per-tap offset lookups cost as much as the FMAs
        int depth = cin * taps;
        int[] off = new int[depth];
        for (int i = 0; i < cin; i++) {
            for (int t = 0; t < taps; t++) {
                off[i * taps + t] = i * ldx + tapOff[t];
            }
        }
        // pixel blocks of four vectors at 512 bits ({@link #cs44}), of two (4×2 register tile; on AVX2 a 4×3 one spilled
        // and ran at 60% of this), then one vector
        int p = p0;
        if (channelsOuter()) {   // as in pointwise: channel blocks outer over sub-blocks whose input stays in L1
            int pv = p0 + (p1 - p0) / LANES * LANES;
            int blk = CS_WIDE ? 4 * LANES : 2 * LANES;
            int sub = Math.max(blk, PW_SUB_FLOATS / Math.max(1, depth) / blk * blk);
            for (int s0 = p0; s0 < pv; s0 += sub) {
                int s1 = Math.min(pv, s0 + sub);
                int o = 0;
                for (; o <= cout - 4; o += 4) {
                    long yo = yOff + (long) o * ldy;
                    int q = s0;
                    if (CS_WIDE) {
                        for (; q <= s1 - 4 * LANES; q += 4 * LANES) {
                            cs44(o, depth, off, w, bias, lo, hi, x, xOff + q, y, yo + q, ldy);
                        }
                        if (q <= s1 - 3 * LANES && CS43) {
                            cs43(o, depth, off, w, bias, lo, hi, x, xOff + q, y, yo + q, ldy);
                            q += 3 * LANES;
                        }
                    }
                    for (; q <= s1 - 2 * LANES; q += 2 * LANES) {
                        cs4(o, depth, off, w, bias, lo, hi, x, xOff + q, y, yo + q, ldy);
                    }
                    if (q < s1) {
                        cs41(o, depth, off, w, bias, lo, hi, x, xOff + q, y, yo + q, ldy);
                    }
                }
                for (; o < cout; o++) {
                    for (int q = s0; q < s1; q += LANES) {
                        cs11(o, depth, off, w, bias, lo, hi, x, xOff + q, y, yOff + (long) o * ldy + q);
                    }
                }
            }
            p = pv;
        }
        for (int v = (p1 - p) / LANES; v >= 1; v = (p1 - p) / LANES) {
            int nv = v >= 2 ? 2 : 1;
            int o = 0;
            for (; o <= cout - 4; o += 4) {
                long yo = yOff + (long) o * ldy + p;
                if (nv == 2) {
                    cs4(o, depth, off, w, bias, lo, hi, x, xOff + p, y, yo, ldy);
                } else {
                    cs41(o, depth, off, w, bias, lo, hi, x, xOff + p, y, yo, ldy);
                }
            }
            for (; o < cout; o++) {
                for (int q = 0; q < nv; q++) {
                    cs11(o, depth, off, w, bias, lo, hi, x, xOff + p + q * LANES, y, yOff + (long) o * ldy + p + q * LANES);
                }
            }
            p += nv * LANES;
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

    /**
     * Whether {@link #convShifted} and {@link #pointwise} also run a 4-channel × 4-vector register tile ({@link #cs44},
     * {@link #pw44}: 16 accumulators, 4 input vectors and a broadcast, within AVX-512's 32 registers; the 4 × 2 tile's 8
     * accumulators only just cover the FMA latency): at 512 bits; {@code -Dminnow.cnn.cs44=false} turns it off (read at
     * class load).
     */
    /** Whether {@link #cs43} takes three leftover vectors of pixels ({@code -Dminnow.cnn.cs43=false}: read at start). */
    private static final boolean CS43 = Boolean.parseBoolean(System.getProperty("minnow.cnn.cs43", "true"));
    private static final boolean CS_WIDE = LANES >= 16 && Boolean.parseBoolean(System.getProperty("minnow.cnn.cs44", "true"));

    /** Channels o..o+3 of 4·LANES grid pixels from x0: {@link #cs4} with twice the pixels per weight broadcast. */
    private static void cs44(int o, int depth, int[] off, float[] w, float[] bias, float lo, float hi, float[] x, int x0,
                             MemorySegment y, long y0, int ldy) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (bias == null) {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = FloatVector.zero(SPECIES);
            a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(SPECIES);
        } else {
            a00 = a01 = a02 = a03 = FloatVector.broadcast(SPECIES, bias[o]);
            a10 = a11 = a12 = a13 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a20 = a21 = a22 = a23 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a30 = a31 = a32 = a33 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
        for (int j = 0; j < depth; j++) {
            int at = x0 + off[j];
            FloatVector xa = FloatVector.fromArray(SPECIES, x, at);
            FloatVector xb = FloatVector.fromArray(SPECIES, x, at + LANES);
            FloatVector xc = FloatVector.fromArray(SPECIES, x, at + 2 * LANES);
            FloatVector xd = FloatVector.fromArray(SPECIES, x, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + j]);
            a00 = fma(v, xa, a00);
            a01 = fma(v, xb, a01);
            a02 = fma(v, xc, a02);
            a03 = fma(v, xd, a03);
            v = FloatVector.broadcast(SPECIES, w[w1 + j]);
            a10 = fma(v, xa, a10);
            a11 = fma(v, xb, a11);
            a12 = fma(v, xc, a12);
            a13 = fma(v, xd, a13);
            v = FloatVector.broadcast(SPECIES, w[w2 + j]);
            a20 = fma(v, xa, a20);
            a21 = fma(v, xb, a21);
            a22 = fma(v, xc, a22);
            a23 = fma(v, xd, a23);
            v = FloatVector.broadcast(SPECIES, w[w3 + j]);
            a30 = fma(v, xa, a30);
            a31 = fma(v, xb, a31);
            a32 = fma(v, xc, a32);
            a33 = fma(v, xd, a33);
        }
        long r = y0 * 4, step = (long) ldy * 4, q = LANES * 4L;
        a00.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a01.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a02.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a03.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a10.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a11.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a12.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a13.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a20.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a21.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a22.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a23.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
        r += step;
        a30.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a31.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a32.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        a33.max(lo).min(hi).intoMemorySegment(y, r + 3 * q, LE);
    }

    /**
     * {@link #cs44} for three vectors of pixels (12 accumulators): the last 48 pixels of a 112-wide output row at 512
     * bits went through a 2-vector and a 1-vector tile, whose 8 and 4 accumulators leave the FMA pipes waiting on their
     * latency (1.5× and 1.8× the time per pixel of the 4-vector tile in a 3×3 stem).
     */
    private static void cs43(int o, int depth, int[] off, float[] w, float[] bias, float lo, float hi, float[] x, int x0,
                             MemorySegment y, long y0, int ldy) {
        FloatVector a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        if (bias == null) {
            a00 = a01 = a02 = a10 = a11 = a12 = FloatVector.zero(SPECIES);
            a20 = a21 = a22 = a30 = a31 = a32 = FloatVector.zero(SPECIES);
        } else {
            a00 = a01 = a02 = FloatVector.broadcast(SPECIES, bias[o]);
            a10 = a11 = a12 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a20 = a21 = a22 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a30 = a31 = a32 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
        for (int j = 0; j < depth; j++) {
            int at = x0 + off[j];
            FloatVector xa = FloatVector.fromArray(SPECIES, x, at);
            FloatVector xb = FloatVector.fromArray(SPECIES, x, at + LANES);
            FloatVector xc = FloatVector.fromArray(SPECIES, x, at + 2 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + j]);
            a00 = fma(v, xa, a00);
            a01 = fma(v, xb, a01);
            a02 = fma(v, xc, a02);
            v = FloatVector.broadcast(SPECIES, w[w1 + j]);
            a10 = fma(v, xa, a10);
            a11 = fma(v, xb, a11);
            a12 = fma(v, xc, a12);
            v = FloatVector.broadcast(SPECIES, w[w2 + j]);
            a20 = fma(v, xa, a20);
            a21 = fma(v, xb, a21);
            a22 = fma(v, xc, a22);
            v = FloatVector.broadcast(SPECIES, w[w3 + j]);
            a30 = fma(v, xa, a30);
            a31 = fma(v, xb, a31);
            a32 = fma(v, xc, a32);
        }
        long r = y0 * 4, step = (long) ldy * 4, q = LANES * 4L;
        a00.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a01.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a02.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        r += step;
        a10.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a11.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a12.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        r += step;
        a20.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a21.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a22.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
        r += step;
        a30.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a31.max(lo).min(hi).intoMemorySegment(y, r + q, LE);
        a32.max(lo).min(hi).intoMemorySegment(y, r + 2 * q, LE);
    }

    /** Channels o..o+3 of 2·LANES grid pixels from x0, over the flattened (channel, tap) offsets. */
    private static void cs4(int o, int depth, int[] off, float[] w, float[] bias, float lo, float hi, float[] x, int x0,
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
        int w0 = o * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
        for (int j = 0; j < depth; j++) {
            int at = x0 + off[j];
            FloatVector xa = FloatVector.fromArray(SPECIES, x, at);
            FloatVector xb = FloatVector.fromArray(SPECIES, x, at + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, w[w0 + j]);
            a00 = fma(v, xa, a00);
            a01 = fma(v, xb, a01);
            v = FloatVector.broadcast(SPECIES, w[w1 + j]);
            a10 = fma(v, xa, a10);
            a11 = fma(v, xb, a11);
            v = FloatVector.broadcast(SPECIES, w[w2 + j]);
            a20 = fma(v, xa, a20);
            a21 = fma(v, xb, a21);
            v = FloatVector.broadcast(SPECIES, w[w3 + j]);
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

    /** Channels o..o+3 of LANES grid pixels from x0. */
    private static void cs41(int o, int depth, int[] off, float[] w, float[] bias, float lo, float hi, float[] x, int x0,
                             MemorySegment y, long y0, int ldy) {
        FloatVector a0, a1, a2, a3;
        if (bias == null) {
            a0 = a1 = a2 = a3 = FloatVector.zero(SPECIES);
        } else {
            a0 = FloatVector.broadcast(SPECIES, bias[o]);
            a1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
            a2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
            a3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
        }
        int w0 = o * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
        for (int j = 0; j < depth; j++) {
            FloatVector xa = FloatVector.fromArray(SPECIES, x, x0 + off[j]);
            a0 = fma(FloatVector.broadcast(SPECIES, w[w0 + j]), xa, a0);
            a1 = fma(FloatVector.broadcast(SPECIES, w[w1 + j]), xa, a1);
            a2 = fma(FloatVector.broadcast(SPECIES, w[w2 + j]), xa, a2);
            a3 = fma(FloatVector.broadcast(SPECIES, w[w3 + j]), xa, a3);
        }
        long r = y0 * 4, step = (long) ldy * 4;
        a0.max(lo).min(hi).intoMemorySegment(y, r, LE);
        a1.max(lo).min(hi).intoMemorySegment(y, r + step, LE);
        a2.max(lo).min(hi).intoMemorySegment(y, r + 2 * step, LE);
        a3.max(lo).min(hi).intoMemorySegment(y, r + 3 * step, LE);
    }

    /** Channel o of LANES grid pixels from x0. */
    private static void cs11(int o, int depth, int[] off, float[] w, float[] bias, float lo, float hi, float[] x, int x0,
                             MemorySegment y, long y0) {
        FloatVector a0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.broadcast(SPECIES, bias[o]);
        int w0 = o * depth;
        for (int j = 0; j < depth; j++) {
            a0 = fma(FloatVector.broadcast(SPECIES, w[w0 + j]), FloatVector.fromArray(SPECIES, x, x0 + off[j]), a0);
        }
        a0.max(lo).min(hi).intoMemorySegment(y, y0 * 4, LE);
    }

    /**
     * {@link CnnKernels#winogradInput}: LANES tiles of a tile row at a time, whole vectors only (the 16 window values of
     * LANES consecutive tiles are 16 unit-stride vectors of the phase planes; a row's last vector reads and writes past
     * its tiles, which the contract allows).
     */
    @Override
    public void winogradInput(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff,
                              int ldv, int slab) {
        int xi = slab;
        for (int c = 0; c < cin; c++) {
            int e0 = xOff + c * ldx, o0 = e0 + phase, e1 = e0 + 2 * phase, o1 = e0 + 3 * phase;
            for (int ty = ty0; ty < ty1; ty++) {
                int r0 = ty * wq, r1 = r0 + wq, at = vOff + c * ldv + (ty - ty0) * tw;
                for (int tx = 0; tx < tw; tx += LANES) {
                    // window row i: phase row parity i % 2, phase row ty + i / 2; columns j = 0, 2 from the even-column
                    // phase at tx and tx + 1, j = 1, 3 from the odd one
                    FloatVector t00, t01, t02, t03, t10, t11, t12, t13, t20, t21, t22, t23, t30, t31, t32, t33;
                    int q = e0 + r0 + tx, u = o0 + r0 + tx;
                    FloatVector d0 = FloatVector.fromArray(SPECIES, x, q), d1 = FloatVector.fromArray(SPECIES, x, u);
                    FloatVector d2 = FloatVector.fromArray(SPECIES, x, q + 1), d3 = FloatVector.fromArray(SPECIES, x, u + 1);
                    t00 = d0.sub(d2); t01 = d1.add(d2); t02 = d2.sub(d1); t03 = d1.sub(d3);
                    q = e1 + r0 + tx;
                    u = o1 + r0 + tx;
                    d0 = FloatVector.fromArray(SPECIES, x, q);
                    d1 = FloatVector.fromArray(SPECIES, x, u);
                    d2 = FloatVector.fromArray(SPECIES, x, q + 1);
                    d3 = FloatVector.fromArray(SPECIES, x, u + 1);
                    t10 = d0.sub(d2); t11 = d1.add(d2); t12 = d2.sub(d1); t13 = d1.sub(d3);
                    q = e0 + r1 + tx;
                    u = o0 + r1 + tx;
                    d0 = FloatVector.fromArray(SPECIES, x, q);
                    d1 = FloatVector.fromArray(SPECIES, x, u);
                    d2 = FloatVector.fromArray(SPECIES, x, q + 1);
                    d3 = FloatVector.fromArray(SPECIES, x, u + 1);
                    t20 = d0.sub(d2); t21 = d1.add(d2); t22 = d2.sub(d1); t23 = d1.sub(d3);
                    q = e1 + r1 + tx;
                    u = o1 + r1 + tx;
                    d0 = FloatVector.fromArray(SPECIES, x, q);
                    d1 = FloatVector.fromArray(SPECIES, x, u);
                    d2 = FloatVector.fromArray(SPECIES, x, q + 1);
                    d3 = FloatVector.fromArray(SPECIES, x, u + 1);
                    t30 = d0.sub(d2); t31 = d1.add(d2); t32 = d2.sub(d1); t33 = d1.sub(d3);
                    int w = at + tx;
                    t00.sub(t20).intoArray(v, w);
                    t01.sub(t21).intoArray(v, w + xi);
                    t02.sub(t22).intoArray(v, w + 2 * xi);
                    t03.sub(t23).intoArray(v, w + 3 * xi);
                    t10.add(t20).intoArray(v, w + 4 * xi);
                    t11.add(t21).intoArray(v, w + 5 * xi);
                    t12.add(t22).intoArray(v, w + 6 * xi);
                    t13.add(t23).intoArray(v, w + 7 * xi);
                    t20.sub(t10).intoArray(v, w + 8 * xi);
                    t21.sub(t11).intoArray(v, w + 9 * xi);
                    t22.sub(t12).intoArray(v, w + 10 * xi);
                    t23.sub(t13).intoArray(v, w + 11 * xi);
                    t10.sub(t30).intoArray(v, w + 12 * xi);
                    t11.sub(t31).intoArray(v, w + 13 * xi);
                    t12.sub(t32).intoArray(v, w + 14 * xi);
                    t13.sub(t33).intoArray(v, w + 15 * xi);
                }
            }
        }
    }

    /** Lane k of {@link #winogradOutput}'s interleaved pair: even k from the first vector's lane k/2, odd k from the second's. */
    private static final float[] ZIP_LO = zipIndex(0), ZIP_HI = zipIndex(LANES / 2);

    private static float[] zipIndex(int from) {
        float[] t = new float[LANES];
        for (int k = 0; k < LANES; k++) {
            t[k] = (k % 2 == 0 ? 0 : LANES) + from + k / 2;
        }
        return t;
    }

    /**
     * {@link CnnKernels#winogradOutput}: LANES tiles of a tile row at a time (whole vectors of m, reading past a row's
     * tiles as the contract allows); each output row's even and odd columns interleaved by two two-vector selections,
     * bias, ReLU/ReLU6 as a clamp and the residual in register, the row's last columns masked. Other activations: the
     * specification.
     */
    @Override
    public void winogradOutput(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                               MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
        int code = code(act);
        if (code > 2 || code < 0) {
            CnnKernels.scalar().winogradOutput(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, r, rOff, y, yOff, ho, wo, o0, o1);
            return;
        }
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        FloatVector zl = FloatVector.fromArray(SPECIES, ZIP_LO, 0), zh = FloatVector.fromArray(SPECIES, ZIP_HI, 0);
        FloatVector vlo = FloatVector.broadcast(SPECIES, lo), vhi = FloatVector.broadcast(SPECIES, hi);
        int xi = slab;
        for (int o = o0; o < o1; o++) {
            FloatVector bo = FloatVector.broadcast(SPECIES, bias == null ? 0f : bias[o]);
            for (int ty = ty0; ty < ty1; ty++) {
                int at = mOff + o * ldm + (ty - ty0) * tw;
                int rows = Math.min(2, ho - 2 * ty);
                for (int tx = 0; tx < tw; tx += LANES) {
                    int a = at + tx;
                    FloatVector m0 = FloatVector.fromArray(SPECIES, m, a), m1 = FloatVector.fromArray(SPECIES, m, a + 4 * xi);
                    FloatVector m2 = FloatVector.fromArray(SPECIES, m, a + 8 * xi), m3 = FloatVector.fromArray(SPECIES, m, a + 12 * xi);
                    FloatVector s00 = m0.add(m1).add(m2), s10 = m1.sub(m2).sub(m3);
                    m0 = FloatVector.fromArray(SPECIES, m, a + xi);
                    m1 = FloatVector.fromArray(SPECIES, m, a + 5 * xi);
                    m2 = FloatVector.fromArray(SPECIES, m, a + 9 * xi);
                    m3 = FloatVector.fromArray(SPECIES, m, a + 13 * xi);
                    FloatVector s01 = m0.add(m1).add(m2), s11 = m1.sub(m2).sub(m3);
                    m0 = FloatVector.fromArray(SPECIES, m, a + 2 * xi);
                    m1 = FloatVector.fromArray(SPECIES, m, a + 6 * xi);
                    m2 = FloatVector.fromArray(SPECIES, m, a + 10 * xi);
                    m3 = FloatVector.fromArray(SPECIES, m, a + 14 * xi);
                    FloatVector s02 = m0.add(m1).add(m2), s12 = m1.sub(m2).sub(m3);
                    m0 = FloatVector.fromArray(SPECIES, m, a + 3 * xi);
                    m1 = FloatVector.fromArray(SPECIES, m, a + 7 * xi);
                    m2 = FloatVector.fromArray(SPECIES, m, a + 11 * xi);
                    m3 = FloatVector.fromArray(SPECIES, m, a + 15 * xi);
                    FloatVector s03 = m0.add(m1).add(m2), s13 = m1.sub(m2).sub(m3);
                    int col = 2 * tx;
                    for (int i = 0; i < rows; i++) {
                        FloatVector ev = i == 0 ? s00.add(s01).add(s02) : s10.add(s11).add(s12);
                        FloatVector od = i == 0 ? s01.sub(s02).sub(s03) : s11.sub(s12).sub(s13);
                        ev = ev.add(bo);
                        od = od.add(bo);
                        if (code != 0) {
                            ev = ev.blend(vlo, ev.compare(VectorOperators.LE, vlo)).blend(vhi, ev.compare(VectorOperators.GE, vhi));
                            od = od.blend(vlo, od.compare(VectorOperators.LE, vlo)).blend(vhi, od.compare(VectorOperators.GE, vhi));
                        }
                        FloatVector p = zl.selectFrom(ev, od), q = zh.selectFrom(ev, od);
                        long cell = (long) o * ho * wo + (long) (2 * ty + i) * wo + col;
                        if (col + 2 * LANES <= wo) {
                            if (r != null) {
                                p = p.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cell) * 4, LE));
                                q = q.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cell + LANES) * 4, LE));
                            }
                            p.intoMemorySegment(y, (yOff + cell) * 4, LE);
                            q.intoMemorySegment(y, (yOff + cell + LANES) * 4, LE);
                        } else {
                            VectorMask<Float> mp = SPECIES.indexInRange(col, wo), mq = SPECIES.indexInRange(col + LANES, wo);
                            if (r != null) {
                                p = p.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cell) * 4, LE, mp));
                                q = q.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cell + LANES) * 4, LE, mq));
                            }
                            p.intoMemorySegment(y, (yOff + cell) * 4, LE, mp);
                            q.intoMemorySegment(y, (yOff + cell + LANES) * 4, LE, mq);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link CnnKernels#winograd4Input}: LANES tiles of a tile row at a time, whole vectors only (as
     * {@link #winogradInput}): each window row's transform into a 36-vector scratch, then each column's into v. Small
     * methods on arrays, no vector crossing a call: written as one method, C2 stopped inlining the vector operations
     * part-way (its inlining budget) and boxed them, 4× slower in a network's process.
     */
    @Override
    public void winograd4Input(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff,
                               int ldv, int slab) {
        float[] t = new float[36 * LANES];
        for (int c = 0; c < cin; c++) {
            int base = xOff + c * ldx;
            for (int ty = ty0; ty < ty1; ty++) {
                int at = vOff + c * ldv + (ty - ty0) * tw;
                for (int tx = 0; tx < tw; tx += LANES) {
                    for (int i = 0; i < 6; i++) {
                        bt6Row(x, base + (4 * ty + i) * wq + tx, phase, t, 6 * i * LANES);
                    }
                    for (int b = 0; b < 6; b++) {
                        bt6Column(t, b * LANES, v, at + tx + b * slab, 6 * slab);
                    }
                }
            }
        }
    }

    /** One window row (phases 0–3 at {@code at}, then phases 0 and 1 one column on) transformed into t[to + j·LANES]. */
    private static void bt6Row(float[] x, int at, int phase, float[] t, int to) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, x, at), d1 = FloatVector.fromArray(SPECIES, x, at + phase);
        FloatVector d2 = FloatVector.fromArray(SPECIES, x, at + 2 * phase), d3 = FloatVector.fromArray(SPECIES, x, at + 3 * phase);
        FloatVector d4 = FloatVector.fromArray(SPECIES, x, at + 1), d5 = FloatVector.fromArray(SPECIES, x, at + phase + 1);
        FloatVector u = d4.sub(d2.mul(4f)), w = d3.sub(d1.mul(4f)), p = d4.sub(d2), q = d3.sub(d1).mul(2f);
        d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(t, to);
        u.add(w).intoArray(t, to + LANES);
        u.sub(w).intoArray(t, to + 2 * LANES);
        p.add(q).intoArray(t, to + 3 * LANES);
        p.sub(q).intoArray(t, to + 4 * LANES);
        d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(t, to + 5 * LANES);
    }

    /** Column b of the row-transformed window (t[from + i·6·LANES]) transformed into v, {@code step} apart. */
    private static void bt6Column(float[] t, int from, float[] v, int at, int step) {
        int r = 6 * LANES;
        FloatVector d0 = FloatVector.fromArray(SPECIES, t, from), d1 = FloatVector.fromArray(SPECIES, t, from + r);
        FloatVector d2 = FloatVector.fromArray(SPECIES, t, from + 2 * r), d3 = FloatVector.fromArray(SPECIES, t, from + 3 * r);
        FloatVector d4 = FloatVector.fromArray(SPECIES, t, from + 4 * r), d5 = FloatVector.fromArray(SPECIES, t, from + 5 * r);
        FloatVector u = d4.sub(d2.mul(4f)), w = d3.sub(d1.mul(4f)), p = d4.sub(d2), q = d3.sub(d1).mul(2f);
        d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(v, at);
        u.add(w).intoArray(v, at + step);
        u.sub(w).intoArray(v, at + 2 * step);
        p.add(q).intoArray(v, at + 3 * step);
        p.sub(q).intoArray(v, at + 4 * step);
        d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(v, at + 5 * step);
    }

    /**
     * {@link CnnKernels#winograd4Output}: LANES tiles of a tile row at a time (whole vectors of m): each column's
     * transform into a 24-vector scratch, then each output row from it, its four columns interleaved by two levels of
     * two-vector selections, with bias, ReLU/ReLU6 and the residual in register and the row's end masked (small methods,
     * as {@link #winograd4Input}). Other activations: the specification.
     */
    @Override
    public void winograd4Output(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                                MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1) {
        int code = code(act);
        if (code > 2 || code < 0) {
            CnnKernels.scalar().winograd4Output(cout, m, mOff, ldm, slab, tw, ty0, ty1, bias, act, r, rOff, y, yOff, ho, wo, o0, o1);
            return;
        }
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        float[] sc = new float[24 * LANES];
        for (int o = o0; o < o1; o++) {
            float bo = bias == null ? 0f : bias[o];
            for (int ty = ty0; ty < ty1; ty++) {
                int at = mOff + o * ldm + (ty - ty0) * tw;
                int rows = Math.min(4, ho - 4 * ty);
                for (int tx = 0; tx < tw; tx += LANES) {
                    for (int b = 0; b < 6; b++) {
                        at6Column(m, at + tx + b * slab, 6 * slab, sc, b * LANES);
                    }
                    for (int i = 0; i < rows; i++) {
                        at6Row(sc, 6 * i * LANES, bo, code, lo, hi, r, rOff, y, yOff, (long) o * ho * wo + (long) (4 * ty + i) * wo, 4 * tx, wo);
                    }
                }
            }
        }
    }

    /** Column b of the products (m[at + a·step]) transformed into s[to + i·6·LANES], i < 4. */
    private static void at6Column(float[] m, int at, int step, float[] s, int to) {
        int r = 6 * LANES;
        FloatVector n0 = FloatVector.fromArray(SPECIES, m, at), n1 = FloatVector.fromArray(SPECIES, m, at + step);
        FloatVector n2 = FloatVector.fromArray(SPECIES, m, at + 2 * step), n3 = FloatVector.fromArray(SPECIES, m, at + 3 * step);
        FloatVector n4 = FloatVector.fromArray(SPECIES, m, at + 4 * step), n5 = FloatVector.fromArray(SPECIES, m, at + 5 * step);
        FloatVector p = n1.add(n2), q = n1.sub(n2), u = n3.add(n4), t = n3.sub(n4);
        n0.add(p).add(u).intoArray(s, to);
        q.add(t.mul(2f)).intoArray(s, to + r);
        p.add(u.mul(4f)).intoArray(s, to + 2 * r);
        q.add(t.mul(8f)).add(n5).intoArray(s, to + 3 * r);
    }

    /** One output row from the column-transformed s[from + b·LANES]: 4·LANES columns from {@code col}, bias, clamp, residual. */
    private static void at6Row(float[] s, int from, float bias, int code, float lo, float hi, MemorySegment r, long rOff, MemorySegment y,
                               long yOff, long row, int col, int wo) {
        FloatVector m0 = FloatVector.fromArray(SPECIES, s, from), m1 = FloatVector.fromArray(SPECIES, s, from + LANES);
        FloatVector m2 = FloatVector.fromArray(SPECIES, s, from + 2 * LANES), m3 = FloatVector.fromArray(SPECIES, s, from + 3 * LANES);
        FloatVector m4 = FloatVector.fromArray(SPECIES, s, from + 4 * LANES), m5 = FloatVector.fromArray(SPECIES, s, from + 5 * LANES);
        FloatVector p = m1.add(m2), q = m1.sub(m2), u = m3.add(m4), t = m3.sub(m4);
        FloatVector y0 = m0.add(p).add(u).add(bias), y1 = q.add(t.mul(2f)).add(bias);
        FloatVector y2 = p.add(u.mul(4f)).add(bias), y3 = q.add(t.mul(8f)).add(m5).add(bias);
        if (code != 0) {
            FloatVector vlo = FloatVector.broadcast(SPECIES, lo), vhi = FloatVector.broadcast(SPECIES, hi);
            y0 = y0.blend(vlo, y0.compare(VectorOperators.LE, vlo)).blend(vhi, y0.compare(VectorOperators.GE, vhi));
            y1 = y1.blend(vlo, y1.compare(VectorOperators.LE, vlo)).blend(vhi, y1.compare(VectorOperators.GE, vhi));
            y2 = y2.blend(vlo, y2.compare(VectorOperators.LE, vlo)).blend(vhi, y2.compare(VectorOperators.GE, vhi));
            y3 = y3.blend(vlo, y3.compare(VectorOperators.LE, vlo)).blend(vhi, y3.compare(VectorOperators.GE, vhi));
        }
        // columns 4k + j from y_j[k]: (y0, y2) and (y1, y3) zipped, then those zipped
        FloatVector zl = FloatVector.fromArray(SPECIES, ZIP_LO, 0), zh = FloatVector.fromArray(SPECIES, ZIP_HI, 0);
        FloatVector e0 = zl.selectFrom(y0, y2), e1 = zh.selectFrom(y0, y2), f0 = zl.selectFrom(y1, y3), f1 = zh.selectFrom(y1, y3);
        for (int k = 0; k < 4; k++) {
            FloatVector g = k == 0 ? zl.selectFrom(e0, f0) : k == 1 ? zh.selectFrom(e0, f0) : k == 2 ? zl.selectFrom(e1, f1) : zh.selectFrom(e1, f1);
            int c0 = col + k * LANES;
            long cc = row + c0;
            if (c0 + LANES <= wo) {
                if (r != null) {
                    g = g.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cc) * 4, LE));
                }
                g.intoMemorySegment(y, (yOff + cc) * 4, LE);
            } else if (c0 < wo) {
                VectorMask<Float> mk = SPECIES.indexInRange(c0, wo);
                if (r != null) {
                    g = g.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + cc) * 4, LE, mk));
                }
                g.intoMemorySegment(y, (yOff + cc) * 4, LE, mk);
            }
        }
    }
}
