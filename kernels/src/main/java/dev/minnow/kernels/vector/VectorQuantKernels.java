package dev.minnow.kernels.vector;

import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link ScalarQuantKernels}: all ten integer dot products (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 with
 * Q8_0/Q8_1 activations; Q2_K … Q6_K with Q8_K) and the f32-activation dot (8-lane FMAs over blocks dequantized
 * exactly as the scalar code does). The activation quantizers (O(n) per GEMV) are inherited from the scalar
 * specification.
 *
 * <p>The integer core, chosen for what C2 compiles well on AVX2: load L int8 values as a ByteVector of L·8 bits,
 * widen with {@code convertShape(B2S)} to a ShortVector of L lanes (vpmovsxbw), multiply as shorts (vpmullw: every
 * product of a ≤ 6-bit weight or an int8 weight with an int8 activation fits in 16 bits), then add neighbouring
 * product pairs into L/2 int lanes by reinterpreting the shorts as ints and adding {@code (v << 16) >> 16} to
 * {@code v >> 16} (what pmaddwd does, in three shifts and an add). Block sums stay in int lanes, are converted to
 * float once per block and multiplied by the block's f32 scale with one FMA into a per-lane accumulator, as in
 * ggml's AVX2 kernels. The integer block sums are identical to the scalar ones; only the order of the per-block
 * float additions differs.
 *
 * <p>Widths: Q8_0 uses L = bits/16 (a 512-bit ShortVector holds one whole block); the others use at most
 * L = 16 (256-bit shorts), because a Q4_0 block has 16 weight bytes and the K-quant groups are 16 or 32 wide.
 */
