package dev.minnow.kernels.vector;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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

    private static ShortVector widenWide(MemorySegment seg, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(WIDE_BYTES, seg, off, LE).convertShape(VectorOperators.B2S, WIDE_SHORTS, 0);
    }

    private static ShortVector widenNarrow(MemorySegment seg, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(NARROW_BYTES, seg, off, LE).convertShape(VectorOperators.B2S, NARROW_SHORTS, 0);
    }

    private static ShortVector widenNarrow(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, NARROW_SHORTS, 0);
    }

    /** Adds neighbouring short lanes into int lanes (pmaddwd's add step). */
    private static IntVector pairSum(ShortVector p) {
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
            IntVector sumi = pairSum(p);
            for (int c = WIDE_LANES; c < 32; c += WIDE_LANES) {
                sumi = sumi.add(pairSum(widenWide(w, x + 2 + c).mul(widenWide(a, y + 2 + c))));
            }
            acc = scaleAddWide(sumi, half(w, x) * half(a, y), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
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
                sumi = sumi.add(pairSum(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
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
                sumi = sumi.add(pairSum(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
            mins += half(w, x + 2) * half(a, y + 2);
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
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
                sumi = sumi.add(pairSum(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dotQ4_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ4_KQ8_K");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 144L * i;
            long y = aOff + 292L * i;
            unpackK4Scales(w.get(I32, x + 4), w.get(I32, x + 8), w.get(I32, x + 12), sc, mn);
            int sumMins = 0;
            for (int j = 0; j < 16; j++) {
                sumMins += a.get(S16, y + 260 + 2L * j) * mn[j >> 1];
            }
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 4; c++) {
                long q = x + 16 + 32L * c;
                long q8 = y + 4 + 64L * c;
                ShortVector pLo = ShortVector.zero(NARROW_SHORTS);
                ShortVector pHi = ShortVector.zero(NARROW_SHORTS);
                for (int l = 0; l < 32; l += NARROW_LANES) {
                    ByteVector v = ByteVector.fromMemorySegment(NARROW_BYTES, w, q + l, LE);
                    // ≤ 32 · 15 · 128 / (lanes/2 per pair) stays inside 16 bits per lane
                    pLo = pLo.add(widenNarrow(v.and((byte) 0x0f)).mul(widenNarrow(a, q8 + l)));
                    pHi = pHi.add(widenNarrow(v.lanewise(VectorOperators.LSHR, 4)).mul(widenNarrow(a, q8 + 32 + l)));
                }
                block = block.add(pairSum(pLo).mul(sc[2 * c])).add(pairSum(pHi).mul(sc[2 * c + 1]));
            }
            float dy = a.get(F32, y);
            acc = scaleAddNarrow(block, half(w, x) * dy, acc);
            mins -= half(w, x + 2) * dy * sumMins;
        }
        return mins + acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dotQ5_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ5_KQ8_K");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 176L * i;
            long y = aOff + 292L * i;
            unpackK4Scales(w.get(I32, x + 4), w.get(I32, x + 8), w.get(I32, x + 12), sc, mn);
            int sumMins = 0;
            for (int j = 0; j < 16; j++) {
                sumMins += a.get(S16, y + 260 + 2L * j) * mn[j >> 1];
            }
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int c = 0; c < 4; c++) {
                block = block.add(q5Pair(w, x, a, y, c, sc[2 * c], sc[2 * c + 1]));
            }
            float dy = a.get(F32, y);
            acc = scaleAddNarrow(block, half(w, x) * dy, acc);
            mins -= half(w, x + 2) * dy * sumMins;
        }
        return mins + acc.reduceLanes(VectorOperators.ADD);
    }

    /** Groups 2c (low nibbles + qh bit 2c) and 2c+1 (high nibbles + qh bit 2c+1) of a Q5_K block, scaled. */
    private static IntVector q5Pair(MemorySegment w, long x, MemorySegment a, long y, int c, int sc0, int sc1) {
        long q = x + 48 + 32L * c;
        long q8 = y + 4 + 64L * c;
        ShortVector pLo = ShortVector.zero(NARROW_SHORTS);
        ShortVector pHi = pLo;
        for (int l = 0; l < 32; l += NARROW_LANES) {
            ByteVector v = ByteVector.fromMemorySegment(NARROW_BYTES, w, q + l, LE);
            // the fifth bits in 16-bit lanes (run-time shift count)
            ShortVector h = widenNarrow(w, x + 16 + l).lanewise(VectorOperators.LSHR, 2 * c);
            ShortVector lo = widenNarrow(v.and((byte) 0x0f)).or(h.and((short) 1).lanewise(VectorOperators.LSHL, 4));
            ShortVector hi = widenNarrow(v.lanewise(VectorOperators.LSHR, 4)).or(h.and((short) 2).lanewise(VectorOperators.LSHL, 3));
            // ≤ 31 · 128 per product, at most four chunks per lane: inside 16 bits
            pLo = pLo.add(lo.mul(widenNarrow(a, q8 + l)));
            pHi = pHi.add(hi.mul(widenNarrow(a, q8 + 32 + l)));
        }
        return pairSum(pLo).mul(sc0).add(pairSum(pHi).mul(sc1));
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
                sumi = sumi.add(pairSum(p));
            }
            acc = scaleAddNarrow(sumi, half(w, x) * half(a, y), acc);
            mins += half(w, x + 2) * half(a, y + 2);
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
    }

    @Override
    public float dotQ2_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ2_KQ8_K");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        float mins = 0;
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 84L * i;
            long y = aOff + 292L * i;
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += a.get(S16, y + 260 + 2L * j) * (u8(w, x + j) >>> 4);
            }
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int g = 0; g < 8; g++) {
                block = block.add(lowBitsPair(w, x, a, y, g, false));
            }
            float dy = a.get(F32, y);
            acc = scaleAddNarrow(block, dy * half(w, x + 80), acc);
            mins -= dy * half(w, x + 82) * summs;
        }
        return mins + acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dotQ3_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ3_KQ8_K");
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 110L * i;
            long y = aOff + 292L * i;
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int g = 0; g < 8; g++) {
                block = block.add(lowBitsPair(w, x, a, y, g, true));
            }
            acc = scaleAddNarrow(block, half(w, x + 108) * a.get(F32, y), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q2_K / Q3_K: the two 16-element groups 2g and 2g+1 (g = 4k + j) that take bits 2j..2j+1 of the 32 qs bytes of
     * 128-half k; Q3_K subtracts 4 where its hmask bit (bit 4k + j of hmask[l]) is clear and uses signed 6-bit
     * scales, Q2_K uses the low nibble of its scale bytes.
     */
    private static IntVector lowBitsPair(MemorySegment w, long x, MemorySegment a, long y, int g, boolean q3) {
        int k = g >> 2;
        int j = g & 3;
        long q = x + (q3 ? 32 : 16) + 32L * k;
        long q8 = y + 4 + 128L * k + 32L * j;
        ShortVector p0 = ShortVector.zero(NARROW_SHORTS);
        ShortVector p1 = p0;
        for (int l = 0; l < 16; l += NARROW_LANES) {
            // in 16-bit lanes: the shift count is known only at run time, which x86 supports natively only there
            ShortVector v0 = widenNarrow(w, q + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
            ShortVector v1 = widenNarrow(w, q + 16 + l).lanewise(VectorOperators.LSHR, 2 * j).and((short) 3);
            if (q3) {
                int bit = 4 * k + j;
                ShortVector h0 = widenNarrow(w, x + l).lanewise(VectorOperators.LSHR, bit).and((short) 1);
                ShortVector h1 = widenNarrow(w, x + 16 + l).lanewise(VectorOperators.LSHR, bit).and((short) 1);
                v0 = v0.sub((short) 4).add(h0.lanewise(VectorOperators.LSHL, 2));
                v1 = v1.sub((short) 4).add(h1.lanewise(VectorOperators.LSHL, 2));
            }
            p0 = p0.add(v0.mul(widenNarrow(a, q8 + l)));      // |q·q8| ≤ 512
            p1 = p1.add(v1.mul(widenNarrow(a, q8 + 16 + l)));
        }
        int s0;
        int s1;
        if (q3) {
            s0 = q3Scale(w, x + 96, 2 * g);
            s1 = q3Scale(w, x + 96, 2 * g + 1);
        } else {
            s0 = u8(w, x + 2 * g) & 0xf;
            s1 = u8(w, x + 2 * g + 1) & 0xf;
        }
        return pairSum(p0).mul(s0).add(pairSum(p1).mul(s1));
    }

    // ---- f32 activations (dequantize on the fly) ----

    private static final VectorSpecies<Float> F8 = VectorSpecies.of(float.class, VectorShape.S_256_BIT);
    private static final VectorSpecies<Byte> B8 = VectorSpecies.of(byte.class, VectorShape.S_64_BIT);

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
        checkBlocks(n, bs, "dotF32 " + type);
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
            return acc.reduceLanes(VectorOperators.ADD);
        }
        float[] block = new float[bs];
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(type, w, wOff + (long) type.bytesPerBlock() * b, block);
            long xo = (xOff + (long) bs * b) * 4;
            for (int j = 0; j < bs; j += 8) {
                acc = FloatVector.fromArray(F8, block, j).fma(FloatVector.fromMemorySegment(F8, x, xo + 4L * j, LE), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
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
        FloatVector acc = FloatVector.zero(NARROW_FLOATS);
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 210L * i;
            long y = aOff + 292L * i;
            IntVector block = IntVector.zero(NARROW_INTS);
            for (int g = 0; g < 16; g++) {
                block = block.add(q6Group(w, x, a, y, g));
            }
            acc = scaleAddNarrow(block, half(w, x + 208) * a.get(F32, y), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * scale·Σ level·q8 over 16-element group g = 8h + 2k + half of a Q6_K block. A method of its own: C2 stops
     * inlining (and so stops intrinsifying) Vector API calls once a method grows past its inlining budget, and
     * then every vector operation allocates.
     */
    private static IntVector q6Group(MemorySegment w, long x, MemorySegment a, long y, int g) {
        int h = g >> 3;
        int k = (g >> 1) & 3;
        int half = g & 1;
        long ql = x + 64L * h + 32L * (k & 1);
        long qh = x + 128 + 32L * h;
        long q8 = y + 4 + 128L * h + 32L * k;
        ShortVector p = ShortVector.zero(NARROW_SHORTS);
        int shift = 2 * k;
        for (int c = 16 * half; c < 16 * half + 16; c += NARROW_LANES) {
            // assembled in 16-bit lanes: x86 has no byte shifts, and a run-time shift count is native only there
            ShortVector lo = widenNarrow(w, ql + c);
            lo = k < 2 ? lo.and((short) 0x0f) : lo.lanewise(VectorOperators.LSHR, 4).and((short) 0x0f);
            ShortVector hi = widenNarrow(w, qh + c).lanewise(VectorOperators.LSHR, shift).and((short) 3)
                    .lanewise(VectorOperators.LSHL, 4);
            ShortVector v = lo.or(hi).sub((short) 32);
            p = p.add(v.mul(widenNarrow(a, q8 + c))); // |level·q8| ≤ 4096: two chunks fit 16 bits
        }
        return pairSum(p).mul(i8(w, x + 192 + g));
    }
}