public final class VectorQuantKernels extends ScalarQuantKernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * The width, fixed when the class initializes ({@code minnow.vectorBits}, else the preferred species width):
     * C2 intrinsifies Vector API operations only when their species are compile-time constants, so the species
     * below are static finals and one JVM runs one width. Tests load extra copies of this class to cover the others.
     */
    public static final int BITS = configuredBits();

    // Q8_0: L = BITS/16 int8 values widen to L shorts, which pair up into L/2 ints and floats of the same width.
    private static final VectorSpecies<Byte> WIDE_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 2));
    private static final VectorSpecies<Short> WIDE_SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Integer> WIDE_INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Float> WIDE_FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    private static final int WIDE_LANES = WIDE_SHORTS.length();
    // the other formats: at most 16 lanes (256-bit shorts)
    private static final int NARROW_BITS = Math.min(BITS, 256);
    private static final VectorSpecies<Byte> NARROW_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(NARROW_BITS / 2));
    private static final VectorSpecies<Short> NARROW_SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(NARROW_BITS));
    private static final VectorSpecies<Integer> NARROW_INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(NARROW_BITS));
    private static final VectorSpecies<Float> NARROW_FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(NARROW_BITS));
    private static final int NARROW_LANES = NARROW_SHORTS.length();
    /** The lane-sum shuffles per float species ({@link VectorMath}): every float lane sum below folds, none reduces. */
    private static final VectorShuffle<Float>[] WIDE_FOLDS = VectorMath.folds(WIDE_FLOATS);
    private static final VectorShuffle<Float>[] NARROW_FOLDS = VectorMath.folds(NARROW_FLOATS);

    /** Byte i of SPREAD_BITS[b] is 0x10 when bit i of b is set: Q5_0/Q5_1's fifth bits, eight at a time. */
    private static final long[] SPREAD_BITS = new long[256];
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, LE);

    static {
        for (int b = 0; b < 256; b++) {
            for (int i = 0; i < 8; i++) {
                if ((b >>> i & 1) != 0) {
                    SPREAD_BITS[b] |= 0x10L << (8 * i);
                }
            }
        }
    }

    private final boolean fma;

    /** At {@link #BITS}; @param fma use fused multiply-add for the per-block scale (only where the CPU has it) */
    public VectorQuantKernels(boolean fma) {
        this.fma = fma;
    }

    private static int configuredBits() {
        String p = System.getProperty("minnow.vectorBits", "").trim();
        int bits = p.isEmpty() ? Math.max(128, Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize())) : Integer.parseInt(p);
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("minnow.vectorBits must be 128, 256 or 512, got " + bits);
        }
        return bits;
    }

    @Override public String name() { return "vector-" + BITS + (fma ? "" : "-nofma"); }

    @Override public int vectorBits() { return BITS; }

    /** The Q8_0 quantizer's output: one byte per lane of {@link #WIDE_FLOATS} (null at 128 bits: no 32-bit shape). */
    private static final VectorSpecies<Byte> Q8_BYTES = BITS >= 256 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 4)) : null;

    /**
     * {@link ScalarQuantKernels#quantizeQ8_0} bit for bit (the activations of every Q4_0/Q8_0 product, decode and
     * prefill): |x| maximum by lanes (exact in any order), then each level rounded half away from zero as C's roundf
     * — truncation of |x·id| to an int, plus one where the dropped fraction (exact: |f| − trunc|f|) is at least ½, the
     * sign put back — and narrowed to a byte as the scalar cast does. A block whose maximum or inverse scale is not
     * finite (NaN, ∞, a subnormal maximum) takes the scalar rules. At 128 bits the scalar loop runs.
     */
    @Override
    public void quantizeQ8_0(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        if (Q8_BYTES == null) {
            super.quantizeQ8_0(n, x, xOff, dst, dstOff);
            return;
        }
        checkBlocks(n, 32, "quantizeQ8_0");
        int lanes = WIDE_FLOATS.length();
        for (int i = 0; i < n / 32; i++) {
            long xo = (xOff + 32L * i) * 4;
            long yo = dstOff + 34L * i;
            FloatVector m = FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo, LE).abs();
            for (int j = lanes; j < 32; j += lanes) {
                m = m.max(FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo + 4L * j, LE).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            if (!(amax <= Float.MAX_VALUE) || !(id <= Float.MAX_VALUE)) {
                super.quantizeQ8_0(32, x, xOff + 32L * i, dst, yo);
                continue;
            }
            dst.set(S16, yo, Float.floatToFloat16(d));
            FloatVector vid = FloatVector.broadcast(WIDE_FLOATS, id);
            for (int j = 0; j < 32; j += lanes) {
                FloatVector f = FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo + 4L * j, LE).mul(vid);
                FloatVector a = f.abs();
                IntVector t = (IntVector) a.convert(VectorOperators.F2I, 0);
                FloatVector dropped = a.sub((FloatVector) t.convert(VectorOperators.I2F, 0));
                t = t.add(1, dropped.compare(VectorOperators.GE, 0.5f).cast(WIDE_INTS));
                t = t.lanewise(VectorOperators.NEG, f.compare(VectorOperators.LT, 0f).cast(WIDE_INTS));
                ((ByteVector) t.convertShape(VectorOperators.I2B, Q8_BYTES, 0)).intoMemorySegment(dst, yo + 2 + j, LE);
            }
        }
    }

    /**
     * {@link ScalarQuantKernels#quantizeQ8_K} bit for bit (the activations of the K-quant products): the maximum |x|
     * over the non-NaN values (NaN lanes count as 0, as the scalar's strict compare skips them) and the first value
     * that reaches it, whose sign sets the scale; then llama.cpp's nearest_int (the 1.5·2^23 addition, the same float
     * in a lane) capped at 127, the byte cast as sign extension of the low byte, and the 16-value sums of those bytes
     * exactly in ints. At 128 bits the scalar loop runs.
     */
    @Override
    public void quantizeQ8_K(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        if (Q8_BYTES == null) {
            super.quantizeQ8_K(n, x, xOff, dst, dstOff);
            return;
        }
        checkBlocks(n, 256, "quantizeQ8_K");
        int lanes = WIDE_FLOATS.length();
        FloatVector zero = FloatVector.zero(WIDE_FLOATS);
        FloatVector magic = FloatVector.broadcast(WIDE_FLOATS, 12582912.0f);
        for (int i = 0; i < n / 256; i++) {
            long xo = (xOff + 256L * i) * 4;
            long yo = dstOff + 292L * i;
            FloatVector m = zero;
            for (int j = 0; j < 256; j += lanes) {
                FloatVector a = FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo + 4L * j, LE).abs();
                m = m.max(a.blend(zero, a.test(VectorOperators.IS_NAN)));
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            if (amax == 0f) {
                dst.asSlice(yo, 292).fill((byte) 0);
                continue;
            }
            float max = 0f;
            for (int j = 0; j < 256; j += lanes) { // the first value whose |x| is the maximum
                FloatVector v = FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo + 4L * j, LE);
                VectorMask<Float> at = v.abs().compare(VectorOperators.EQ, amax);
                if (at.anyTrue()) {
                    max = x.get(F32, xo + 4L * (j + at.firstTrue()));
                    break;
                }
            }
            float iscale = -127.f / max;
            FloatVector vs = FloatVector.broadcast(WIDE_FLOATS, iscale);
            int sum = 0;
            for (int j = 0; j < 256; j += lanes) {
                FloatVector f = FloatVector.fromMemorySegment(WIDE_FLOATS, x, xo + 4L * j, LE).mul(vs).add(magic);
                IntVector q = f.reinterpretAsInts().and(0x007fffff).sub(0x00400000).min(127);
                q = q.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24); // (byte) q, as an int
                ((ByteVector) q.convertShape(VectorOperators.I2B, Q8_BYTES, 0)).intoMemorySegment(dst, yo + 4 + j, LE);
                sum += q.reduceLanes(VectorOperators.ADD);
                if ((j + lanes) % 16 == 0) {
                    dst.set(S16, yo + 260 + 2L * ((j + lanes) / 16 - 1), (short) sum);
                    sum = 0;
                }
            }
            dst.set(F32, yo, 1 / iscale);
        }
    }

    private static ShortVector widenWide(MemorySegment seg, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(WIDE_BYTES, seg, off, LE).convertShape(VectorOperators.B2S, WIDE_SHORTS, 0);
    }

    private static ShortVector widenNarrow(MemorySegment seg, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(NARROW_BYTES, seg, off, LE).convertShape(VectorOperators.B2S, NARROW_SHORTS, 0);
    }

    private static ShortVector widenNarrow(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, NARROW_SHORTS, 0);
    }

    /**
     * Adds neighbouring short lanes into int lanes (pmaddwd's add step), for {@link #WIDE_SHORTS} vectors only. There are
     * two copies, one per species, on purpose: with one helper for both, its calls saw two vector classes at 512 bits
     * (where the wide and narrow species differ), C2 compiled it on its own with both, refused to inline the big result
     * and boxed every vector through the call — the integer GEMM then ran at 2–3 GOPS instead of 40–50 on AVX-512
     * (sessions 4–11) whenever a Q8_0 kernel had run before a Q4_0 or Q4_K one in the same JVM.
     */
    private static IntVector pairSumWide(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /** {@link #pairSumWide} for {@link #NARROW_SHORTS} vectors. */
    private static IntVector pairSumNarrow(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private FloatVector scaleAddWide(IntVector sumi, float scale, FloatVector acc) {
        FloatVector f = (FloatVector) sumi.convert(VectorOperators.I2F, 0);
        FloatVector d = FloatVector.broadcast(WIDE_FLOATS, scale);
        return fma ? f.fma(d, acc) : f.mul(d).add(acc);
    }

    private FloatVector scaleAddNarrow(IntVector sumi, float scale, FloatVector acc) {
        FloatVector f = (FloatVector) sumi.convert(VectorOperators.I2F, 0);
        FloatVector d = FloatVector.broadcast(NARROW_FLOATS, scale);
        return fma ? f.fma(d, acc) : f.mul(d).add(acc);
    }

    @Override
    public float dotQ8_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ8_0Q8_0");
        FloatVector acc = FloatVector.zero(WIDE_FLOATS);
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 34L * ib;
            long y = aOff + 34L * ib;
            ShortVector p = widenWide(w, x + 2).mul(widenWide(a, y + 2));
            IntVector sumi = pairSumWide(p);
            for (int c = WIDE_LANES; c < 32; c += WIDE_LANES) {
                sumi = sumi.add(pairSumWide(widenWide(w, x + 2 + c).mul(widenWide(a, y + 2 + c))));
            }
            acc = scaleAddWide(sumi, half(w, x) * half(a, y), acc);
        }
        for (VectorShuffle<Float> f : WIDE_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    @Override
    public float dotQ4_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ4_0Q8_0");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 18L * ib;
            long y = aOff + 34L * ib;
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 2 + c, LE);
                ByteVector lo = q.and((byte) 0x0f).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                // |(q-8)·y| ≤ 1024, so the two products add without leaving 16 bits
                ShortVector p = widenNarrow(lo).mul(widenNarrow(a, y + 2 + c)).add(widenNarrow(hi).mul(widenNarrow(a, y + 18 + c)));
                sumi = sumi.add(pairSumNarrow(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    @Override
    public float dotQ4_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ4_1Q8_1");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 20L * ib;
            long y = aOff + 36L * ib;
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 4 + c, LE);
                ByteVector lo = q.and((byte) 0x0f);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                ShortVector p = widenNarrow(lo).mul(widenNarrow(a, y + 4 + c)).add(widenNarrow(hi).mul(widenNarrow(a, y + 20 + c)));
                sumi = sumi.add(pairSumNarrow(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
            mins += half(w, x + 2) * half(a, y + 2);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0) + mins;
    }

    @Override
    public float dotQ5_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ5_0Q8_0");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        byte[] hb = new byte[32];
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 22L * ib;
            long y = aOff + 34L * ib;
            int qh = w.get(I32, x + 2);
            LONGS.set(hb, 0, SPREAD_BITS[qh & 0xff]);
            LONGS.set(hb, 8, SPREAD_BITS[(qh >>> 8) & 0xff]);
            LONGS.set(hb, 16, SPREAD_BITS[(qh >>> 16) & 0xff]);
            LONGS.set(hb, 24, SPREAD_BITS[qh >>> 24]);
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 6 + c, LE);
                ByteVector lo = q.and((byte) 0x0f).or(ByteVector.fromArray(NARROW_BYTES, hb, c)).sub((byte) 16);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(ByteVector.fromArray(NARROW_BYTES, hb, 16 + c)).sub((byte) 16);
                // |(q-16)·y| ≤ 2048: the two products still fit in 16 bits
                ShortVector p = widenNarrow(lo).mul(widenNarrow(a, y + 2 + c)).add(widenNarrow(hi).mul(widenNarrow(a, y + 18 + c)));
                sumi = sumi.add(pairSumNarrow(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    /** The decode GEMV's row kernel ({@link #dotQ4_KWide}) on one row, so that GEMV rows equal dots bit for bit. */
    @Override
    public float dotQ4_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ4_KQ8_K");
        int nb = n / 256;
        MemorySegment as = widenedActivations(a, aOff, nb, 256, 292, 4);
        return dotQ4_KWide(nb, w, wOff, a.asSlice(aOff), as, pairedBsums(a, aOff, nb));
    }

    private static final ThreadLocal<int[]> PAIRED_BSUMS = ThreadLocal.withInitial(() -> new int[0]);
    /** One block's int lanes, handed between a block-body method and its caller (no vector crosses the call). */
    private static final ThreadLocal<int[]> BLOCK_LANES = ThreadLocal.withInitial(() -> new int[NARROW_INTS.length()]);

    /** The 16 bsums of each Q8_K block summed in pairs: one per 32-level group (each Q4_K/Q5_K group has one min), in this thread's scratch. */
    private static int[] pairedBsums(MemorySegment xq, long xOff, int nb) {
        int[] bsums = PAIRED_BSUMS.get();
        if (bsums.length < 8 * nb) {
            bsums = new int[8 * nb];
            PAIRED_BSUMS.set(bsums);
        }
        for (int i = 0; i < nb; i++) {
            for (int g = 0; g < 8; g++) {
                bsums[8 * i + g] = xq.get(S16, xOff + 292L * i + 260 + 4L * g) + xq.get(S16, xOff + 292L * i + 262 + 4L * g);
            }
        }
        return bsums;
    }

    /** The decode GEMV's row kernel ({@link #dotQ5_KWide}) on one row, so that GEMV rows equal dots bit for bit. */
    @Override
    public float dotQ5_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ5_KQ8_K");
        int nb = n / 256;
        MemorySegment as = widenedActivations(a, aOff, nb, 256, 292, 4);
        return dotQ5_KWide(nb, w, wOff, a.asSlice(aOff), as, pairedBsums(a, aOff, nb));
    }

    /**
     * One Q5_K row against widened Q8_K activations: {@link #dotQ4_KWide} with the fifth bit of each level from qh
     * (bit 2c for the low nibbles of group pair c, bit 2c + 1 for the high ones), one loop body per block.
     */
    private float dotQ5_KWide(int nb, MemorySegment w, long wOff, MemorySegment xq, MemorySegment as, int[] bsums) {
        int[] lanes = BLOCK_LANES.get(); // once per row, not per block
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        FloatVector minAcc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        for (int i = 0; i < nb; i++) {
            long x = wOff + 176L * i;
            int u0 = w.get(I32, x + 4);
            int u1 = w.get(I32, x + 8);
            int u2 = w.get(I32, x + 12);
            long scales = k4Packed(u0, u2);
            long mins8 = k4Packed(u1, u2 >>> 4);
            q5Block(w, x, as, 512L * i, scales, lanes);
            IntVector block = IntVector.fromArray(NARROW_INTS, lanes, 0);
            float dy = xq.get(F32, 292L * i);
            acc = scaleAddNarrow(block, Float.float16ToFloat(w.get(S16, x)) * dy, acc);
            float dmin = Float.float16ToFloat(w.get(S16, x + 2)) * dy;
            if (NARROW_BITS == 256) {
                IntVector mv = (IntVector) LongVector.broadcast(LongVector.SPECIES_128, mins8).reinterpretAsBytes()
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, NARROW_INTS, 0);
                FloatVector mf = (FloatVector) mv.mul(IntVector.fromArray(NARROW_INTS, bsums, 8 * i)).convert(VectorOperators.I2F, 0);
                FloatVector md = FloatVector.broadcast(NARROW_FLOATS, dmin);
                minAcc = fma ? mf.fma(md, minAcc) : mf.mul(md).add(minAcc);
            } else {
                int sumMins = 0;
                for (int g = 0; g < 8; g++) {
                    sumMins += bsums[8 * i + g] * (int) ((mins8 >>> (8 * g)) & 0xff);
                }
                mins -= dmin * sumMins;
            }
        }
        acc = acc.sub(minAcc);
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return mins + acc.lane(0);
    }

    /**
     * The integer lanes of one Q5_K block into {@code lanes}: a method of its own (with the block loop's scale and
     * mins steps in the same compilation, C2 crossed NodeCountInliningCutoff and boxed vectors).
     */
    private static void q5Block(MemorySegment w, long x, MemorySegment as, long a0, long scales, int[] lanes) {
        IntVector block = IntVector.zero(NARROW_INTS);
        for (int c = 0; c < 4; c++) {
            long q = x + 48 + 32L * c;
            long a = a0 + 128L * c;
            ShortVector pLo = ShortVector.zero(NARROW_SHORTS);
            ShortVector pHi = ShortVector.zero(NARROW_SHORTS);
            for (int l = 0; l < 32; l += NARROW_LANES) {
                ShortVector v = zeroExtendNarrow(w, q + l);
                ShortVector h = zeroExtendNarrow(w, x + 16 + l).lanewise(VectorOperators.LSHR, 2 * c);
                ShortVector lo = v.and((short) 0x0f).or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x10));
                ShortVector hi = v.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 3).and((short) 0x10));
                pLo = pLo.add(lo.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 2L * l, LE)));
                pHi = pHi.add(hi.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 64 + 2L * l, LE)));
            }
            // per lane ≤ 4 products of 31·128 at 128 bits: the pair sums fit in 16 bits
            block = block.add(pairSumSmall(pLo).mul((int) ((scales >>> (16 * c)) & 0xff)))
                    .add(pairSumSmall(pHi).mul((int) ((scales >>> (16 * c + 8)) & 0xff)));
        }
        block.intoArray(lanes, 0);
    }

    @Override
    public float dotQ5_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ5_1Q8_1");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        byte[] hb = new byte[32];
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 24L * ib;
            long y = aOff + 36L * ib;
            int qh = w.get(I32, x + 4);
            LONGS.set(hb, 0, SPREAD_BITS[qh & 0xff]);
            LONGS.set(hb, 8, SPREAD_BITS[(qh >>> 8) & 0xff]);
            LONGS.set(hb, 16, SPREAD_BITS[(qh >>> 16) & 0xff]);
            LONGS.set(hb, 24, SPREAD_BITS[qh >>> 24]);
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 8 + c, LE);
                ByteVector lo = q.and((byte) 0x0f).or(ByteVector.fromArray(NARROW_BYTES, hb, c));
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(ByteVector.fromArray(NARROW_BYTES, hb, 16 + c));
                // ≤ 31·128 per product: the two products fit 16 bits
                ShortVector p = widenNarrow(lo).mul(widenNarrow(a, y + 4 + c)).add(widenNarrow(hi).mul(widenNarrow(a, y + 20 + c)));
                sumi = sumi.add(pairSumNarrow(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
            mins += half(w, x + 2) * half(a, y + 2);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0) + mins;
    }

    @Override
    public float dotQ2_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ2_KQ8_K");
        int nb = n / 256;
        return dotLowBitsWide(nb, w, wOff, a.asSlice(aOff), widenedActivations(a, aOff, nb, 256, 292, 4), false,
                BLOCK_LANES.get());
    }

    @Override
    public float dotQ3_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ3_KQ8_K");
        int nb = n / 256;
        return dotLowBitsWide(nb, w, wOff, a.asSlice(aOff), widenedActivations(a, aOff, nb, 256, 292, 4), true,
                BLOCK_LANES.get());
    }

    /**
     * One Q2_K or Q3_K row against widened Q8_K activations ({@code as}, 512 bytes per block; f32 scales and bsums
     * read from the Q8_K row {@code xq}): the block's int lanes come from {@link #q2Block} / {@link #q3Group}, then one FMA per
     * block and, for Q2_K, the mins term Σ bsum·(scale >> 4) in scalar code.
     */
    private float dotLowBitsWide(int nb, MemorySegment w, long wOff, MemorySegment xq, MemorySegment as, boolean q3, int[] lanes) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        int[] sc = new int[16]; // the block's 16 group scales, unpacked before the vector body (keeps it small)
        for (int i = 0; i < nb; i++) {
            long y = 292L * i;
            float dy = xq.get(F32, y);
            if (q3) {
                long x = wOff + 110L * i;
                IntVector.zero(NARROW_INTS).intoArray(lanes, 0);
                for (int g = 0; g < 8; g++) {
                    q3Group(w, x, as, 512L * i, g, q3Scale(w, x + 96, 2 * g), q3Scale(w, x + 96, 2 * g + 1), lanes);
                }
                acc = scaleAddNarrow(IntVector.fromArray(NARROW_INTS, lanes, 0), Float.float16ToFloat(w.get(S16, x + 108)) * dy, acc);
            } else {
                long x = wOff + 84L * i;
                int summs = 0;
                for (int j = 0; j < 16; j++) {
                    int b = u8(w, x + j);
                    sc[j] = b & 0xf;
                    summs += xq.get(S16, y + 260 + 2L * j) * (b >>> 4);
                }
                q2Block(w, x, as, 512L * i, sc, lanes);
                acc = scaleAddNarrow(IntVector.fromArray(NARROW_INTS, lanes, 0), dy * Float.float16ToFloat(w.get(S16, x + 80)), acc);
                mins -= dy * Float.float16ToFloat(w.get(S16, x + 82)) * summs;
            }
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return mins + acc.lane(0);
    }

    /**
     * The int lanes of one Q2_K block into {@code lanes}: for each g = 4k + j, the two 16-element groups 2g and 2g+1
     * take bits 2j..2j+1 of the 32 qs bytes of 128-half k, scaled by {@code sc} (the scale bytes' low nibbles). One loop
     * body, compiled on its own (a helper per group returned a vector, boxed whenever C2 left it out of line; Q2_K
     * and Q3_K in one body crossed NodeCountInliningCutoff).
     */
    private static void q2Block(MemorySegment w, long x, MemorySegment as, long a0, int[] sc, int[] lanes) {
        IntVector block = IntVector.zero(NARROW_INTS);
        for (int g = 0; g < 8; g++) {
            int k = g >> 2;
            int j = g & 3;
            long q = x + 16 + 32L * k;
            long a = a0 + 2L * (128 * k + 32 * j);
            ShortVector p0 = ShortVector.zero(NARROW_SHORTS);
            ShortVector p1 = p0;
            for (int l = 0; l < 16; l += NARROW_LANES) {
                // in 16-bit lanes: the shift count is known only at run time, which x86 supports natively only there
                ShortVector v0 = zeroExtendNarrow(w, q + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
                ShortVector v1 = zeroExtendNarrow(w, q + 16 + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
                // |q·q8| ≤ 384: the pair sums fit in 16 bits
                p0 = p0.add(v0.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 2L * l, LE)));
                p1 = p1.add(v1.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 32 + 2L * l, LE)));
            }
            block = block.add(pairSumSmall(p0).mul(sc[2 * g])).add(pairSumSmall(p1).mul(sc[2 * g + 1]));
        }
        block.intoArray(lanes, 0);
    }

    /**
     * Group pair g = 4k + j of a Q3_K block added into {@code lanes}: as {@link #q2Block}'s body with 4 subtracted
     * where the hmask bit (bit 4k + j of hmask[l]) is clear, scaled by the signed 6-bit scales {@code s0, s1}. One
     * call per group pair: a whole block in one body crossed NodeCountInliningCutoff (0.2–0.4 GB/s).
     */
    private static void q3Group(MemorySegment w, long x, MemorySegment as, long a0, int g, int s0, int s1, int[] lanes) {
        int k = g >> 2;
        int j = g & 3;
        int bit = 4 * k + j;
        long q = x + 32 + 32L * k;
        long a = a0 + 2L * (128 * k + 32 * j);
        ShortVector p0 = ShortVector.zero(NARROW_SHORTS);
        ShortVector p1 = p0;
        for (int l = 0; l < 16; l += NARROW_LANES) {
            // (two bits | hmask bit << 2) − 4, all in 16-bit lanes (run-time shift counts)
            ShortVector v0 = zeroExtendNarrow(w, q + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3)
                    .or(zeroExtendNarrow(w, x + l).lanewise(VectorOperators.LSHR, bit).lanewise(VectorOperators.LSHL, 2).and((short) 4))
                    .sub((short) 4);
            ShortVector v1 = zeroExtendNarrow(w, q + 16 + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3)
                    .or(zeroExtendNarrow(w, x + 16 + l).lanewise(VectorOperators.LSHR, bit).lanewise(VectorOperators.LSHL, 2).and((short) 4))
                    .sub((short) 4);
            // |q·q8| ≤ 512: the pair sums fit in 16 bits
            p0 = p0.add(v0.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 2L * l, LE)));
            p1 = p1.add(v1.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 32 + 2L * l, LE)));
        }
        IntVector.fromArray(NARROW_INTS, lanes, 0).add(pairSumSmall(p0).mul(s0)).add(pairSumSmall(p1).mul(s1)).intoArray(lanes, 0);
    }

    // ---- f32 activations (dequantize on the fly) ----

    private static final VectorSpecies<Float> F8 = VectorSpecies.of(float.class, VectorShape.S_256_BIT);
    private static final VectorSpecies<Byte> B8 = VectorSpecies.of(byte.class, VectorShape.S_64_BIT);
    private static final VectorShuffle<Float>[] F8_FOLDS = VectorMath.folds(F8);

    /**
     * Each weight block is dequantized exactly as the scalar {@code dequantizeBlock} (Q8_0 in vector form: 8 int8
     * values → {@code convertShape(B2F)} → times d) and dotted with x by 8-lane FMAs; the f32 sum is reassociated.
     */
    @Override
    public float dotF32(DType type, int n, MemorySegment w, long wOff, MemorySegment x, long xOff) {
        if (BITS < 256) {
            return super.dotF32(type, n, w, wOff, x, xOff); // the 8-lane float path needs 256-bit vectors
        }
        dev.minnow.kernels.QuantKernels.activationType(type); // rejects unsupported weight types
        int bs = type.blockSize();
        checkBlocks(n, bs, "dotF32", type);
        FloatVector acc = FloatVector.zero(F8);
        if (type == DType.Q8_0) {
            for (int b = 0; b < n / 32; b++) {
                long blk = wOff + 34L * b;
                FloatVector d = FloatVector.broadcast(F8, half(w, blk));
                long xo = (xOff + 32L * b) * 4;
                for (int j = 0; j < 32; j += 8) {
                    FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B8, w, blk + 2 + j, LE)
                            .convertShape(VectorOperators.B2F, F8, 0);
                    FloatVector xv = FloatVector.fromMemorySegment(F8, x, xo + 4L * j, LE);
                    acc = q.mul(d).fma(xv, acc);
                }
            }
            for (VectorShuffle<Float> f : F8_FOLDS) {
                acc = acc.add(acc.rearrange(f));
            }
            return acc.lane(0);
        }
        float[] block = new float[bs];
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(type, w, wOff + (long) type.bytesPerBlock() * b, block);
            long xo = (xOff + (long) bs * b) * 4;
            for (int j = 0; j < bs; j += 8) {
                acc = FloatVector.fromArray(F8, block, j).fma(FloatVector.fromMemorySegment(F8, x, xo + 4L * j, LE), acc);
            }
        }
        for (VectorShuffle<Float> f : F8_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    // ---- GEMV over an activation row widened once ----
    // (The kernels below read their f16 block scales with their own MemorySegment.get, not the shared half() helper:
    // C2 speculates on the segment class from the argument profile at each call site, and a helper shared by the
    // prefill path, the activation quantizers and these loops sees mapped, native and heap segments alike — after a
    // prefill, decode then compiled with per-block session checks and ran at half speed.)

    private static final ThreadLocal<MemorySegment> WIDE_ACTIVATION = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<float[]> ACTIVATION_SCALES = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Q4_0, Q4_K and Q6_K rows against an activation row that is first widened to shorts (and, for Q8_0, its block scales
     * converted to floats) once per call instead of once per weight row: the weight bytes are zero-extended to shorts
     * in one instruction and split into nibbles with short operations. Same lanes, same integer sums and the same
     * float operations in the same order as {@link #dotQ4_0Q8_0} / {@link #dotQ4_KQ8_K}: bit-identical results.
     */
    @Override
    protected void gemvRows(DType type, int cols, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to,
                            MemorySegment xq, MemorySegment y, long yOff) {
        if (type != DType.Q8_0 && type != DType.Q4_0 && type != DType.Q2_K && type != DType.Q3_K && type != DType.Q4_K
                && type != DType.Q5_K && type != DType.Q6_K) {
            super.gemvRows(type, cols, w, wOff, rowBytes, rows, from, to, xq, y, yOff);
            return;
        }
        int bs = type == DType.Q4_0 || type == DType.Q8_0 ? 32 : 256;
        checkBlocks(cols, bs, "gemv", type);
        int nb = cols / bs;
        // Q8_0 blocks: f16 scale + 32 values (34 bytes); Q8_K: f32 scale + 256 values + 16 bsums (292 bytes)
        MemorySegment as = bs == 32 ? widenedActivations(xq, 0, nb, 32, 34, 2) : widenedActivations(xq, 0, nb, 256, 292, 4);
        if (bs == 32) {
            float[] ad = ACTIVATION_SCALES.get();
            if (ad.length < nb) {
                ad = new float[nb];
                ACTIVATION_SCALES.set(ad);
            }
            for (int ib = 0; ib < nb; ib++) {
                ad[ib] = half(xq, 34L * ib);
            }
            if (type == DType.Q8_0) {
                rowsQ8_0(nb, w, wOff, rowBytes, rows, from, to, as, ad, y, yOff);
            } else {
                rowsQ4_0(nb, w, wOff, rowBytes, rows, from, to, as, ad, y, yOff);
            }
        } else if (type == DType.Q4_K) {
            rowsQ4_K(nb, w, wOff, rowBytes, rows, from, to, xq, as, y, yOff);
        } else if (type == DType.Q2_K || type == DType.Q3_K) {
            rowsLowBits(type == DType.Q3_K, nb, w, wOff, rowBytes, rows, from, to, xq, as, y, yOff);
        } else if (type == DType.Q5_K) {
            rowsQ5_K(nb, w, wOff, rowBytes, rows, from, to, xq, as, y, yOff);
        } else {
            rowsQ6_K(nb, w, wOff, rowBytes, rows, from, to, xq, as, y, yOff);
        }
    }

    // One loop method per format. With one shared body, turning on the Q8_0 two-row kernel (minnow.rows.streams=2) made
    // the Q4_0 and Q4_K row dots in the same process collapse to 0.34 and 1.6 GB/s on the AVX-512 Xeon (session 8), most
    // likely boxed vectors past C2's inlining budget. With this split they ran at 3.99 and 3.68 GB/s there after the
    // two-row kernel (session 10).

    private void rowsQ8_0(int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to, MemorySegment as,
                          float[] ad, MemorySegment y, long yOff) {
        // two streams (minnow.rows.streams): rows from + i and from + half + i in one pass
        int half = ROW_STREAMS == 2 ? (to - from) / 2 : 0;
        for (int i = 0; i < half; i++) {
            int ra = from + i, rb = from + half + i;
            dotQ8_0Wide2(nb, w, wOff + rowBytes * (rows == null ? ra : rows[ra]), wOff + rowBytes * (rows == null ? rb : rows[rb]),
                    as, ad, y, (yOff + ra) * 4, (yOff + rb) * 4);
        }
        for (int r = from + 2 * half; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotQ8_0Wide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), as, ad));
        }
    }

    private void rowsQ4_0(int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to, MemorySegment as,
                          float[] ad, MemorySegment y, long yOff) {
        long k = q4_0Offsets(as, nb);
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotQ4_0Wide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), as, k, ad));
        }
    }

    private void rowsQ4_K(int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to, MemorySegment xq,
                          MemorySegment as, MemorySegment y, long yOff) {
        int[] bsums = pairedBsums(xq, 0, nb);
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotQ4_KWide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), xq, as, bsums));
        }
    }

    private void rowsLowBits(boolean q3, int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to,
                             MemorySegment xq, MemorySegment as, MemorySegment y, long yOff) {
        int[] lanes = BLOCK_LANES.get();
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotLowBitsWide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), xq, as, q3, lanes));
        }
    }

    private void rowsQ5_K(int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to, MemorySegment xq,
                          MemorySegment as, MemorySegment y, long yOff) {
        int[] bsums = pairedBsums(xq, 0, nb);
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotQ5_KWide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), xq, as, bsums));
        }
    }

    private void rowsQ6_K(int nb, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to, MemorySegment xq,
                          MemorySegment as, MemorySegment y, long yOff) {
        int[] lanes = BLOCK_LANES.get();
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dotQ6_KWide(nb, w, wOff + rowBytes * (rows == null ? r : rows[r]), xq, 0, as, lanes));
        }
    }

    private static ShortVector zeroExtendNarrow(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(NARROW_BYTES, w, off, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, NARROW_SHORTS, 0);
    }

    /** {@link #dotQ8_0Q8_0}'s lanes and order against widened activations, every Vector API call written out. */
    private float dotQ8_0Wide(int nb, MemorySegment w, long wOff, MemorySegment as, float[] ad) {
        FloatVector acc = FloatVector.zero(WIDE_FLOATS);
        for (int ib = 0; ib < nb; ib++) {
            long x = wOff + 34L * ib;
            long y = 64L * ib;
            IntVector sumi = IntVector.zero(WIDE_INTS);
            for (int c = 0; c < 32; c += WIDE_LANES) {
                ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(WIDE_BYTES, w, x + 2 + c, LE)
                        .convertShape(VectorOperators.B2S, WIDE_SHORTS, 0))
                        .mul(ShortVector.fromMemorySegment(WIDE_SHORTS, as, y + 2L * c, LE));
                // the activations come from quantizeQ8_0 (|a| ≤ 127): a pair of products is at most 2·128·127 < 2^15
                IntVector v = p.reinterpretAsInts();
                IntVector pairs = v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                sumi = c == 0 ? pairs : sumi.add(pairs);
            }
            FloatVector f = (FloatVector) sumi.convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(WIDE_FLOATS, Float.float16ToFloat(w.get(S16, x)) * ad[ib]);
            acc = fma ? f.fma(d, acc) : f.mul(d).add(acc);
        }
        for (VectorShuffle<Float> f : WIDE_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    /**
     * {@link #dotQ8_0Wide} of two rows at once (two memory streams), each with its own lanes and order: the same floats
     * as two calls; written to y at byte offsets {@code ya} and {@code yb}.
     */
    private void dotQ8_0Wide2(int nb, MemorySegment w, long wa, long wb, MemorySegment as, float[] ad, MemorySegment y,
                              long ya, long yb) {
        FloatVector accA = FloatVector.zero(WIDE_FLOATS);
        FloatVector accB = accA;
        for (int ib = 0; ib < nb; ib++) {
            long xa = wa + 34L * ib;
            long xb = wb + 34L * ib;
            long o = 64L * ib;
            IntVector sumA = IntVector.zero(WIDE_INTS);
            IntVector sumB = sumA;
            for (int c = 0; c < 32; c += WIDE_LANES) {
                ShortVector act = ShortVector.fromMemorySegment(WIDE_SHORTS, as, o + 2L * c, LE);
                ShortVector pa = ((ShortVector) ByteVector.fromMemorySegment(WIDE_BYTES, w, xa + 2 + c, LE)
                        .convertShape(VectorOperators.B2S, WIDE_SHORTS, 0)).mul(act);
                ShortVector pb = ((ShortVector) ByteVector.fromMemorySegment(WIDE_BYTES, w, xb + 2 + c, LE)
                        .convertShape(VectorOperators.B2S, WIDE_SHORTS, 0)).mul(act);
                IntVector va = pa.reinterpretAsInts();
                IntVector vb = pb.reinterpretAsInts();
                IntVector pairsA = va.add(va.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector pairsB = vb.add(vb.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                sumA = c == 0 ? pairsA : sumA.add(pairsA);
                sumB = c == 0 ? pairsB : sumB.add(pairsB);
            }
            FloatVector fa = (FloatVector) sumA.convert(VectorOperators.I2F, 0);
            FloatVector fb = (FloatVector) sumB.convert(VectorOperators.I2F, 0);
            FloatVector da = FloatVector.broadcast(WIDE_FLOATS, Float.float16ToFloat(w.get(S16, xa)) * ad[ib]);
            FloatVector db = FloatVector.broadcast(WIDE_FLOATS, Float.float16ToFloat(w.get(S16, xb)) * ad[ib]);
            accA = fma ? fa.fma(da, accA) : fa.mul(da).add(accA);
            accB = fma ? fb.fma(db, accB) : fb.mul(db).add(accB);
        }
        for (VectorShuffle<Float> f : WIDE_FOLDS) {
            accA = accA.add(accA.rearrange(f));
            accB = accB.add(accB.rearrange(f));
        }
        y.set(F32, ya, accA.lane(0));
        y.set(F32, yb, accB.lane(0));
    }

    /**
     * Appends to the widened Q8_0 activations {@code as} (64 bytes per block) each block's offset correction
     * −8·(a_lo + a_hi) as shorts (32 bytes per block), so that a Q4_0 row needs no "− 8" per nibble: its 16-bit
     * products lo·a_lo + hi·a_hi + k equal (lo − 8)·a_lo + (hi − 8)·a_hi exactly (both fit in 16 bits), and the
     * lane sums stay those of {@link #dotQ4_0Q8_0}. Returns the byte offset of the corrections in {@code as}.
     */
    private static long q4_0Offsets(MemorySegment as, int nb) {
        // scalar on purpose: called once per GEMV chunk, it runs in the interpreter and C1 long after the row
        // kernels are C2-compiled, and a Vector API loop there allocated (and crawled) on every call
        long k = 64L * nb;
        for (int ib = 0; ib < nb; ib++) {
            for (int c = 0; c < 16; c++) {
                int sum = as.get(S16, 64L * ib + 2L * c) + as.get(S16, 64L * ib + 32 + 2L * c);
                as.set(S16, k + 32L * ib + 2L * c, (short) (-8 * sum));
            }
        }
        return k;
    }

    private float dotQ4_0Wide(int nb, MemorySegment w, long wOff, MemorySegment as, long k, float[] ad) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int ib = 0; ib < nb; ib++) {
            long x = wOff + 18L * ib;
            long y = 64L * ib;
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ShortVector q = zeroExtendNarrow(w, x + 2 + c);
                ShortVector p = q.and((short) 0x0f).mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, y + 2L * c, LE))
                        .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, y + 32 + 2L * c, LE)))
                        .add(ShortVector.fromMemorySegment(NARROW_SHORTS, as, k + 32L * ib + 2L * c, LE));
                sumi = sumi.add(pairSumSmall(p));
            }
            acc = scaleAddNarrow(sumi, Float.float16ToFloat(w.get(S16, x)) * ad[ib], acc);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    /**
     * {@link #pairSum} in two shifts and an add, valid when every pair sum fits in 16 bits: the high half of
     * v + (v << 16) is hi + lo (mod 2^16), and the arithmetic shift sign-extends it.
     */
    private static IntVector pairSumSmall(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    /**
     * One Q4_K row against widened Q8_K activations: the lanes and integer sums of {@link #dotQ4_KQ8_K}, written
     * as one loop body (no helper calls: a vector crossing a call that C2 does not inline is boxed) and big enough
     * that C2 compiles it on its own instead of inlining it into the row loop.
     */
    private float dotQ4_KWide(int nb, MemorySegment w, long wOff, MemorySegment xq, MemorySegment as, int[] bsums) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        FloatVector minAcc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        for (int i = 0; i < nb; i++) {
            long x = wOff + 144L * i;
            int u0 = w.get(I32, x + 4);
            int u1 = w.get(I32, x + 8);
            int u2 = w.get(I32, x + 12);
            long scales = k4Packed(u0, u2);
            long mins8 = k4Packed(u1, u2 >>> 4);
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 4; c++) {
                long q = x + 16 + 32L * c;
                long a = 512L * i + 128L * c;
                ShortVector pLo = ShortVector.zero(NARROW_SHORTS);
                ShortVector pHi = ShortVector.zero(NARROW_SHORTS);
                for (int l = 0; l < 32; l += NARROW_LANES) {
                    ShortVector v = zeroExtendNarrow(w, q + l);
                    pLo = pLo.add(v.and((short) 0x0f).mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 2L * l, LE)));
                    pHi = pHi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 64 + 2L * l, LE)));
                }
                // per lane ≤ 4 products of 15·128 at 128 bits: the pair sums fit in 16 bits
                block = block.add(pairSumSmall(pLo).mul((int) ((scales >>> (16 * c)) & 0xff)))
                        .add(pairSumSmall(pHi).mul((int) ((scales >>> (16 * c + 8)) & 0xff)));
            }
            float dy = xq.get(F32, 292L * i);
            acc = scaleAddNarrow(block, Float.float16ToFloat(w.get(S16, x)) * dy, acc);
            float dmin = Float.float16ToFloat(w.get(S16, x + 2)) * dy;
            if (NARROW_BITS == 256) {
                // mins·bsums in eight int lanes: the mins bytes zero-extended from the long (broadcast into two lanes: C2 does
                // not intrinsify one-lane vectors, a 64-bit LongVector ran 4x slower)
                IntVector mv = (IntVector) LongVector.broadcast(LongVector.SPECIES_128, mins8).reinterpretAsBytes()
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, NARROW_INTS, 0);
                FloatVector mf = (FloatVector) mv.mul(IntVector.fromArray(NARROW_INTS, bsums, 8 * i)).convert(VectorOperators.I2F, 0);
                FloatVector md = FloatVector.broadcast(NARROW_FLOATS, dmin);
                minAcc = fma ? mf.fma(md, minAcc) : mf.mul(md).add(minAcc);
            } else {
                int sumMins = 0;
                for (int g = 0; g < 8; g++) {
                    sumMins += bsums[8 * i + g] * (int) ((mins8 >>> (8 * g)) & 0xff);
                }
                mins -= dmin * sumMins;
            }
        }
        acc = acc.sub(minAcc);
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return mins + acc.lane(0);
    }

    // ---- dequantization (prefill tiles) ----

    /**
     * Q8_0, Q4_0, Q4_K and Q6_K in vector form (8 levels at a time as bytes, {@code convertShape(B2F)}, then the
     * same multiplies and subtractions as the scalar code, never fused), the other types through the scalar code:
     * bit-identical with {@link ScalarQuantKernels#dequantizeBlock} either way.
     */
    @Override
    public void dequantize(DType type, int n, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        boolean vectorized = type == DType.Q8_0 || type == DType.Q4_0 || type == DType.Q4_K || type == DType.Q6_K;
        if (BITS < 256 || !vectorized) {
            super.dequantize(type, n, w, wOff, y, yOff); // the 8-lane float path needs 256-bit vectors
            return;
        }
        int bs = type.blockSize();
        checkBlocks(n, bs, "dequantize", type);
        if (type == DType.Q6_K) {
            dequantQ6_KBlocks(n / 256, w, wOff, y, yOff);
            return;
        }
        long bpb = type.bytesPerBlock();
        for (int b = 0; b < n / bs; b++) {
            long x = wOff + bpb * b;
            long yo = (yOff + (long) bs * b) * 4;
            switch (type) {
                case Q8_0 -> dequantQ8_0(w, x, y, yo);
                case Q4_0 -> dequantQ4_0(w, x, y, yo);
                case Q4_K -> {
                    for (int g = 0; g < 8; g++) {
                        dequantQ4_KGroup(w, x, g, y, yo + 128L * g);
                    }
                }
                default -> throw new AssertionError(type); // Q6_K above
            }
        }
    }

    private static final ThreadLocal<MemorySegment> PANEL_ROWS = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /**
     * The rows through {@link #dequantize} (vector form) into a thread-local native scratch (rows × kc floats, 16 KiB
     * for a 16-row panel: L1), then transposed into the panel 8 × 8 floats at a time in registers
     * ({@link #transpose8}; a scalar transpose, element by element, cost 4× the dequantization).
     */
    @Override
    public void dequantizePanel(DType type, int rows, int k0, int kc, MemorySegment w, long wOff, long rowBytes,
                                float[] panel, int off, int width) {
        checkPanel(type, rows, k0, kc, width);
        long blockOff = type.bytesPerBlock() * (long) (k0 / type.blockSize());
        boolean strips = type == DType.F16 && F16_STRIPS > 0 && BITS >= 256 && (kc & 7) == 0;
        long tmpBytes = strips ? 4L * 8 * Math.min(F16_STRIPS, kc) : 4L * rows * kc;
        MemorySegment tmp = PANEL_ROWS.get();
        if (tmp.byteSize() < tmpBytes) {
            tmp = java.lang.foreign.Arena.ofAuto().allocate(Math.max(tmpBytes, 4096), 64);
            PANEL_ROWS.set(tmp);
        }
        if (strips) {
            // eight rows × F16_STRIPS halves converted into an L1 strip, then transposed into the panel
            int tiled = rows & ~7;
            for (int r0 = 0; r0 < tiled; r0 += 8) {
                for (int p0 = 0; p0 < kc; p0 += F16_STRIPS) {
                    int len = Math.min(F16_STRIPS, kc - p0);
                    for (int r = 0; r < 8; r++) {
                        halvesToFloats(len, w, wOff + rowBytes * (r0 + r) + blockOff + 2L * p0, tmp, (long) r * len);
                    }
                    for (int q = 0; q < len; q += 8) {
                        transpose8(tmp, 4L * q, 4L * len, panel, off + (p0 + q) * width + r0, width);
                    }
                }
            }
            for (int p = 0; p < kc; p++) {
                int o = off + p * width;
                for (int r = tiled; r < rows; r++) {
                    panel[o + r] = Float.float16ToFloat(w.get(S16, wOff + rowBytes * r + blockOff + 2L * p));
                }
                for (int r = rows; r < width; r++) {
                    panel[o + r] = 0f;
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            if (type == DType.F16) {
                halvesToFloats(kc, w, wOff + rowBytes * r + blockOff, tmp, (long) r * kc);
            } else {
                dequantize(type, kc, w, wOff + rowBytes * r + blockOff, tmp, (long) r * kc);
            }
        }
        // 8 × 8 tiles need 256-bit vectors; rows past the last whole 8, and depths past the last whole 8 (F16 slices
        // of any length; the block types' are multiples of 32), element by element
        int tiled = BITS >= 256 ? rows & ~7 : 0;
        int deep = kc & ~7;
        for (int r0 = 0; r0 < tiled; r0 += 8) {
            for (int p0 = 0; p0 < deep; p0 += 8) {
                transpose8(tmp, 4L * ((long) r0 * kc + p0), 4L * kc, panel, off + p0 * width + r0, width);
            }
        }
        for (int p = 0; p < kc; p++) {
            int o = off + p * width;
            for (int r = p < deep ? tiled : 0; r < rows; r++) {
                panel[o + r] = tmp.get(F32, 4L * ((long) r * kc + p));
            }
            for (int r = rows; r < width; r++) {
                panel[o + r] = 0f;
            }
        }
    }

    private static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2));

    /**
     * {@code minnow.prefill.f16Strip=N} (default 128; 0: whole slices): F16 rows go into the prefill GEMM's B panels
     * eight rows × N halves at a time, converted into a strip that stays in L1 and transposed from it, instead of
     * converting every row's whole depth slice (rows × kc floats, 128 KiB for 32 rows of 1024) before transposing.
     */
    private static final int F16_STRIPS = Math.max(0, Integer.getInteger("minnow.prefill.f16Strip", 128)) / 8 * 8;

    /**
     * n halves from byte {@code off} of w as floats at element {@code yIndex} of y, bit for bit
     * {@link Float#float16ToFloat}. First the finite form (four operations per vector, where the exact one takes
     * twelve): the half sign-extended and shifted left 13 puts its exponent and significand in a float's place, the
     * sign's copies in bits 28–30 are cleared, and ×2^112 rebiases the exponent (normals) or scales the significand
     * (subnormals and zeros) exactly, keeping the sign. A half with the all-ones exponent (infinity, NaN) would come
     * out finite, so the run also collects those lanes; if there was one, the whole run is converted again by
     * {@link #halvesToFloatsExact}.
     */
    private static void halvesToFloats(int n, MemorySegment w, long off, MemorySegment y, long yIndex) {
        int lanes = WIDE_INTS.length();
        int i = 0;
        IntVector special = IntVector.zero(WIDE_INTS);
        for (; i <= n - lanes; i += lanes) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(HALVES, w, off + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, WIDE_INTS, 0);
            special = h.and(0x7c00).max(special);   // the new vector as the receiver: an exact type for C2
            h.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f)
                    .intoMemorySegment(y, 4 * (yIndex + i), LE);
        }
        for (; i < n; i++) {
            y.set(F32, 4 * (yIndex + i), Float.float16ToFloat(w.get(S16, off + 2L * i)));
        }
        if (special.reduceLanes(VectorOperators.MAX) == 0x7c00) {
            halvesToFloatsExact(n, w, off, y, yIndex);
        }
    }

    /**
     * {@link #halvesToFloats} for any halves: the magnitude shifted into a float's place and scaled by 2^112 (exact
     * for normals and subnormals), infinities and NaNs given the all-ones exponent with their significand bits, NaNs
     * made quiet (as float16ToFloat and x86's vcvtph2ps do).
     */
    private static void halvesToFloatsExact(int n, MemorySegment w, long off, MemorySegment y, long yIndex) {
        int lanes = WIDE_INTS.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(HALVES, w, off + 2L * i, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, WIDE_INTS, 0);
            IntVector mag = h.and(0x7fff);
            IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
            shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(shifted.or(0x7f800000), mag.compare(VectorOperators.GE, 0x7c00))
                    .lanewise(VectorOperators.OR, 0x00400000, mag.compare(VectorOperators.GT, 0x7c00))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().intoMemorySegment(y, 4 * (yIndex + i), LE);
        }
        for (; i < n; i++) {
            y.set(F32, 4 * (yIndex + i), Float.float16ToFloat(w.get(S16, off + 2L * i)));
        }
    }

    /** A lane per panel row, no transpose: {@link VectorQuantKernelsFromPanels}. */
    @Override
    public void dequantizeFromPanels(DType type, int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows,
                                     float[] panel, int off, int width) {
        long panelBytes = checkFromPanels(type, cols, k0, kc, p, pOff, r0, rows, width);
        VectorQuantKernelsFromPanels.dequantize(type, k0, kc, p, pOff, panelBytes, r0, rows, panel, off, width);
    }

    // transpose8's lane moves: stage s swaps bit s of the row index with bit s of the lane index
    private static final VectorMask<Float> ODD1 = VectorMask.fromLong(F8, 0xAA);
    private static final VectorMask<Float> ODD2 = VectorMask.fromLong(F8, 0xCC);
    private static final VectorMask<Float> ODD4 = VectorMask.fromLong(F8, 0xF0);
    private static final VectorShuffle<Float> DOWN1 = VectorShuffle.fromOp(F8, l -> (l - 1) & 7);
    private static final VectorShuffle<Float> DOWN2 = VectorShuffle.fromOp(F8, l -> (l - 2) & 7);
    private static final VectorShuffle<Float> DOWN4 = VectorShuffle.fromOp(F8, l -> (l - 4) & 7);
    private static final VectorShuffle<Float> UP1 = VectorShuffle.fromOp(F8, l -> (l + 1) & 7);
    private static final VectorShuffle<Float> UP2 = VectorShuffle.fromOp(F8, l -> (l + 2) & 7);
    private static final VectorShuffle<Float> UP4 = VectorShuffle.fromOp(F8, l -> (l + 4) & 7);

    /**
     * dst[dstOff + i·dstStride + j] = src[srcOff + j·srcStride + i] (src bytes, floats) for i, j &lt; 8: eight rows
     * loaded as vectors, three butterfly stages (each pair of rows s apart: one rearrange and one blend per output),
     * eight vectors stored.
     */
    private static void transpose8(MemorySegment src, long srcOff, long srcStride, float[] dst, int dstOff, int dstStride) {
        FloatVector v0 = FloatVector.fromMemorySegment(F8, src, srcOff, LE);
        FloatVector v1 = FloatVector.fromMemorySegment(F8, src, srcOff + srcStride, LE);
        FloatVector v2 = FloatVector.fromMemorySegment(F8, src, srcOff + 2 * srcStride, LE);
        FloatVector v3 = FloatVector.fromMemorySegment(F8, src, srcOff + 3 * srcStride, LE);
        FloatVector v4 = FloatVector.fromMemorySegment(F8, src, srcOff + 4 * srcStride, LE);
        FloatVector v5 = FloatVector.fromMemorySegment(F8, src, srcOff + 5 * srcStride, LE);
        FloatVector v6 = FloatVector.fromMemorySegment(F8, src, srcOff + 6 * srcStride, LE);
        FloatVector v7 = FloatVector.fromMemorySegment(F8, src, srcOff + 7 * srcStride, LE);
        FloatVector a, b;
        // s = 1: pairs (0,1) (2,3) (4,5) (6,7)
        a = v0; b = v1; v0 = a.blend(b.rearrange(DOWN1), ODD1); v1 = a.rearrange(UP1).blend(b, ODD1);
        a = v2; b = v3; v2 = a.blend(b.rearrange(DOWN1), ODD1); v3 = a.rearrange(UP1).blend(b, ODD1);
        a = v4; b = v5; v4 = a.blend(b.rearrange(DOWN1), ODD1); v5 = a.rearrange(UP1).blend(b, ODD1);
        a = v6; b = v7; v6 = a.blend(b.rearrange(DOWN1), ODD1); v7 = a.rearrange(UP1).blend(b, ODD1);
        // s = 2: pairs (0,2) (1,3) (4,6) (5,7)
        a = v0; b = v2; v0 = a.blend(b.rearrange(DOWN2), ODD2); v2 = a.rearrange(UP2).blend(b, ODD2);
        a = v1; b = v3; v1 = a.blend(b.rearrange(DOWN2), ODD2); v3 = a.rearrange(UP2).blend(b, ODD2);
        a = v4; b = v6; v4 = a.blend(b.rearrange(DOWN2), ODD2); v6 = a.rearrange(UP2).blend(b, ODD2);
        a = v5; b = v7; v5 = a.blend(b.rearrange(DOWN2), ODD2); v7 = a.rearrange(UP2).blend(b, ODD2);
        // s = 4: pairs (0,4) (1,5) (2,6) (3,7)
        a = v0; b = v4; v0 = a.blend(b.rearrange(DOWN4), ODD4); v4 = a.rearrange(UP4).blend(b, ODD4);
        a = v1; b = v5; v1 = a.blend(b.rearrange(DOWN4), ODD4); v5 = a.rearrange(UP4).blend(b, ODD4);
        a = v2; b = v6; v2 = a.blend(b.rearrange(DOWN4), ODD4); v6 = a.rearrange(UP4).blend(b, ODD4);
        a = v3; b = v7; v3 = a.blend(b.rearrange(DOWN4), ODD4); v7 = a.rearrange(UP4).blend(b, ODD4);
        v0.intoArray(dst, dstOff);
        v1.intoArray(dst, dstOff + dstStride);
        v2.intoArray(dst, dstOff + 2 * dstStride);
        v3.intoArray(dst, dstOff + 3 * dstStride);
        v4.intoArray(dst, dstOff + 4 * dstStride);
        v5.intoArray(dst, dstOff + 5 * dstStride);
        v6.intoArray(dst, dstOff + 6 * dstStride);
        v7.intoArray(dst, dstOff + 7 * dstStride);
    }

    private static FloatVector bytesToFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F8, 0);
    }

    private static void dequantQ8_0(MemorySegment w, long x, MemorySegment y, long yo) {
        float d = half(w, x);
        for (int j = 0; j < 32; j += 8) {
            bytesToFloats(ByteVector.fromMemorySegment(B8, w, x + 2 + j, LE)).mul(d).intoMemorySegment(y, yo + 4L * j, LE);
        }
    }

    private static void dequantQ4_0(MemorySegment w, long x, MemorySegment y, long yo) {
        float d = half(w, x);
        for (int j = 0; j < 16; j += 8) {
            ByteVector q = ByteVector.fromMemorySegment(B8, w, x + 2 + j, LE);
            bytesToFloats(q.and((byte) 0x0f).sub((byte) 8)).mul(d).intoMemorySegment(y, yo + 4L * j, LE);
            bytesToFloats(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoMemorySegment(y, yo + 4L * (j + 16), LE);
        }
    }

    /** Group g (32 levels) of a Q4_K block: dl·v − ml with dl = d·scale, ml = dmin·min, as dequantize_row_q4_K. */
    private static void dequantQ4_KGroup(MemorySegment w, long x, int g, MemorySegment y, long yo) {
        float dl = half(w, x) * k4Scale(w, x + 4, g, false);
        float ml = half(w, x + 2) * k4Scale(w, x + 4, g, true);
        long q = x + 16 + 32L * (g / 2);
        boolean high = (g & 1) != 0;
        for (int l = 0; l < 32; l += 8) {
            ByteVector v = ByteVector.fromMemorySegment(B8, w, q + l, LE);
            v = high ? v.lanewise(VectorOperators.LSHR, 4) : v.and((byte) 0x0f);
            bytesToFloats(v).mul(dl).sub(ml).intoMemorySegment(y, yo + 4L * l, LE);
        }
    }

    /**
     * {@code nb} Q6_K blocks to f32, eight levels of each of the four 32-level quarters of a half block at a time:
     * q = (ql nibble | two qh bits << 4) − 32, y = (d·scale)·q, as dequantize_row_q6_K. Its own compiled method with
     * no vector-returning helpers: inlined into {@link #dequantize}'s switch, C2 left the vector operations as boxed
     * fallback code (a Q4_K_M prefill allocated 7 MB per token there).
     */
    private static void dequantQ6_KBlocks(int nb, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        for (int b = 0; b < nb; b++) {
            long x = wOff + 210L * b;
            float d = Float.float16ToFloat(w.get(S16, x + 208));
            for (int h = 0; h < 2; h++) {
                long ql = x + 64L * h;
                long qh = x + 128 + 32L * h;
                for (int l = 0; l < 32; l += 8) {
                    long sc = x + 192 + 8L * h + l / 16;
                    long yo = (yOff + 256L * b) * 4 + 512L * h + 4L * l;
                    ByteVector lo = ByteVector.fromMemorySegment(B8, w, ql + l, LE);
                    ByteVector hi = ByteVector.fromMemorySegment(B8, w, ql + 32 + l, LE);
                    ByteVector bits = ByteVector.fromMemorySegment(B8, w, qh + l, LE);
                    ByteVector q1 = lo.and((byte) 0x0f).or(bits.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q2 = hi.and((byte) 0x0f).or(bits.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4).or(bits.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4).or(bits.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, F8, 0)).mul(d * w.get(B, sc)).intoMemorySegment(y, yo, LE);
                    ((FloatVector) q2.convertShape(VectorOperators.B2F, F8, 0)).mul(d * w.get(B, sc + 2)).intoMemorySegment(y, yo + 128, LE);
                    ((FloatVector) q3.convertShape(VectorOperators.B2F, F8, 0)).mul(d * w.get(B, sc + 4)).intoMemorySegment(y, yo + 256, LE);
                    ((FloatVector) q4.convertShape(VectorOperators.B2F, F8, 0)).mul(d * w.get(B, sc + 6)).intoMemorySegment(y, yo + 384, LE);
                }
            }
        }
    }

    /**
     * The eight 6-bit scales (lo = bytes 0–3, hi = bytes 8–11 of the scale field) or mins (lo = bytes 4–7,
     * hi = bytes 8–11 shifted right by 4) of a Q4_K/Q5_K block, one per byte of a long: the SWAR form of
     * {@link #unpackK4Scales}.
     */
    private static long k4Packed(int lo, int hi) {
        return (lo & 0x3f3f3f3fL) | (((hi & 0x0f0f0f0f) | ((lo >>> 2) & 0x30303030)) & 0xffffffffL) << 32;
    }

    /** The 8 six-bit scales and mins of a Q4_K/Q5_K block from its 12 scale bytes read as three LE ints. */
    private static void unpackK4Scales(int u0, int u1, int u2, int[] sc, int[] mn) {
        for (int j = 0; j < 4; j++) {
            sc[j] = (u0 >>> (8 * j)) & 63;
            mn[j] = (u1 >>> (8 * j)) & 63;
            int lo = (u2 >>> (8 * j)) & 0xff;
            sc[j + 4] = (lo & 0xf) | ((u0 >>> (8 * j + 6)) & 3) << 4;
            mn[j + 4] = (lo >>> 4) | ((u1 >>> (8 * j + 6)) & 3) << 4;
        }
    }

    @Override
    public float dotQ6_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ6_KQ8_K");
        int nb = n / 256;
        return dotQ6_KWide(nb, w, wOff, a, aOff, widenedActivations(a, aOff, nb, 256, 292, 4), BLOCK_LANES.get());
    }

    /** The int8 values of {@code nb} activation blocks widened to shorts, in this thread's scratch. */
    private static MemorySegment widenedActivations(MemorySegment xq, long xOff, int nb, int bs, long stride, long first) {
        MemorySegment as = WIDE_ACTIVATION.get();
        if (as.byteSize() < 3L * bs * nb) {
            as = java.lang.foreign.Arena.ofAuto().allocate(Math.max(3L * bs * nb, 4096), 64);
            WIDE_ACTIVATION.set(as);
        }
        // scalar on purpose (see q4_0Offsets): once per call, 2 bytes per activation
        for (int ib = 0; ib < nb; ib++) {
            long src = xOff + stride * ib + first;
            long dst = 2L * bs * ib;
            for (int c = 0; c < bs; c++) {
                as.set(S16, dst + 2L * c, xq.get(B, src + c));
            }
        }
        return as;
    }

    /**
     * Q6_K block dots against activations widened to shorts ({@code as}, 512 bytes per block; their f32 scales
     * still read from the Q8_K row {@code xq} at {@code xOff}). Each step takes NARROW_LANES positions l of a half
     * block and builds two of the four 6-bit levels that share them (quarters k and k + 2: ql[l + 32k] low and high
     * nibbles, qh[l] bit pairs 2k and 2k + 4 moved to bits 4–5 with one shift and one mask); each level vector's
     * products pair up into int lanes and are multiplied by its 16-level group's scale. One loop body, no helper
     * calls inside a block, so C2 intrinsifies every operation and keeps the block sum in a register (a body with
     * all four quarters, or the block loop and the block body in one method, crossed NodeCountInliningCutoff).
     */
    private float dotQ6_KWide(int nb, MemorySegment w, long wOff, MemorySegment xq, long xOff, MemorySegment as, int[] lanes) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int i = 0; i < nb; i++) {
            long x = wOff + 210L * i;
            q6Block(w, x, as, 512L * i, lanes);
            acc = scaleAddNarrow(IntVector.fromArray(NARROW_INTS, lanes, 0), Float.float16ToFloat(w.get(S16, x + 208)) * xq.get(F32, xOff + 292L * i), acc);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    /**
     * The integer lanes of one Q6_K block (at {@code x}) against its widened activations (at {@code a} in
     * {@code as}), stored into {@code lanes}. A method of its own, too big for C2 to inline into the block loop: with
     * the block loop's scale step in the same compilation C2 crossed NodeCountInliningCutoff and boxed vectors.
     */
    private static void q6Block(MemorySegment w, long x, MemorySegment as, long a0, int[] lanes) {
        IntVector sum = IntVector.zero(NARROW_INTS);
        for (int h = 0; h < 2; h++) {
            long ql = x + 64L * h;
            long qh = x + 128 + 32L * h;
            long sc = x + 192 + 8L * h;
            long a = a0 + 256L * h;
            for (int c = 0; c < 32; c += NARROW_LANES) {
                for (int k = 0; k < 2; k++) {
                    // quarters k and k + 2: ql[32k + l] low and high nibbles, qh bit pairs 2k and 2k + 4
                    int g = 2 * k + (c >> 4);
                    ShortVector bits = zeroExtendNarrow(w, qh + c);
                    ShortVector l = zeroExtendNarrow(w, ql + 32L * k + c);
                    ShortVector lo = l.and((short) 0x0f).or(bits.lanewise(VectorOperators.LSHL, 4 - 2 * k).and((short) 0x30)).sub((short) 32);
                    ShortVector hi = l.lanewise(VectorOperators.LSHR, 4).or(bits.lanewise(VectorOperators.LSHR, 2 * k).and((short) 0x30)).sub((short) 32);
                    // |level·q8| ≤ 32·128 per product: each pair sum fits in 16 bits
                    sum = sum.add(pairSumSmall(lo.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 64L * k + 2L * c, LE))).mul(w.get(B, sc + g)))
                            .add(pairSumSmall(hi.mul(ShortVector.fromMemorySegment(NARROW_SHORTS, as, a + 128 + 64L * k + 2L * c, LE))).mul(w.get(B, sc + 4 + g)));
                }
            }
        }
        sum.intoArray(lanes, 0);
    }

    // ---- batched GEMM: each weight row is unpacked once into 16-bit levels plus f32 block scales (a per-thread
    // native scratch that stays in L1/L2), then dotted with every quantized activation row. The unpacked dots keep
    // exactly the lane structure and operation order of dotQ8_0Q8_0 / dotQ4_0Q8_0 (same products, same pair sums,
    // same per-block scale product, one reduction), so every GEMM entry equals the corresponding dot.
    // (A first version kept 4 rows in flight in one method, 4 weight rows per activation load for GEMV and one weight
    // row per 4 activation rows for GEMM: C2 hit NodeCountInliningCutoff in it, left scaleAdd/half calls out of line
    // and ran 5x slower than one dot per row; see BENCH-NOTES.)

    private static final ThreadLocal<MemorySegment[]> UNPACKED = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private static MemorySegment unpackedScratch(long bytes) {
        MemorySegment[] holder = UNPACKED.get();
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = java.lang.foreign.Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
        }
        return holder[0];
    }

    @Override
    protected void gemmColumns(DType type, int m, int n, int k, MemorySegment w, long wOff, long rowBytes, int from,
                               int to, MemorySegment xq, long aBytes, MemorySegment y, long yOff) {
        if (type == DType.Q4_K) {
            gemmColumnsQ4_K(m, n, k, w, wOff, rowBytes, from, to, xq, aBytes, y, yOff);
            return;
        }
        if (type != DType.Q8_0 && type != DType.Q4_0) {
            super.gemmColumns(type, m, n, k, w, wOff, rowBytes, from, to, xq, aBytes, y, yOff);
            return;
        }
        int nb = k / 32;
        long scales = 64L * nb;
        MemorySegment u = unpackedScratch(scales + 4L * nb);
        for (int j = from; j < to; j++) {
            long x = wOff + rowBytes * j;
            if (type == DType.Q8_0) {
                for (int ib = 0; ib < nb; ib++) {
                    unpackQ8_0(w, x + 34L * ib, u, 64L * ib);
                    u.set(F32, scales + 4L * ib, half(w, x + 34L * ib));
                }
                for (int i = 0; i < m; i++) {
                    y.set(F32, (yOff + (long) i * n + j) * 4, dotUnpackedQ8_0(nb, u, scales, xq, aBytes * i));
                }
            } else {
                for (int ib = 0; ib < nb; ib++) {
                    unpackQ4_0(w, x + 18L * ib, u, 64L * ib);
                    u.set(F32, scales + 4L * ib, half(w, x + 18L * ib));
                }
                for (int i = 0; i < m; i++) {
                    y.set(F32, (yOff + (long) i * n + j) * 4, dotUnpackedQ4_0(nb, u, scales, xq, aBytes * i));
                }
            }
        }
    }

    /** The 32 int8 quants of the Q8_0 block at {@code x} as shorts at {@code dst}. */
    private static void unpackQ8_0(MemorySegment w, long x, MemorySegment u, long dst) {
        for (int c = 0; c < 32; c += WIDE_LANES) {
            widenWide(w, x + 2 + c).intoMemorySegment(u, dst + 2L * c, LE);
        }
    }

    /** The Q4_0 block at {@code x} as 32 shorts: levels (q & 15) − 8 of bytes 0..15, then (q >> 4) − 8. */
    private static void unpackQ4_0(MemorySegment w, long x, MemorySegment u, long dst) {
        for (int c = 0; c < 16; c += NARROW_LANES) {
            ByteVector q = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 2 + c, LE);
            widenNarrow(q.and((byte) 0x0f).sub((byte) 8)).intoMemorySegment(u, dst + 2L * c, LE);
            widenNarrow(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).intoMemorySegment(u, dst + 32 + 2L * c, LE);
        }
    }

    /**
     * As dotQ8_0Q8_0 over unpacked weights, with one change that leaves every int lane the same: where a block spans
     * two or more vectors, two chunks' products are added in shorts before the pair sum (half the pair-sum work).
     * That cannot overflow because gemm's activations come from quantizeQ8_0, whose quants lie in [−127, 127]:
     * |w·a| ≤ 128·127 and two such products stay below 2^15.
     */
    private float dotUnpackedQ8_0(int nb, MemorySegment u, long scales, MemorySegment a, long aOff) {
        FloatVector acc = FloatVector.zero(WIDE_FLOATS);
        for (int ib = 0; ib < nb; ib++) {
            long ub = 64L * ib;
            long ya = aOff + 34L * ib;
            IntVector sumi;
            if (WIDE_LANES == 32) {
                sumi = pairSumWide(ShortVector.fromMemorySegment(WIDE_SHORTS, u, ub, LE).mul(widenWide(a, ya + 2)));
            } else {
                sumi = IntVector.zero(WIDE_INTS);
                for (int c = 0; c < 32; c += 2 * WIDE_LANES) {
                    ShortVector p = ShortVector.fromMemorySegment(WIDE_SHORTS, u, ub + 2L * c, LE).mul(widenWide(a, ya + 2 + c))
                            .add(ShortVector.fromMemorySegment(WIDE_SHORTS, u, ub + 2L * (c + WIDE_LANES), LE)
                                    .mul(widenWide(a, ya + 2 + c + WIDE_LANES)));
                    sumi = sumi.add(pairSumWide(p));
                }
            }
            acc = scaleAddWide(sumi, u.get(F32, scales + 4L * ib) * half(a, ya), acc);
        }
        for (VectorShuffle<Float> f : WIDE_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    private float dotUnpackedQ4_0(int nb, MemorySegment u, long scales, MemorySegment a, long aOff) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int ib = 0; ib < nb; ib++) {
            long ub = 64L * ib;
            long ya = aOff + 34L * ib;
            IntVector sumi = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 16; c += NARROW_LANES) {
                ShortVector lo = ShortVector.fromMemorySegment(NARROW_SHORTS, u, ub + 2L * c, LE);
                ShortVector hi = ShortVector.fromMemorySegment(NARROW_SHORTS, u, ub + 32 + 2L * c, LE);
                sumi = sumi.add(pairSumNarrow(lo.mul(widenNarrow(a, ya + 2 + c)).add(hi.mul(widenNarrow(a, ya + 18 + c)))));
            }
            acc = scaleAddNarrow(sumi, u.get(F32, scales + 4L * ib) * half(a, ya), acc);
        }
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return acc.lane(0);
    }

    // Q4_K: per super-block 256 levels (group 2c = low nibbles of bytes 32c.., group 2c+1 = their high nibbles, in
    // activation order) as shorts, then the 8 scales and 8 mins as ints, then d and dmin as floats.

    private void gemmColumnsQ4_K(int m, int n, int k, MemorySegment w, long wOff, long rowBytes, int from, int to,
                                 MemorySegment xq, long aBytes, MemorySegment y, long yOff) {
        int nb = k / 256;
        long ints = 512L * nb;
        long fl = ints + 64L * nb;
        MemorySegment u = unpackedScratch(fl + 8L * nb);
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int j = from; j < to; j++) {
            long x = wOff + rowBytes * j;
            for (int ib = 0; ib < nb; ib++) {
                unpackQ4_K(w, x + 144L * ib, u, 512L * ib, ints + 64L * ib, fl + 8L * ib, sc, mn);
            }
            for (int i = 0; i < m; i++) {
                y.set(F32, (yOff + (long) i * n + j) * 4, dotUnpackedQ4_K(nb, u, ints, fl, xq, aBytes * i));
            }
        }
    }

    private static void unpackQ4_K(MemorySegment w, long x, MemorySegment u, long lv, long ints, long fl, int[] sc,
                                   int[] mn) {
        unpackK4Scales(w.get(I32, x + 4), w.get(I32, x + 8), w.get(I32, x + 12), sc, mn);
        for (int t = 0; t < 8; t++) {
            u.set(I32, ints + 4L * t, sc[t]);
            u.set(I32, ints + 32 + 4L * t, mn[t]);
        }
        u.set(F32, fl, half(w, x));
        u.set(F32, fl + 4, half(w, x + 2));
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l += NARROW_LANES) {
                ByteVector v = ByteVector.fromMemorySegment(NARROW_BYTES, w, x + 16 + 32L * c + l, LE);
                widenNarrow(v.and((byte) 0x0f)).intoMemorySegment(u, lv + 128L * c + 2L * l, LE);
                widenNarrow(v.lanewise(VectorOperators.LSHR, 4)).intoMemorySegment(u, lv + 128L * c + 64 + 2L * l, LE);
            }
        }
    }

    /** dotQ4_KQ8_K over a row unpacked by unpackQ4_K: the same lanes, products, sums and float order. */
    private float dotUnpackedQ4_K(int nb, MemorySegment u, long intsBase, long flBase, MemorySegment a, long aOff) {
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        FloatVector minAcc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        for (int i = 0; i < nb; i++) {
            long y = aOff + 292L * i;
            long ints = intsBase + 64L * i;
            long fl = flBase + 8L * i;
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 4; c++) {
                long lv = 512L * i + 128L * c;
                long q8 = y + 4 + 64L * c;
                ShortVector pLo = ShortVector.zero(NARROW_SHORTS);
                ShortVector pHi = ShortVector.zero(NARROW_SHORTS);
                for (int l = 0; l < 32; l += NARROW_LANES) {
                    pLo = pLo.add(ShortVector.fromMemorySegment(NARROW_SHORTS, u, lv + 2L * l, LE).mul(widenNarrow(a, q8 + l)));
                    pHi = pHi.add(ShortVector.fromMemorySegment(NARROW_SHORTS, u, lv + 64 + 2L * l, LE).mul(widenNarrow(a, q8 + 32 + l)));
                }
                block = block.add(pairSumNarrow(pLo).mul(u.get(I32, ints + 8L * c))).add(pairSumNarrow(pHi).mul(u.get(I32, ints + 8L * c + 4)));
            }
            float dy = a.get(F32, y);
            acc = scaleAddNarrow(block, u.get(F32, fl) * dy, acc);
            // the mins term as dotQ4_KWide computes it (same lanes, same order: GEMM entries equal GEMV rows)
            float dmin = u.get(F32, fl + 4) * dy;
            if (NARROW_BITS == 256) {
                IntVector bs = pairSumNarrow(ShortVector.fromMemorySegment(NARROW_SHORTS, a, y + 260, LE));
                FloatVector mf = (FloatVector) IntVector.fromMemorySegment(NARROW_INTS, u, ints + 32, LE).mul(bs)
                        .convert(VectorOperators.I2F, 0);
                FloatVector md = FloatVector.broadcast(NARROW_FLOATS, dmin);
                minAcc = fma ? mf.fma(md, minAcc) : mf.mul(md).add(minAcc);
            } else {
                int sumMins = 0;
                for (int g = 0; g < 8; g++) {
                    sumMins += (a.get(S16, y + 260 + 4L * g) + a.get(S16, y + 262 + 4L * g)) * u.get(I32, ints + 32 + 4L * g);
                }
                mins -= dmin * sumMins;
            }
        }
        acc = acc.sub(minAcc);
        for (VectorShuffle<Float> f : NARROW_FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        return mins + acc.lane(0);
    }

    // ---- 16-row panels (Q4Panels) ----

    private static final int PANEL_LANES = WIDE_FLOATS.length();

    /**
     * A vector lane per row: level k of a plane is the plane's low (k &lt; 4) or high 16 bits masked in place,
     * {@code v & (15 << 4(k mod 4))}, worth q·2^4(k mod 4) and paired with xs = q_a·2^-4(k mod 4); it is
     * converted to f32 and multiply-added with the activation into eight accumulators; every partial sum is an
     * integer below 2^24, so the block sum is exact and the per-block epilogue repeats the scalar specification's
     * float operations in its order (bit-identical results). (Tried on the Xeon: the exponent trick instead of the
     * conversion — OR 2^23's exponent in, subtract 2^23 — ran 8× slower, not intrinsified as written.)
     */
    @Override
    public void gemvQ4Panels(DType type, int from, int to, int cols, MemorySegment p, long pOff, Q4Panels.Activation a,
                             MemorySegment y, long yOff) {
        int blocks = cols / 32;
        float[] xs = a.xs;
        float[] da = a.da;
        float[] cb = a.cb;
        if (a.lanes != panelLanes()) {
            throw new IllegalArgumentException("activation prepared for " + a.lanes + " lanes, this kernel reads " + panelLanes());
        }
        if (type == DType.Q6_K) {
            panelsQ6(from, to, blocks, p, pOff, xs, da, cb, y, yOff);
            return;
        }
        if (type == DType.Q8_0) {
            int half = STREAMS == 2 ? (to - from) / 2 : 0;
            if (half > 0) {
                // all pairs in one call: Q8_0 showed no boxed state, and 8 pairs per call measured 0.95x (session 22)
                panelsQ8x2(from, half, half, blocks, p, pOff, xs, da, y, yOff);
            }
            panelsQ8(from + 2 * half, to, blocks, p, pOff, xs, da, y, yOff);
            return;
        }
        if (a.shorts) {
            if (!SHORT_LEVELS || (type != DType.Q4_0 && type != DType.Q4_K)) {
                throw new IllegalArgumentException("activation prepared for 16-bit levels, this kernel does not read " + type + " so");
            }
            int half = STREAMS == 2 ? (to - from) / 2 : 0;
            for (int s = 0; s < half; s += X2_PAIRS_PER_CALL) { // a few pairs per call: see X2_PAIRS_PER_CALL
                if (type == DType.Q4_0) {
                    shortQ4_0x2(from + s, Math.min(X2_PAIRS_PER_CALL, half - s), half, blocks, p, pOff, a.pairs, da, cb, y, yOff);
                } else {
                    shortQ4Kx2(from + s, Math.min(X2_PAIRS_PER_CALL, half - s), half, blocks, p, pOff, a.pairs, da, cb, y, yOff);
                }
            }
            if (type == DType.Q4_0) {
                shortQ4_0(from + 2 * half, to, blocks, p, pOff, a.pairs, da, cb, y, yOff);
            } else {
                shortQ4K(from + 2 * half, to, blocks, p, pOff, a.pairs, da, cb, y, yOff);
            }
            return;
        }
        if ((type == DType.Q4_0 || type == DType.Q4_K) && SHORT_LEVELS) {
            throw new IllegalArgumentException("activation prepared for f32 levels, this kernel reads " + type + " levels as 16-bit integers");
        }
        if (a.exponent) {
            if (!EXP_LEVELS) {
                throw new IllegalArgumentException("activation prepared for exponent levels, this kernel converts");
            }
            // two streams: panels from + i and from + half + i in one pass; an odd one out alone
            int half = STREAMS == 2 ? (to - from) / 2 : 0;
            if (type == DType.Q4_K) {
                if (half > 0 && Q4K_FUSED && PANEL_BYTES != null) {
                    for (int s = 0; s < half; s += X2_PAIRS_PER_CALL) { // a few pairs per call: see X2_PAIRS_PER_CALL
                        expQ4Kx2f(from + s, Math.min(X2_PAIRS_PER_CALL, half - s), half, blocks, p, pOff, xs, da, cb, a.ct, y, yOff);
                    }
                } else if (half > 0) {
                    for (int s = 0; s < half; s += X2_PAIRS_PER_CALL) {
                        expQ4Kx2(from + s, Math.min(X2_PAIRS_PER_CALL, half - s), half, blocks, p, pOff, xs, da, cb, a.ct, y, yOff);
                    }
                }
                expQ4K(from + 2 * half, to, blocks, p, pOff, xs, da, cb, a.ct, y, yOff);
            } else {
                // a few pairs per call: the output head's GEMV is then a hundred calls, so the method gets a normal
                // compilation, not only on-stack replacement (see X2_PAIRS_PER_CALL)
                for (int s = 0; s < half; s += X2_PAIRS_PER_CALL) {
                    expQ4_0x2(from + s, Math.min(X2_PAIRS_PER_CALL, half - s), half, blocks, p, pOff, xs, da, cb, a.ct, y, yOff);
                }
                expQ4_0(from + 2 * half, to, blocks, p, pOff, xs, da, cb, a.ct, y, yOff);
            }
            return;
        }
        if (EXP_LEVELS) {
            throw new IllegalArgumentException("activation prepared for converted levels, this kernel reads exponent levels");
        }
        if (type == DType.Q4_K) {
            panelsQ4K(from, to, blocks, p, pOff, xs, da, cb, y, yOff);
            return;
        }
        // Q4_0: its "min" is its scale (the value d·q − d·8 with cb = 8·Σq_a)
        int bb = 288;
        if (PANEL_LANES == 8 && ONE_PASS && PANEL_FMA && !XS_SCALAR) {
            panels256(from, to, blocks, bb, p, pOff, xs, da, cb, y, yOff);
            return;
        }
        for (int g = from; g < to; g++) {
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                long lane = 4L * h;
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + lane;
                    // eight independent chains (one per nibble): a block's FMAs are 4 deep, not 8
                    FloatVector acc0 = FloatVector.zero(WIDE_FLOATS);
                    FloatVector acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
                    int e = 32 * b * XS_LANES;
                    for (int j = 0; j < 4; j++, e += 8 * XS_LANES) {
                        IntVector lo = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                        IntVector hi = lo.lanewise(VectorOperators.LSHR, 16);
                        acc0 = madd(lo, 0xf, xs, e, acc0);
                        acc1 = madd(lo, 0xf0, xs, e + XS_LANES, acc1);
                        acc2 = madd(lo, 0xf00, xs, e + 2 * XS_LANES, acc2);
                        acc3 = madd(lo, 0xf000, xs, e + 3 * XS_LANES, acc3);
                        acc4 = madd(hi, 0xf, xs, e + 4 * XS_LANES, acc4);
                        acc5 = madd(hi, 0xf0, xs, e + 5 * XS_LANES, acc5);
                        acc6 = madd(hi, 0xf00, xs, e + 6 * XS_LANES, acc6);
                        acc7 = madd(hi, 0xf000, xs, e + 7 * XS_LANES, acc7);
                    }
                    FloatVector s = acc0.add(acc1).add(acc2.add(acc3)).add(acc4.add(acc5).add(acc6.add(acc7)));
                    FloatVector scale = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, panel + (long) b * bb + 256 + 2L * h, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);  // the f16 d (see halves)
                    total = total.add(scale.mul(s).sub(scale.mul(cb[b])).mul(da[b]));
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /**
     * {@code minnow.panels.levels}: {@code exponent} (the default at 512 bits) reads Q4_0/Q4_K levels as f32 mantissas
     * (Q4Panels.Activation#exponent): per 8 levels four shifts and eight AND+OR (one vpternlogd each where C2 fuses
     * them, AVX-512) instead of one shift, eight ANDs and eight int→float conversions; {@code convert} (the default
     * below 512 bits, where AND+OR stay two operations) the latter. The same exact block sums either way. On the
     * AVX-512 Xeon (BENCHMARKS.md, session 6, one window): Q4_K panel GEMV from memory 1.04–1.26× faster, the Q4_0
     * panel GEMV 0.82–1.03× (its bandwidth probe moved too), whole Q4_0 decode 1.03–1.06× in alternating runs.
     */
    private static final boolean EXP_LEVELS = "exponent".equals(System.getProperty("minnow.panels.levels", BITS >= 512 ? "exponent" : "convert"));

    @Override
    public boolean panelExponentLevels() {
        return EXP_LEVELS;
    }

    /**
     * {@code minnow.panels.shorts} (default true; off below 256 bits, where the Q4_K scales have no byte species):
     * Q4_0 and Q4_K panel levels multiplied by the Q8_0 / Q8_K activation in 16-bit lanes
     * ({@link Q4Panels.Activation#shorts}) — a nibble mask or shift, one 16-bit multiply and one add per
     * 2·PANEL_LANES products, the activation pair a broadcast int — instead of f32 levels and FMAs.
     */
    private static final boolean SHORT_LEVELS = BITS >= 256 && Boolean.parseBoolean(System.getProperty("minnow.panels.shorts", "true"));

    @Override
    public boolean panelShortLevels() {
        return SHORT_LEVELS;
    }

    /**
     * The 16-bit kernels' constants, loaded (see expQ4_0x2 on literal vector constants): the nibble mask in each short,
     * the f16 sign-exponent-mantissa mask of the scale widening.
     */
    private static final int[] SHORT_MASKS = {0x000f000f, 0x8fffe000};

    /**
     * Q4_0 panels in 16-bit lanes, the panel pairs (from + i, from + half + i), i &lt; count (see
     * {@link Q4Panels.Activation#shorts}): per block two short accumulators per panel, added (exact, below 2^15),
     * each row's two shorts summed into an int, converted (exact) and put through the specification's epilogue. The
     * block-sum loop is written out here and in the Q4_K kernels: as a shared method returning its sums through an
     * array it decoded 1-thread Q4_0 at 17.7–23.6 tok/s against 32.0–33.7 (BENCHMARKS.md, session 24).
     */
    private static void shortQ4_0x2(int from, int count, int half, int blocks, MemorySegment p, long pOff, int[] pairs,
                                    float[] da, float[] cb, MemorySegment y, long yOff) {
        int bb = 288;
        int[] c = SHORT_MASKS;
        ShortVector nib = IntVector.broadcast(WIDE_INTS, c[0]).reinterpretAsShorts();
        IntVector halfBits = IntVector.broadcast(WIDE_INTS, c[1]);
        FloatVector halfScale = FloatVector.broadcast(WIDE_FLOATS, 0x1p112f);
        long distance = (long) half * blocks * bb;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
                FloatVector totalB = totalA;
                long lane = 4L * h;
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + lane;
                    ShortVector a0 = ShortVector.zero(WIDE_SHORTS);
                    ShortVector a1 = a0, b0 = a0, b1 = a0;
                    int e = 16 * b;
                    for (int j = 0; j < 4; j++, e += 4) {
                        ShortVector v = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + 64L * j, LE);
                        ShortVector w = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + distance + 64L * j, LE);
                        ShortVector x = IntVector.broadcast(WIDE_INTS, pairs[e]).reinterpretAsShorts();
                        a0 = a0.add(v.and(nib).mul(x));
                        b0 = b0.add(w.and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 1]).reinterpretAsShorts();
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 4).and(nib).mul(x));
                        b1 = b1.add(w.lanewise(VectorOperators.LSHR, 4).and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 2]).reinterpretAsShorts();
                        a0 = a0.add(v.lanewise(VectorOperators.LSHR, 8).and(nib).mul(x));
                        b0 = b0.add(w.lanewise(VectorOperators.LSHR, 8).and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 3]).reinterpretAsShorts();
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 12).mul(x));
                        b1 = b1.add(w.lanewise(VectorOperators.LSHR, 12).mul(x));
                    }
                    IntVector ia = a0.add(a1).reinterpretAsInts();
                    IntVector ib = b0.add(b1).reinterpretAsInts();
                    FloatVector sa = (FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ia.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    FloatVector sb = (FloatVector) ib.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ib.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    long so = panel + (long) b * bb + 256 + 2L * h;
                    FloatVector scaleA = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);  // the f16 d (see halves)
                    FloatVector scaleB = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so + distance, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);
                    FloatVector cbv = FloatVector.broadcast(WIDE_FLOATS, cb[b]);
                    FloatVector dav = FloatVector.broadcast(WIDE_FLOATS, da[b]);
                    totalA = totalA.add(scaleA.mul(sa).sub(scaleA.mul(cbv)).mul(dav));
                    totalB = totalB.add(scaleB.mul(sb).sub(scaleB.mul(cbv)).mul(dav));
                }
                totalA.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                totalB.intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /** shortQ4_0x2 for one panel at a time: panels [from, to). */
    private static void shortQ4_0(int from, int to, int blocks, MemorySegment p, long pOff, int[] pairs, float[] da,
                                  float[] cb, MemorySegment y, long yOff) {
        int bb = 288;
        int[] c = SHORT_MASKS;
        ShortVector nib = IntVector.broadcast(WIDE_INTS, c[0]).reinterpretAsShorts();
        IntVector halfBits = IntVector.broadcast(WIDE_INTS, c[1]);
        FloatVector halfScale = FloatVector.broadcast(WIDE_FLOATS, 0x1p112f);
        for (int g = from; g < to; g++) {
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                long lane = 4L * h;
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + lane;
                    ShortVector a0 = ShortVector.zero(WIDE_SHORTS);
                    ShortVector a1 = a0;
                    int e = 16 * b;
                    for (int j = 0; j < 4; j++, e += 4) {
                        ShortVector v = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + 64L * j, LE);
                        a0 = a0.add(v.and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e]).reinterpretAsShorts()));
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 4).and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 1]).reinterpretAsShorts()));
                        a0 = a0.add(v.lanewise(VectorOperators.LSHR, 8).and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 2]).reinterpretAsShorts()));
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 3]).reinterpretAsShorts()));
                    }
                    IntVector ia = a0.add(a1).reinterpretAsInts();
                    FloatVector s = (FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ia.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    FloatVector scale = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, panel + (long) b * bb + 256 + 2L * h, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);  // the f16 d (see halves)
                    total = total.add(scale.mul(s).sub(scale.mul(cb[b])).mul(da[b]));
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /**
     * Q4_K panels in 16-bit lanes, the panel pairs (from + i, from + half + i), i &lt; count: shortQ4_0x2's block sums
     * (the blocks of a Q4_K super-block share the Q4_0 block layout) through panelsQ4K's epilogue.
     */
    private static void shortQ4Kx2(int from, int count, int half, int blocks, MemorySegment p, long pOff, int[] pairs,
                                   float[] da, float[] cb, MemorySegment y, long yOff) {
        int[] c = SHORT_MASKS;
        ShortVector nib = IntVector.broadcast(WIDE_INTS, c[0]).reinterpretAsShorts();
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        long distance = half * panelBytes;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
                FloatVector totalB = totalA;
                for (int b = 0; b < blocks; b++) {
                    long sb = panel + (long) (b >> 3) * Q4Panels.Q4K_SUPER;
                    long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b & 7);
                    long o = ob + 4L * h;
                    ShortVector a0 = ShortVector.zero(WIDE_SHORTS);
                    ShortVector a1 = a0, b0 = a0, b1 = a0;
                    int e = 16 * b;
                    for (int j = 0; j < 4; j++, e += 4) {
                        ShortVector v = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + 64L * j, LE);
                        ShortVector w = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + distance + 64L * j, LE);
                        ShortVector x = IntVector.broadcast(WIDE_INTS, pairs[e]).reinterpretAsShorts();
                        a0 = a0.add(v.and(nib).mul(x));
                        b0 = b0.add(w.and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 1]).reinterpretAsShorts();
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 4).and(nib).mul(x));
                        b1 = b1.add(w.lanewise(VectorOperators.LSHR, 4).and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 2]).reinterpretAsShorts();
                        a0 = a0.add(v.lanewise(VectorOperators.LSHR, 8).and(nib).mul(x));
                        b0 = b0.add(w.lanewise(VectorOperators.LSHR, 8).and(nib).mul(x));
                        x = IntVector.broadcast(WIDE_INTS, pairs[e + 3]).reinterpretAsShorts();
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 12).mul(x));
                        b1 = b1.add(w.lanewise(VectorOperators.LSHR, 12).mul(x));
                    }
                    IntVector ia = a0.add(a1).reinterpretAsInts();
                    IntVector ib = b0.add(b1).reinterpretAsInts();
                    FloatVector sa = (FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ia.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    FloatVector sbv = (FloatVector) ib.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ib.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    FloatVector cbv = FloatVector.broadcast(WIDE_FLOATS, cb[b]);
                    FloatVector dav = FloatVector.broadcast(WIDE_FLOATS, da[b]);
                    FloatVector scA = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector mA = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector dA = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dminA = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    totalA = totalA.add(dA.mul(scA).mul(sa).sub(dminA.mul(mA).mul(cbv)).mul(dav));
                    FloatVector scB = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + distance + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector mB = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + distance + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector dB = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + distance + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dminB = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + distance + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    totalB = totalB.add(dB.mul(scB).mul(sbv).sub(dminB.mul(mB).mul(cbv)).mul(dav));
                }
                totalA.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                totalB.intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /** shortQ4Kx2 for one panel at a time: panels [from, to). */
    private static void shortQ4K(int from, int to, int blocks, MemorySegment p, long pOff, int[] pairs, float[] da,
                                 float[] cb, MemorySegment y, long yOff) {
        int[] c = SHORT_MASKS;
        ShortVector nib = IntVector.broadcast(WIDE_INTS, c[0]).reinterpretAsShorts();
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int b = 0; b < blocks; b++) {
                    long sb = panel + (long) (b >> 3) * Q4Panels.Q4K_SUPER;
                    long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b & 7);
                    long o = ob + 4L * h;
                    ShortVector a0 = ShortVector.zero(WIDE_SHORTS);
                    ShortVector a1 = a0;
                    int e = 16 * b;
                    for (int j = 0; j < 4; j++, e += 4) {
                        ShortVector v = ShortVector.fromMemorySegment(WIDE_SHORTS, p, o + 64L * j, LE);
                        a0 = a0.add(v.and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e]).reinterpretAsShorts()));
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 4).and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 1]).reinterpretAsShorts()));
                        a0 = a0.add(v.lanewise(VectorOperators.LSHR, 8).and(nib).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 2]).reinterpretAsShorts()));
                        a1 = a1.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(WIDE_INTS, pairs[e + 3]).reinterpretAsShorts()));
                    }
                    IntVector ia = a0.add(a1).reinterpretAsInts();
                    FloatVector s = (FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .add(ia.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                    FloatVector sc = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector m = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector d = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dmin = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    total = total.add(d.mul(sc).mul(s).sub(dmin.mul(m).mul(cb[b])).mul(da[b]));
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /**
     * Q4_0 panels with exponent levels: per block the sum S of the eight accumulators (exact), Σ q·q_a = (S − ct)·2^11,
     * then the specification's epilogue. The block sum is written out in each exponent kernel, not a helper (C2 boxed
     * the vector result of a helper it left out of line).
     */
    private static void expQ4_0(int from, int to, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                float[] cb, float[] ct, MemorySegment y, long yOff) {
        int bb = 288;
        float[] sums = Q4K_SUMS.get();
        for (int g = from; g < to; g++) {
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int first = 0; first < blocks; first += 8) {
                    int count = Math.min(8, blocks - first);
                    sums1(p, panel + (long) first * bb, h, first, count, xs, ct, sums);
                    for (int b = first; b < first + count; b++) {
                        FloatVector s = FloatVector.fromArray(WIDE_FLOATS, sums, PANEL_LANES * (b - first)).mul(2048f);
                        FloatVector scale = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, panel + (long) b * bb + 256 + 2L * h, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                                .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);  // the f16 d (see halves)
                        total = total.add(scale.mul(s).sub(scale.mul(cb[b])).mul(da[b]));
                    }
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /** Q4_K with exponent levels: expQ4_0's block sums, panelsQ4K's epilogue. */
    private static void expQ4K(int from, int to, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                               float[] cb, float[] ct, MemorySegment y, long yOff) {
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        float[] lanes = PANEL_BYTES == null ? new float[2 * PANEL_LANES] : null;
        float[] sums = Q4K_SUMS.get();
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int first = 0; first < blocks; first += 8) {
                    long sb = panel + (long) (first >> 3) * Q4Panels.Q4K_SUPER;
                    FloatVector d = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dmin = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    sums1(p, sb + Q4Panels.Q4K_BLOCKS, h, first, 8, xs, ct, sums);
                    for (int b = first; b < first + 8; b++) {
                        long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b - first);
                        FloatVector s = FloatVector.fromArray(WIDE_FLOATS, sums, PANEL_LANES * (b - first)).mul(2048f);
                        FloatVector sc;
                        FloatVector m;
                        if (PANEL_BYTES != null) {
                            sc = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                            m = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                        } else { // 4 lanes: no 32-bit byte species
                            for (int l = 0; l < PANEL_LANES; l++) {
                                lanes[l] = p.get(ValueLayout.JAVA_BYTE, ob + 256 + h + l);
                                lanes[PANEL_LANES + l] = p.get(ValueLayout.JAVA_BYTE, ob + 272 + h + l);
                            }
                            sc = FloatVector.fromArray(WIDE_FLOATS, lanes, 0);
                            m = FloatVector.fromArray(WIDE_FLOATS, lanes, PANEL_LANES);
                        }
                        FloatVector scale = d.mul(sc);
                        FloatVector min = dmin.mul(m);
                        total = total.add(scale.mul(s).sub(min.mul(cb[b])).mul(da[b]));
                    }
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /**
     * Block sums S - ct[b] of {@code count} (at most 8) consecutive 288-byte panel blocks from {@code ob0} (block
     * {@code first}), lanes h..: sums[PANEL_LANES·(b - first) + lane]. The one-panel kernels' loop (Q4_0 and Q4_K panel
     * blocks share the layout); sums leave through an array, never as a vector result, which C2 boxed.
     */
    private static void sums1(MemorySegment p, long ob0, int h, int first, int count, float[] xs, float[] ct,
                              float[] sums) {
        int[] c = PANEL_MASKS; // loaded, not literals: see expQ4_0x2
        IntVector ma = IntVector.broadcast(WIDE_INTS, c[0]), mb = IntVector.broadcast(WIDE_INTS, c[1]);
        IntVector one = IntVector.broadcast(WIDE_INTS, c[2]);
        for (int b = first; b < first + count; b++) {
            long o = ob0 + 288L * (b - first) + 4L * h;
            FloatVector acc0 = FloatVector.zero(WIDE_FLOATS);
            FloatVector acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
            int e = 32 * b * XS_LANES;
            for (int j = 0; j < 4; j++, e += 8 * XS_LANES) {
                IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                IntVector s = v.lanewise(VectorOperators.LSHL, 12);
                acc0 = emadd(s.and(ma).or(one), xs, e, acc0);
                acc1 = emadd(s.and(mb).or(one), xs, e + XS_LANES, acc1);
                s = v.lanewise(VectorOperators.LSHL, 4);
                acc2 = emadd(s.and(ma).or(one), xs, e + 2 * XS_LANES, acc2);
                acc3 = emadd(s.and(mb).or(one), xs, e + 3 * XS_LANES, acc3);
                s = v.lanewise(VectorOperators.LSHR, 4);
                acc4 = emadd(s.and(ma).or(one), xs, e + 4 * XS_LANES, acc4);
                acc5 = emadd(s.and(mb).or(one), xs, e + 5 * XS_LANES, acc5);
                s = v.lanewise(VectorOperators.LSHR, 12);
                acc6 = emadd(s.and(ma).or(one), xs, e + 6 * XS_LANES, acc6);
                acc7 = emadd(s.and(mb).or(one), xs, e + 7 * XS_LANES, acc7);
            }
            acc0.add(acc1).add(acc2.add(acc3)).add(acc4.add(acc5).add(acc6.add(acc7))).sub(ct[b])
                    .intoArray(sums, PANEL_LANES * (b - first));
        }
    }

    /**
     * {@code minnow.panels.streams=2} has the exponent-level Q4_0/Q4_K panel kernels walk two far-apart panels of their
     * range at once — two sequential streams for the hardware prefetcher. Default 2 with 512-bit kernels: on the
     * AVX-512 Xeon (BENCHMARKS.md session 8, 2 pinned cores, alternating runs) TinyLlama-shaped Q4_0 decode went from
     * 9.6–10.9 to 15.6–16.0 tok/s (1 thread) and 17.7–20.2 to 27.8–29.6 (2 threads), Q4_K_M 1.08–1.09×, and the Q4_0
     * panel GEMV streamed 55% of the read bandwidth instead of 35%. Below 512 bits the panels read converted levels,
     * which have no two-stream kernel.
     */
    private static final int STREAMS = Integer.getInteger("minnow.panels.streams", BITS >= 512 ? 2 : 1) == 2 ? 2 : 1;

    /**
     * {@code minnow.rows.streams=1|2} (default 2 at 512 bits, 1 below): the Q8_0 row dots read rows i and half + i in
     * one pass. On the AVX-512 Xeon, TinyLlama-shaped Q8_0 decode ran at 6.35–7.00 tok/s with it against 4.34–4.79
     * (1 thread) and 10.05–13.34 against 8.45–9.07 (2 threads), in three alternations (BENCHMARKS.md, session 10). In
     * session 8 it made the Q4_0 and Q4_K row dots in the same process collapse to 0.34 and 1.6 GB/s; since each
     * format has its own loop method they stayed at 3.99 and 3.68 there. At 256 bits it measured within noise.
     */
    private static final int ROW_STREAMS = Integer.getInteger("minnow.rows.streams", BITS >= 512 ? 2 : 1) == 2 ? 2 : 1;

    /** expQ4_0x2's constants: the two nibble masks, 1.0f's bits, the f16 sign-exponent-mantissa mask (see there). */
    private static final int[] PANEL_MASKS = {0xf000, 0xf0000, 0x3f800000, 0x8fffe000};

    /**
     * Panel pairs per call of the two-panel 4-bit kernels ({@link #expQ4_0x2}, {@link #expQ4Kx2f}, {@link #expQ4Kx2};
     * {@code minnow.panels.pairsPerCall}, default 8; 0: all of a GEMV's pairs in one call, as before session 22). With
     * one call per GEMV the output head's GEMV during a prompt (once per prompt, before any decode) reached C2 only by
     * on-stack replacement; those compilations were made not entrant by uncommon traps and the head ran in C1 code
     * with boxed vectors (5.5 MB per Q4_0 prompt token, 2.3 MB for Q4_K_M; JFR) in about one process in three. With
     * 125 calls per head GEMV the method gets a normal compilation after a few prompts (four of four 1-thread Q4_0
     * pp128 processes clean). 2-thread Q4_0 decode against 0, alternating: 40.98 / 41.64 against 39.55 / 40.11 tok/s
     * (one pair per call: 39.25 / 39.63 against 40.72 / 43.46); Q4_K_M 38.99 against 36.23.
     */
    private static final int X2_PAIRS_PER_CALL = atLeastOneOrAll(Integer.getInteger("minnow.panels.pairsPerCall", 8));

    /** n when positive, else "all" (Integer.MAX_VALUE). */
    private static int atLeastOneOrAll(int n) {
        return n > 0 ? n : Integer.MAX_VALUE;
    }

    /**
     * expQ4_0 over the panel pairs (from + i, from + half + i), i &lt; count: the same operations per panel,
     * interleaved; the partner panel is {@code half} panels on.
     */
    private static void expQ4_0x2(int from, int count, int half, int blocks, MemorySegment p, long pOff, float[] xs,
                                  float[] da, float[] cb, float[] ct, MemorySegment y, long yOff) {
        int bb = 288;
        // the masks from an array, not literals: C2 rematerialized literal vector constants from its constant table
        // before each use in some JVMs (two loads per vpternlogd, 26 against 40 tok/s); loaded values stay in registers
        int[] c = PANEL_MASKS;
        IntVector ma = IntVector.broadcast(WIDE_INTS, c[0]), mb = IntVector.broadcast(WIDE_INTS, c[1]);
        IntVector one = IntVector.broadcast(WIDE_INTS, c[2]);
        IntVector halfBits = IntVector.broadcast(WIDE_INTS, c[3]);
        FloatVector halfScale = FloatVector.broadcast(WIDE_FLOATS, 0x1p123f);
        long distance = (long) half * blocks * bb;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
                FloatVector totalB = totalA;
                long lane = 4L * h;
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + lane;
                    // a0 and b0 start at -ct[b]: the partial sums stay exact (multiples of 2^-11 below 2^13)
                    FloatVector a0 = FloatVector.broadcast(WIDE_FLOATS, -ct[b]);
                    FloatVector b0 = a0, zero = FloatVector.zero(WIDE_FLOATS);
                    FloatVector a1 = zero, a2 = zero, a3 = zero, b1 = zero, b2 = zero, b3 = zero;
                    int e = 32 * b * XS_LANES;
                    for (int j = 0; j < 4; j++) {
                        IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                        IntVector w = IntVector.fromMemorySegment(WIDE_INTS, p, o + distance + 64L * j, LE);
                        // four steps of two levels: rotated left by 12, 4, -4 and -12, a level pair's nibbles sit at bits 12-15 (ma)
                        // and 16-19 (mb), as the shifts of expQ4_0 do. Each step adds into a0/a1 (b0/b1) and moves the older pair up, so
                        // four chains per panel stay in flight. One step written once keeps this method small enough for C2 to parse all
                        // of it before its inlining cutoff (past it the epilogue's intrinsics were late-inlined and boxed).
                        IntVector s = v.lanewise(VectorOperators.ROL, 12), t = w.lanewise(VectorOperators.ROL, 12);
                        for (int m = 0; m < 4; m++, e += 2 * XS_LANES) {
                            FloatVector x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e]) : FloatVector.fromArray(WIDE_FLOATS, xs, e);
                            FloatVector na0 = PANEL_FMA ? s.and(ma).or(one).reinterpretAsFloats().fma(x, a0) : a0.add(s.and(ma).or(one).reinterpretAsFloats().mul(x));
                            FloatVector nb0 = PANEL_FMA ? t.and(ma).or(one).reinterpretAsFloats().fma(x, b0) : b0.add(t.and(ma).or(one).reinterpretAsFloats().mul(x));
                            x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + XS_LANES);
                            FloatVector na1 = PANEL_FMA ? s.and(mb).or(one).reinterpretAsFloats().fma(x, a1) : a1.add(s.and(mb).or(one).reinterpretAsFloats().mul(x));
                            FloatVector nb1 = PANEL_FMA ? t.and(mb).or(one).reinterpretAsFloats().fma(x, b1) : b1.add(t.and(mb).or(one).reinterpretAsFloats().mul(x));
                            a0 = a2;
                            a1 = a3;
                            a2 = na0;
                            a3 = na1;
                            b0 = b2;
                            b1 = b3;
                            b2 = nb0;
                            b3 = nb1;
                            // by constant counts (immediate rotates; a loop-variable count became a vector register each)
                            s = s.lanewise(VectorOperators.ROR, 8);
                            t = t.lanewise(VectorOperators.ROR, 8);
                        }
                    }
                    // (S - ct)·2^11·d as (S - ct)·(d·2^11), and d·cb as (d·2^11)·(cb·2^-11): the same real products, so
                    // the same roundings as the specification's, with fewer operations for C2 to parse
                    FloatVector sa = a0.add(a1).add(a2.add(a3));
                    FloatVector sb = b0.add(b1).add(b2.add(b3));
                    long so = panel + (long) b * bb + 256 + 2L * h;
                    FloatVector scaleA = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);  // the f16 d·2^11 (see halves)
                    FloatVector scaleB = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so + distance, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);
                    FloatVector cbv = FloatVector.broadcast(WIDE_FLOATS, cb[b] * 0x1p-11f);
                    FloatVector dav = FloatVector.broadcast(WIDE_FLOATS, da[b]);
                    totalA = totalA.add(scaleA.mul(sa).sub(scaleA.mul(cbv)).mul(dav));
                    totalB = totalB.add(scaleB.mul(sb).sub(scaleB.mul(cbv)).mul(dav));
                }
                totalA.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                totalB.intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /**
     * The split form of the two-panel Q4_K kernel ({@code minnow.panels.q4kFused=false}, and at 128 bits, where
     * {@link #expQ4Kx2f} has no byte species for the scales).
     * expQ4K over panel pairs (from + i, from + half + i), i &lt; half: the same operations per panel, interleaved. Each
     * super-block pair is its own call ({@link #superQ4Kx2}, running totals in a float[]): one method for all of it was
     * too large for C2 to parse before its inlining cutoff, and the Vector API calls past it boxed in some JVMs.
     */
    private static void expQ4Kx2(int from, int count, int half, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                 float[] cb, float[] ct, MemorySegment y, long yOff) {
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        float[] tot = Q4K_TOTALS.get();
        float[] sums = Q4K_SUMS.get();
        long distance = half * panelBytes;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                java.util.Arrays.fill(tot, 0, 2 * PANEL_LANES, 0f);
                for (int first = 0; first < blocks; first += 8) {
                    superQ4Kx2(p, panel + (long) (first >> 3) * Q4Panels.Q4K_SUPER, distance, h, first, xs, da, cb, ct, tot, sums);
                }
                FloatVector.fromArray(WIDE_FLOATS, tot, 0).intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                FloatVector.fromArray(WIDE_FLOATS, tot, PANEL_LANES).intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /** {@code minnow.panels.q4kFused=false}: the Q4_K two-panel kernel as block sums and epilogue methods per super-block. */
    private static final boolean Q4K_FUSED = !"false".equals(System.getProperty("minnow.panels.q4kFused"));

    /**
     * expQ4Kx2 as one loop over the blocks, like expQ4_0x2: each block's sums go straight into its epilogue (the
     * super-block's d and dmin reloaded per block, an L1 hit), no per-super-block calls and no sums array. It needs
     * the scales at the start of the super-block (Q4Panels.Q4K_D): read from its end, the first block's epilogue
     * jumped 2.3 kB ahead of the stream, and this kernel ran at 24 tok/s where the split one ran at 33 (session 18).
     */
    private static void expQ4Kx2f(int from, int count, int half, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                  float[] cb, float[] ct, MemorySegment y, long yOff) {
        int[] c = PANEL_MASKS; // loaded, not literals: see expQ4_0x2
        IntVector ma = IntVector.broadcast(WIDE_INTS, c[0]), mb = IntVector.broadcast(WIDE_INTS, c[1]);
        IntVector one = IntVector.broadcast(WIDE_INTS, c[2]);
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        long distance = half * panelBytes;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
                FloatVector totalB = totalA;
                for (int b = 0; b < blocks; b++) {
                    long sb = panel + (long) (b >> 3) * Q4Panels.Q4K_SUPER;
                    long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b & 7);
                    long o = ob + 4L * h;
                    FloatVector a0 = FloatVector.broadcast(WIDE_FLOATS, -ct[b]);
                    FloatVector b0 = a0, zero = FloatVector.zero(WIDE_FLOATS);
                    FloatVector a1 = zero, a2 = zero, a3 = zero, b1 = zero, b2 = zero, b3 = zero;
                    int e = 32 * b * XS_LANES;
                    for (int j = 0; j < 4; j++) {
                        IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                        IntVector w = IntVector.fromMemorySegment(WIDE_INTS, p, o + distance + 64L * j, LE);
                        IntVector s = v.lanewise(VectorOperators.ROL, 12), t = w.lanewise(VectorOperators.ROL, 12);
                        for (int m = 0; m < 4; m++, e += 2 * XS_LANES) {
                            FloatVector x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e]) : FloatVector.fromArray(WIDE_FLOATS, xs, e);
                            FloatVector na0 = PANEL_FMA ? s.and(ma).or(one).reinterpretAsFloats().fma(x, a0) : a0.add(s.and(ma).or(one).reinterpretAsFloats().mul(x));
                            FloatVector nb0 = PANEL_FMA ? t.and(ma).or(one).reinterpretAsFloats().fma(x, b0) : b0.add(t.and(ma).or(one).reinterpretAsFloats().mul(x));
                            x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + XS_LANES);
                            FloatVector na1 = PANEL_FMA ? s.and(mb).or(one).reinterpretAsFloats().fma(x, a1) : a1.add(s.and(mb).or(one).reinterpretAsFloats().mul(x));
                            FloatVector nb1 = PANEL_FMA ? t.and(mb).or(one).reinterpretAsFloats().fma(x, b1) : b1.add(t.and(mb).or(one).reinterpretAsFloats().mul(x));
                            a0 = a2;
                            a1 = a3;
                            a2 = na0;
                            a3 = na1;
                            b0 = b2;
                            b1 = b3;
                            b2 = nb0;
                            b3 = nb1;
                            s = s.lanewise(VectorOperators.ROR, 8);
                            t = t.lanewise(VectorOperators.ROR, 8);
                        }
                    }
                    FloatVector sa = a0.add(a1).add(a2.add(a3));
                    FloatVector sbv = b0.add(b1).add(b2.add(b3));
                    // epilogueQ4K's operations, per block
                    FloatVector cbv = FloatVector.broadcast(WIDE_FLOATS, cb[b] * 0x1p-11f);
                    FloatVector dav = FloatVector.broadcast(WIDE_FLOATS, da[b] * 2048f);
                    FloatVector scA = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector mA = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector dA = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dminA = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    totalA = totalA.add(dA.mul(scA).mul(sa).sub(dminA.mul(mA).mul(cbv)).mul(dav));
                    FloatVector scB = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + distance + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector mB = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + distance + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                    FloatVector dB = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + distance + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dminB = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + distance + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    totalB = totalB.add(dB.mul(scB).mul(sbv).sub(dminB.mul(mB).mul(cbv)).mul(dav));
                }
                totalA.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                totalB.intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /** Running totals of {@link #superQ4Kx2} (two panels' lanes), and its byte lanes where no 32-bit byte species exists. */
    private static final ThreadLocal<float[]> Q4K_TOTALS = ThreadLocal.withInitial(() -> new float[2 * PANEL_LANES]);
    private static final ThreadLocal<float[]> Q4K_LANES = ThreadLocal.withInitial(() -> new float[2 * PANEL_LANES]);
    /** Eight blocks' sums for two panels ({@link #sumsQ4Kx2}). */
    private static final ThreadLocal<float[]> Q4K_SUMS = ThreadLocal.withInitial(() -> new float[16 * PANEL_LANES]);

    /** Super-block {@code sb} (its first block {@code first}) of a panel and of the panel {@code distance} bytes on. */
    private static void superQ4Kx2(MemorySegment p, long sb, long distance, int h, int first, float[] xs, float[] da,
                                   float[] cb, float[] ct, float[] tot, float[] sums) {
        sumsQ4Kx2(p, sb, distance, h, first, xs, ct, sums);
        epilogueQ4K(p, sb, h, first, da, cb, sums, 0, tot, 0);
        epilogueQ4K(p, sb + distance, h, first, da, cb, sums, PANEL_LANES, tot, PANEL_LANES);
    }

    /** Block sums S - ct[b] of the eight blocks of super-block pair (sb, sb + distance): sums[32b' + 16s + lane]. */
    private static void sumsQ4Kx2(MemorySegment p, long sb, long distance, int h, int first, float[] xs, float[] ct,
                                  float[] sums) {
        int[] c = PANEL_MASKS; // loaded, not literals: see expQ4_0x2
        IntVector ma = IntVector.broadcast(WIDE_INTS, c[0]), mb = IntVector.broadcast(WIDE_INTS, c[1]);
        IntVector one = IntVector.broadcast(WIDE_INTS, c[2]);
        for (int b = first; b < first + 8; b++) {
            long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b - first);
            long o = ob + 4L * h;
            // a0 and b0 start at -ct[b]: the partial sums stay exact (multiples of 2^-11 below 2^13)
            FloatVector a0 = FloatVector.broadcast(WIDE_FLOATS, -ct[b]);
            FloatVector b0 = a0, zero = FloatVector.zero(WIDE_FLOATS);
            FloatVector a1 = zero, a2 = zero, a3 = zero, b1 = zero, b2 = zero, b3 = zero;
            int e = 32 * b * XS_LANES;
            for (int j = 0; j < 4; j++) {
                IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                IntVector w = IntVector.fromMemorySegment(WIDE_INTS, p, o + distance + 64L * j, LE);
                // four steps of two levels, as in expQ4_0x2 (written once to keep the method within C2's parse budget)
                IntVector s = v.lanewise(VectorOperators.ROL, 12), t = w.lanewise(VectorOperators.ROL, 12);
                for (int m = 0; m < 4; m++, e += 2 * XS_LANES) {
                    FloatVector x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e]) : FloatVector.fromArray(WIDE_FLOATS, xs, e);
                    FloatVector na0 = PANEL_FMA ? s.and(ma).or(one).reinterpretAsFloats().fma(x, a0) : a0.add(s.and(ma).or(one).reinterpretAsFloats().mul(x));
                    FloatVector nb0 = PANEL_FMA ? t.and(ma).or(one).reinterpretAsFloats().fma(x, b0) : b0.add(t.and(ma).or(one).reinterpretAsFloats().mul(x));
                    x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + XS_LANES);
                    FloatVector na1 = PANEL_FMA ? s.and(mb).or(one).reinterpretAsFloats().fma(x, a1) : a1.add(s.and(mb).or(one).reinterpretAsFloats().mul(x));
                    FloatVector nb1 = PANEL_FMA ? t.and(mb).or(one).reinterpretAsFloats().fma(x, b1) : b1.add(t.and(mb).or(one).reinterpretAsFloats().mul(x));
                    a0 = a2;
                    a1 = a3;
                    a2 = na0;
                    a3 = na1;
                    b0 = b2;
                    b1 = b3;
                    b2 = nb0;
                    b3 = nb1;
                    s = s.lanewise(VectorOperators.ROR, 8);
                    t = t.lanewise(VectorOperators.ROR, 8);
                }
            }
            a0.add(a1).add(a2.add(a3)).intoArray(sums, 2 * PANEL_LANES * (b - first));
            b0.add(b1).add(b2.add(b3)).intoArray(sums, 2 * PANEL_LANES * (b - first) + PANEL_LANES);
        }
    }

    /**
     * The specification's epilogue of the eight blocks of super-block {@code sb} whose sums {@link #sumsQ4Kx2} left in
     * {@code sums} (from {@code sOff}, every 2·PANEL_LANES), added to the running total in {@code tot} at {@code tOff}.
     */
    private static void epilogueQ4K(MemorySegment p, long sb, int h, int first, float[] da, float[] cb, float[] sums,
                                    int sOff, float[] tot, int tOff) {
        float[] lanes = PANEL_BYTES == null ? Q4K_LANES.get() : null;
        FloatVector total = FloatVector.fromArray(WIDE_FLOATS, tot, tOff);
        FloatVector d = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
        FloatVector dmin = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
        for (int b = first; b < first + 8; b++) {
            long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b - first);
            FloatVector sum = FloatVector.fromArray(WIDE_FLOATS, sums, 2 * PANEL_LANES * (b - first) + sOff);
            FloatVector sc;
            FloatVector m;
            if (PANEL_BYTES != null) {
                sc = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                m = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE).convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
            } else { // 4 lanes: no 32-bit byte species
                for (int l = 0; l < PANEL_LANES; l++) {
                    lanes[l] = p.get(ValueLayout.JAVA_BYTE, ob + 256 + h + l);
                    lanes[PANEL_LANES + l] = p.get(ValueLayout.JAVA_BYTE, ob + 272 + h + l);
                }
                sc = FloatVector.fromArray(WIDE_FLOATS, lanes, 0);
                m = FloatVector.fromArray(WIDE_FLOATS, lanes, PANEL_LANES);
            }
            // (scale·(S - ct)·2^11 - min·cb)·da as (scale·(S - ct) - min·(cb·2^-11))·(da·2^11): every product and
            // difference is the specification's scaled by a power of two, so the same roundings
            FloatVector scale = d.mul(sc);
            FloatVector min = dmin.mul(m);
            total = total.add(scale.mul(sum).sub(min.mul(cb[b] * 0x1p-11f)).mul(da[b] * 2048f));
        }
        total.intoArray(tot, tOff);
    }

    /** acc + level·x for an exponent level (the f32 bits in {@code bits}): exact, so FMA or not gives the same. */
    private static FloatVector emadd(IntVector bits, float[] xs, int i, FloatVector acc) {
        FloatVector f = bits.reinterpretAsFloats();
        FloatVector xv = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[i]) : FloatVector.fromArray(WIDE_FLOATS, xs, i);
        return PANEL_FMA ? f.fma(xv, acc) : acc.add(f.mul(xv));
    }

    /** Q4_K's compact panels: 6-bit scales and mins as bytes, the super-block's d and dmin as f32 (see Q4Panels). */
    private static void panelsQ4K(int from, int to, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                  float[] cb, MemorySegment y, long yOff) {
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q4K_SUPER;
        float[] lanes = PANEL_BYTES == null ? new float[2 * PANEL_LANES] : null;
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int first = 0; first < blocks; first += 8) {
                    long sb = panel + (long) (first >> 3) * Q4Panels.Q4K_SUPER;
                    FloatVector d = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_D + 4L * h, LE);
                    FloatVector dmin = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q4K_DMIN + 4L * h, LE);
                    for (int b = first; b < first + 8; b++) {
                        long ob = sb + Q4Panels.Q4K_BLOCKS + 288L * (b - first);
                        long o = ob + 4L * h;
                        FloatVector acc0 = FloatVector.zero(WIDE_FLOATS);
                        FloatVector acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
                        int e = 32 * b * XS_LANES;
                        for (int j = 0; j < 4; j++, e += 8 * XS_LANES) {
                            IntVector lo = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                            IntVector hi = lo.lanewise(VectorOperators.LSHR, 16);
                            acc0 = madd(lo, 0xf, xs, e, acc0);
                            acc1 = madd(lo, 0xf0, xs, e + XS_LANES, acc1);
                            acc2 = madd(lo, 0xf00, xs, e + 2 * XS_LANES, acc2);
                            acc3 = madd(lo, 0xf000, xs, e + 3 * XS_LANES, acc3);
                            acc4 = madd(hi, 0xf, xs, e + 4 * XS_LANES, acc4);
                            acc5 = madd(hi, 0xf0, xs, e + 5 * XS_LANES, acc5);
                            acc6 = madd(hi, 0xf00, xs, e + 6 * XS_LANES, acc6);
                            acc7 = madd(hi, 0xf000, xs, e + 7 * XS_LANES, acc7);
                        }
                        FloatVector s = acc0.add(acc1).add(acc2.add(acc3)).add(acc4.add(acc5).add(acc6.add(acc7)));
                        FloatVector sc;
                        FloatVector m;
                        if (PANEL_BYTES != null) {
                            sc = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 256 + h, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                            m = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 272 + h, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                        } else { // 4 lanes: no 32-bit byte species
                            for (int l = 0; l < PANEL_LANES; l++) {
                                lanes[l] = p.get(ValueLayout.JAVA_BYTE, ob + 256 + h + l);
                                lanes[PANEL_LANES + l] = p.get(ValueLayout.JAVA_BYTE, ob + 272 + h + l);
                            }
                            sc = FloatVector.fromArray(WIDE_FLOATS, lanes, 0);
                            m = FloatVector.fromArray(WIDE_FLOATS, lanes, PANEL_LANES);
                        }
                        FloatVector scale = d.mul(sc);
                        FloatVector min = dmin.mul(m);
                        total = total.add(scale.mul(s).sub(min.mul(cb[b])).mul(da[b]));
                    }
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /**
     * Q8_0 panels (Q4Panels.Q8_BLOCK): level k of a plane's int shifted into the top byte and arithmetically back
     * (sign-extended), converted and multiply-added with q_a in four chains; Σ q·q_a per block is an integer below
     * 2^20, exact in f32 whatever the order (and with or without FMA). The epilogue is dotQ8_0Q8_0's
     * {@code sumf += sumi·(d·d_a)}, the f16 d widened as Q4_0's (see halves): bit-identical results.
     */
    private static void panelsQ8(int from, int to, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                 MemorySegment y, long yOff) {
        int bb = Q4Panels.Q8_BLOCK;
        int[] c = PANEL_MASKS; // loaded, not a literal: see expQ4_0x2
        IntVector halfBits = IntVector.broadcast(WIDE_INTS, c[3]);
        for (int g = from; g < to; g++) {
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + 4L * h;
                    FloatVector acc0 = FloatVector.zero(WIDE_FLOATS);
                    FloatVector acc1 = acc0, acc2 = acc0, acc3 = acc0;
                    int e = 32 * b * XS_LANES;
                    for (int j = 0; j < 8; j++, e += 4 * XS_LANES) {
                        IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                        acc0 = q8madd(v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24), xs, e, acc0);
                        acc1 = q8madd(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24), xs, e + XS_LANES, acc1);
                        acc2 = q8madd(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24), xs, e + 2 * XS_LANES, acc2);
                        acc3 = q8madd(v.lanewise(VectorOperators.ASHR, 24), xs, e + 3 * XS_LANES, acc3);
                    }
                    FloatVector s = acc0.add(acc1).add(acc2.add(acc3));
                    FloatVector d = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, panel + (long) b * bb + 512 + 2L * h, LE)
                            .convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(0x1p112f); // the f16 d
                    total = total.add(s.mul(d.mul(da[b])));
                }
                total.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
            }
        }
    }

    /** panelsQ8 over panel pairs (from + i, from + half + i), i &lt; half: two memory streams, the same operations per panel. */
    private static void panelsQ8x2(int from, int count, int half, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                   MemorySegment y, long yOff) {
        int bb = Q4Panels.Q8_BLOCK;
        int[] c = PANEL_MASKS;
        IntVector halfBits = IntVector.broadcast(WIDE_INTS, c[3]);
        FloatVector halfScale = FloatVector.broadcast(WIDE_FLOATS, 0x1p112f);
        long distance = (long) half * blocks * bb;
        for (int i = 0; i < count; i++) {
            int g = from + i;
            long panel = pOff + (long) g * blocks * bb;
            for (int h = 0; h < Q4Panels.ROWS; h += PANEL_LANES) {
                FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
                FloatVector totalB = totalA;
                for (int b = 0; b < blocks; b++) {
                    long o = panel + (long) b * bb + 4L * h;
                    FloatVector a0 = FloatVector.zero(WIDE_FLOATS);
                    FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                    int e = 32 * b * XS_LANES;
                    for (int j = 0; j < 8; j++, e += 4 * XS_LANES) {
                        IntVector v = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                        IntVector w = IntVector.fromMemorySegment(WIDE_INTS, p, o + distance + 64L * j, LE);
                        FloatVector x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e]) : FloatVector.fromArray(WIDE_FLOATS, xs, e);
                        a0 = q8fma(v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24), x, a0);
                        b0 = q8fma(w.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24), x, b0);
                        x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + XS_LANES);
                        a1 = q8fma(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24), x, a1);
                        b1 = q8fma(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24), x, b1);
                        x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + 2 * XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + 2 * XS_LANES);
                        a2 = q8fma(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24), x, a2);
                        b2 = q8fma(w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24), x, b2);
                        x = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[e + 3 * XS_LANES]) : FloatVector.fromArray(WIDE_FLOATS, xs, e + 3 * XS_LANES);
                        a3 = q8fma(v.lanewise(VectorOperators.ASHR, 24), x, a3);
                        b3 = q8fma(w.lanewise(VectorOperators.ASHR, 24), x, b3);
                    }
                    FloatVector dav = FloatVector.broadcast(WIDE_FLOATS, da[b]);
                    long so = panel + (long) b * bb + 512 + 2L * h;
                    FloatVector dA = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);
                    FloatVector dB = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, so + distance, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(halfBits).reinterpretAsFloats().mul(halfScale);
                    totalA = totalA.add(a0.add(a1).add(a2.add(a3)).mul(dA.mul(dav)));
                    totalB = totalB.add(b0.add(b1).add(b2.add(b3)).mul(dB.mul(dav)));
                }
                totalA.intoMemorySegment(y, (yOff + 16L * g + h) * 4, LE);
                totalB.intoMemorySegment(y, (yOff + 16L * (g + half) + h) * 4, LE);
            }
        }
    }

    /** acc + level·x for an integer level (exact products and sums: FMA or not gives the same). */
    private static FloatVector q8fma(IntVector level, FloatVector x, FloatVector acc) {
        FloatVector f = (FloatVector) level.convert(VectorOperators.I2F, 0);
        return PANEL_FMA ? f.fma(x, acc) : acc.add(f.mul(x));
    }

    /** q8fma with value i of xs. */
    private static FloatVector q8madd(IntVector level, float[] xs, int i, FloatVector acc) {
        FloatVector xv = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[i]) : FloatVector.fromArray(WIDE_FLOATS, xs, i);
        return q8fma(level, xv, acc);
    }

    /** PANEL_LANES f16 values. */
    private static final VectorSpecies<Short> PANEL_HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(PANEL_LANES * 16));

    /*
     * halves: PANEL_LANES little-endian f16 at a byte offset as f32, exactly for finite values — sign-extended to int,
     * the exponent and mantissa shifted into f32's fields (the sign lands in bit 31; its copies in bits 28-30 are
     * cleared), then scaled by 2^112 to move the exponent bias from 15 to 127 (subnormal halves become normal floats).
     * Written out at each use: as a method C2 left it out of line and boxed its result (twice per block).
     */

    /** Bytes of PANEL_LANES scales (null at 128 bits: there is no 32-bit byte species). */
    private static final VectorSpecies<Byte> PANEL_BYTES =
            PANEL_LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(PANEL_LANES * 8)) : null;

    /** panelsQ6's constants: the low nibbles' mask, then the four 6-bit byte fields (from an array: see PANEL_MASKS). */
    private static final int[] Q6_MASKS = {0x0f0f0f0f, 0x3f, 0x3f00, 0x3f0000, 0x3f000000};

    /**
     * Q6_K panels. Per plane h = 0, 1 the kernel first joins each element's low four bits and high two bits into one
     * byte: low-nibble plane h with the high plane's bits 0-1 (the block's first half), plane h + 2 with bits 2-3 (its
     * second half), even nibbles k = 2i and odd ones apart, so byte i of a joined vector holds the 6-bit level of
     * element 8h + k in its bits 0-5 (one bitwise blend each: the high plane is shifted so those bits land at 4-5, the
     * byte's bits 6-7 are never read). Level i of a joined vector is then masked in place, worth q·2^8i, converted and
     * multiply-added with q_a·2^-8i (the activation's weights for Q6_K, {@link Q4Panels#prepare}): 32 multiply-adds a
     * block, half of what separate low and high planes took, into eight chains (byte i of each half). Every partial sum is
     * an integer below 2^24, so the half sums are exact and the epilogue repeats the specification's float operations
     * (bit-identical results; FMA is exact here, so it is used whatever this instance's flag). No helper methods: C2
     * boxed the vectors of a helper it did not inline. C2's parse of this method passes its 18,000-node inlining cutoff
     * at the epilogue (as the separate-planes kernel's did); splitting it into a sums method and an epilogue method,
     * as Q4_K's, ran at half the speed (the loops were not unrolled and each block's first load stalled: BENCHMARKS.md
     * session 16), so it stays one method.
     */
    private static void panelsQ6(int from, int to, int blocks, MemorySegment p, long pOff, float[] xs, float[] da,
                                 float[] cb, MemorySegment y, long yOff) {
        long panelBytes = (long) (blocks / 8) * Q4Panels.Q6K_SUPER;
        float[] lanes = PANEL_BYTES == null ? new float[2 * PANEL_LANES] : null;
        int[] c = Q6_MASKS;
        IntVector nib = IntVector.broadcast(WIDE_INTS, c[0]);
        IntVector m0 = IntVector.broadcast(WIDE_INTS, c[1]), m1 = IntVector.broadcast(WIDE_INTS, c[2]);
        IntVector m2 = IntVector.broadcast(WIDE_INTS, c[3]), m3 = IntVector.broadcast(WIDE_INTS, c[4]);
        int x1 = XS_LANES, x2 = 2 * XS_LANES, x3 = 3 * XS_LANES, x4 = 4 * XS_LANES, x5 = 5 * XS_LANES, x6 = 6 * XS_LANES, x7 = 7 * XS_LANES;
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int hr = 0; hr < Q4Panels.ROWS; hr += PANEL_LANES) {
                FloatVector total = FloatVector.zero(WIDE_FLOATS);
                for (int first = 0; first < blocks; first += 8) {
                    long sb = panel + (long) (first >> 3) * Q4Panels.Q6K_SUPER;
                    FloatVector d = FloatVector.fromMemorySegment(WIDE_FLOATS, p, sb + Q4Panels.Q6K_D + 4L * hr, LE);
                    for (int b = first; b < first + 8; b++) {
                        long ob = sb + Q4Panels.Q6K_BLOCKS + 416L * (b - first);
                        long o = ob + 4L * hr;
                        FloatVector a0 = FloatVector.zero(WIDE_FLOATS);
                        FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                        for (int h = 0; h < 2; h++) {
                            IntVector hv = IntVector.fromMemorySegment(WIDE_INTS, p, o + 256 + 64L * h, LE);
                            IntVector la = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * h, LE);
                            IntVector lb = IntVector.fromMemorySegment(WIDE_INTS, p, o + 128 + 64L * h, LE);
                            int ea = (32 * b + 8 * h) * XS_LANES;
                            int eb = ea + 16 * XS_LANES;
                            // first half, even then odd k: blend(high bits moved to 4-5, low nibbles) per byte
                            IntVector v = hv.lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.BITWISE_BLEND, la, nib);
                            a0 = ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea), a0);
                            a1 = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x2]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x2), a1);
                            a2 = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x4]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x4), a2);
                            a3 = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x6]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x6), a3);
                            v = hv.lanewise(VectorOperators.BITWISE_BLEND, la.lanewise(VectorOperators.LSHR, 4), nib);
                            a0 = ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x1]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x1), a0);
                            a1 = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x3]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x3), a1);
                            a2 = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x5]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x5), a2);
                            a3 = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[ea + x7]) : FloatVector.fromArray(WIDE_FLOATS, xs, ea + x7), a3);
                            // second half: the high plane's bits 2-3 of each nibble
                            v = hv.lanewise(VectorOperators.LSHL, 2).lanewise(VectorOperators.BITWISE_BLEND, lb, nib);
                            b0 = ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb), b0);
                            b1 = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x2]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x2), b1);
                            b2 = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x4]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x4), b2);
                            b3 = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x6]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x6), b3);
                            v = hv.lanewise(VectorOperators.LSHR, 2).lanewise(VectorOperators.BITWISE_BLEND, lb.lanewise(VectorOperators.LSHR, 4), nib);
                            b0 = ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x1]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x1), b0);
                            b1 = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x3]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x3), b1);
                            b2 = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x5]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x5), b2);
                            b3 = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0)).fma(XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[eb + x7]) : FloatVector.fromArray(WIDE_FLOATS, xs, eb + x7), b3);
                        }
                        FloatVector sA = a0.add(a1).add(a2.add(a3));
                        FloatVector sB = b0.add(b1).add(b2.add(b3));
                        FloatVector scA;
                        FloatVector scB;
                        if (PANEL_BYTES != null) {
                            scA = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 384 + hr, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                            scB = (FloatVector) ByteVector.fromMemorySegment(PANEL_BYTES, p, ob + 400 + hr, LE)
                                    .convertShape(VectorOperators.B2F, WIDE_FLOATS, 0);
                        } else { // 4 lanes: no 32-bit byte species
                            for (int l = 0; l < PANEL_LANES; l++) {
                                lanes[l] = p.get(ValueLayout.JAVA_BYTE, ob + 384 + hr + l);
                                lanes[PANEL_LANES + l] = p.get(ValueLayout.JAVA_BYTE, ob + 400 + hr + l);
                            }
                            scA = FloatVector.fromArray(WIDE_FLOATS, lanes, 0);
                            scB = FloatVector.fromArray(WIDE_FLOATS, lanes, PANEL_LANES);
                        }
                        FloatVector scaleA = d.mul(scA);
                        FloatVector scaleB = d.mul(scB);
                        total = total.add(scaleA.mul(sA).sub(scaleA.mul(cb[2 * b])).add(scaleB.mul(sB).sub(scaleB.mul(cb[2 * b + 1]))).mul(da[b]));
                    }
                }
                total.intoMemorySegment(y, (yOff + 16L * g + hr) * 4, LE);
            }
        }
    }

    /**
     * At 256 bits a panel's 16 rows are two vectors: both in one pass over the panel, so each activation load feeds
     * both and each cache line of the panel is used whole when it arrives (the two-pass loop streamed every line twice
     * and ran slower than the row dots from DRAM on the AVX2 machine); four accumulators per half, two FMAs deep per
     * plane. {@code minnow.panels.onePass=false} restores the generic loop.
     */
    private static final boolean ONE_PASS = !"false".equals(System.getProperty("minnow.panels.onePass"));

    private static void panels256(int from, int to, int blocks, int bb, MemorySegment p, long pOff,
                                  float[] xs, float[] da, float[] cb, MemorySegment y, long yOff) {
        for (int g = from; g < to; g++) {
            long panel = pOff + (long) g * blocks * bb;
            FloatVector totalA = FloatVector.zero(WIDE_FLOATS);
            FloatVector totalB = totalA;
            for (int b = 0; b < blocks; b++) {
                long o = panel + (long) b * bb;
                FloatVector a0 = FloatVector.zero(WIDE_FLOATS);
                FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int e = 32 * b * XS_LANES;
                for (int j = 0; j < 4; j++, e += 8 * XS_LANES) {
                    IntVector la = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j, LE);
                    IntVector lb = IntVector.fromMemorySegment(WIDE_INTS, p, o + 64L * j + 32, LE);
                    FloatVector x = FloatVector.fromArray(WIDE_FLOATS, xs, e);
                    a0 = ((FloatVector) la.and(0xf).convert(VectorOperators.I2F, 0)).fma(x, a0);
                    b0 = ((FloatVector) lb.and(0xf).convert(VectorOperators.I2F, 0)).fma(x, b0);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + XS_LANES);
                    a1 = ((FloatVector) la.and(0xf0).convert(VectorOperators.I2F, 0)).fma(x, a1);
                    b1 = ((FloatVector) lb.and(0xf0).convert(VectorOperators.I2F, 0)).fma(x, b1);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 2 * XS_LANES);
                    a2 = ((FloatVector) la.and(0xf00).convert(VectorOperators.I2F, 0)).fma(x, a2);
                    b2 = ((FloatVector) lb.and(0xf00).convert(VectorOperators.I2F, 0)).fma(x, b2);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 3 * XS_LANES);
                    a3 = ((FloatVector) la.and(0xf000).convert(VectorOperators.I2F, 0)).fma(x, a3);
                    b3 = ((FloatVector) lb.and(0xf000).convert(VectorOperators.I2F, 0)).fma(x, b3);
                    IntVector ha = la.lanewise(VectorOperators.LSHR, 16);
                    IntVector hb = lb.lanewise(VectorOperators.LSHR, 16);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 4 * XS_LANES);
                    a0 = ((FloatVector) ha.and(0xf).convert(VectorOperators.I2F, 0)).fma(x, a0);
                    b0 = ((FloatVector) hb.and(0xf).convert(VectorOperators.I2F, 0)).fma(x, b0);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 5 * XS_LANES);
                    a1 = ((FloatVector) ha.and(0xf0).convert(VectorOperators.I2F, 0)).fma(x, a1);
                    b1 = ((FloatVector) hb.and(0xf0).convert(VectorOperators.I2F, 0)).fma(x, b1);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 6 * XS_LANES);
                    a2 = ((FloatVector) ha.and(0xf00).convert(VectorOperators.I2F, 0)).fma(x, a2);
                    b2 = ((FloatVector) hb.and(0xf00).convert(VectorOperators.I2F, 0)).fma(x, b2);
                    x = FloatVector.fromArray(WIDE_FLOATS, xs, e + 7 * XS_LANES);
                    a3 = ((FloatVector) ha.and(0xf000).convert(VectorOperators.I2F, 0)).fma(x, a3);
                    b3 = ((FloatVector) hb.and(0xf000).convert(VectorOperators.I2F, 0)).fma(x, b3);
                }
                FloatVector sa = a0.add(a1).add(a2.add(a3));
                FloatVector sb = b0.add(b1).add(b2.add(b3));
                FloatVector scaleA = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, o + 256, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);  // f16 (see halves)
                FloatVector scaleB = ((IntVector) ShortVector.fromMemorySegment(PANEL_HALVES, p, o + 272, LE).convertShape(VectorOperators.S2I, WIDE_INTS, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                totalA = totalA.add(scaleA.mul(sa).sub(scaleA.mul(cb[b])).mul(da[b]));
                totalB = totalB.add(scaleB.mul(sb).sub(scaleB.mul(cb[b])).mul(da[b]));
            }
            totalA.intoMemorySegment(y, (yOff + 16L * g) * 4, LE);
            totalB.intoMemorySegment(y, (yOff + 16L * g + 8) * 4, LE);
        }
    }

    /**
     * How the panel kernel reads the activation ({@code minnow.panels.xs}): one float broadcast per use
     * ({@code scalar}, the default at 512 bits: on the AVX-512 Xeon a broadcast from memory costs no ALU port,
     * 18.8–20.3 G weights/s on one core against 16.0–16.4 for pre-broadcast rows) or pre-broadcast rows, a whole
     * vector load per value ({@code wide}, the default below 512 bits, where a broadcast costs a shuffle).
     */
    private static final boolean XS_SCALAR = "scalar".equals(System.getProperty("minnow.panels.xs", BITS >= 512 ? "scalar" : "wide"));
    private static final int XS_LANES = XS_SCALAR ? 1 : PANEL_LANES;

    @Override
    public int panelLanes() {
        return XS_LANES;
    }

    /**
     * Whether the panel kernel multiply-adds with FMA: a constant (the CPU's), not this instance's flag — a
     * run-time choice between two vector expressions made C2 box the accumulators (a merge of vector values
     * it could not keep in registers: 2× slower); the results are the same either way.
     */
    private static final boolean PANEL_FMA = dev.minnow.kernels.KernelProvider.cpuHasFma();

    /** acc + float(v)·x: exact here (integer-valued products and sums below 2^24), so FMA or not gives the same. */
    private static FloatVector madd(IntVector v, int mask, float[] xs, int i, FloatVector acc) {
        FloatVector f = (FloatVector) v.and(mask).convert(VectorOperators.I2F, 0);
        FloatVector xv = XS_SCALAR ? FloatVector.broadcast(WIDE_FLOATS, xs[i]) : FloatVector.fromArray(WIDE_FLOATS, xs, i);
        return PANEL_FMA ? f.fma(xv, acc) : acc.add(f.mul(xv));
    }
}
