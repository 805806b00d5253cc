package dev.minnow.kernels.vector;

import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.scalar.ScalarSparseKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link ScalarSparseKernels}: the f16 dot and the f32/f16/Q8_0 row axpys. The drivers
 * ({@code gemvRows}, {@code axpyRows}) are inherited; they reach the dense vector kernels through the
 * {@link Kernels}/{@link QuantKernels} this instance is built with.
 *
 * <p>f16 → f32 in lanes: with {@code em} the half's exponent and mantissa bits, {@code float(em << 13)·2¹¹²} is the
 * exact value of every finite half (normal and subnormal: the multiply only moves the exponent), infinities and
 * NaNs get exponent 255 with the mantissa shifted as {@link Float#float16ToFloat} does, and the sign is or-ed in.
 * The axpys use a multiply and then an add per lane (no FMA), like the scalar code, so they are bit-identical to it;
 * the dot's lane sums are added in another order (within float reassociation).
 */
public final class VectorSparseKernels extends ScalarSparseKernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Width fixed at class initialization ({@code minnow.vectorBits}, else the preferred width), as in VectorQuantKernels. */
    public static final int BITS = configuredBits();

    private static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2));
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, BITS / 4)));
    private static final int L = FLOATS.length();
    /** The lane-sum shuffles ({@link VectorMath}): the float lane sum below folds instead of reduceLanes. */
    private static final VectorShuffle<Float>[] FOLDS = VectorMath.folds(FLOATS);
    private static final int BYTE_LANES = BYTES.length();
    private static final int PARTS = BYTE_LANES / L;

    private final boolean fma;

    /**
     * @param f32 dense f32 kernels (dots of f32 rows); @param quant quantized dots; @param fma fused multiply-add in
     *            the f16 dot's lane accumulation (only where the CPU has it)
     */
    public VectorSparseKernels(Kernels f32, QuantKernels quant, boolean fma) {
        super(f32, quant);
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

    @Override
    public float dotF16(int n, MemorySegment w, long wOff, MemorySegment x, long xOff) {
        FloatVector acc = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SHORTS, w, wOff + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, INTS, 0);
            IntVector em = h.and(0x7FFF);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector mag = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7C00);
            IntVector bits = mag.blend(shifted.or(0x7F800000), special).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            FloatVector wv = bits.reinterpretAsFloats();
            FloatVector xv = FloatVector.fromMemorySegment(FLOATS, x, 4L * (xOff + i), LE);
            acc = fma ? wv.fma(xv, acc) : acc.add(wv.mul(xv));
        }
        for (VectorShuffle<Float> f : FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        float sum = acc.lane(0);
        for (; i < n; i++) {
            sum += Float.float16ToFloat(w.get(S16, wOff + 2L * i)) * x.getAtIndex(F32, xOff + i);
        }
        return sum;
    }

    @Override
    public void axpyF32(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector wv = FloatVector.fromMemorySegment(FLOATS, w, wOff + 4L * i, LE);
            FloatVector yv = FloatVector.fromMemorySegment(FLOATS, y, 4L * (yOff + i), LE);
            yv.add(wv.mul(a)).intoMemorySegment(y, 4L * (yOff + i), LE);
        }
        for (; i < n; i++) {
            y.setAtIndex(F32, yOff + i, y.getAtIndex(F32, yOff + i) + a * w.get(F32, wOff + 4L * i));
        }
    }

    @Override
    public void axpyF16(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SHORTS, w, wOff + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, INTS, 0);
            IntVector em = h.and(0x7FFF);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector mag = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7C00);
            IntVector bits = mag.blend(shifted.or(0x7F800000), special).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            FloatVector wv = bits.reinterpretAsFloats();
            FloatVector yv = FloatVector.fromMemorySegment(FLOATS, y, 4L * (yOff + i), LE);
            yv.add(wv.mul(a)).intoMemorySegment(y, 4L * (yOff + i), LE);
        }
        for (; i < n; i++) {
            y.setAtIndex(F32, yOff + i, y.getAtIndex(F32, yOff + i) + a * Float.float16ToFloat(w.get(S16, wOff + 2L * i)));
        }
    }

    @Override
    public void axpyQ8_0(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        if (n < 0 || n % 32 != 0) {
            throw new IllegalArgumentException("axpyQ8_0: length " + n + " is not a multiple of the block size 32");
        }
        for (int b = 0; b < n / 32; b++) {
            long o = wOff + 34L * b;
            float ad = a * Float.float16ToFloat(w.get(S16, o));
            long yb = 4L * (yOff + 32L * b);
            for (int i = 0; i < 32; i += BYTE_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(BYTES, w, o + 2 + i, LE);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector qv = (FloatVector) q.convertShape(VectorOperators.B2F, FLOATS, p);
                    long yo = yb + 4L * (i + p * L);
                    FloatVector yv = FloatVector.fromMemorySegment(FLOATS, y, yo, LE);
                    yv.add(qv.mul(ad)).intoMemorySegment(y, yo, LE);
                }
            }
        }
    }

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    /**
     * A panel of a transposed Q8_0 matrix with vectors of at least 256 bits: its 64 (or 32) outputs accumulated in
     * eight (four) 8-lane registers over all the selected rows and stored once, instead of loading and storing y per
     * row. Per element the same product (q·(a·d)) and the same addition, in the same row order, starting from 0:
     * bit-identical to the specification. (The same blocking over rows in *row* layout measured 1.1 GB/s at 1 thread
     * for 30% of the rows: each row's piece is a cache line the prefetcher cannot predict; in panel layout the
     * selected pieces lie in ascending order within 68·N bytes.)
     */
    @Override
    protected void axpyPanel(int count, int[] rows, float[] coef, int blocks, long panelOff, MemorySegment w, MemorySegment y,
                             long yOff) {
        if (BITS < 256) {
            super.axpyPanel(count, rows, coef, blocks, panelOff, w, y, yOff);
        } else if (blocks == 2) {
            q8PairOfBlocks(count, rows, coef, 68, panelOff, w, y, 4L * yOff);
        } else {
            q8Block(count, rows, coef, 34, panelOff, w, y, 4L * yOff);
        }
    }

    private static void q8PairOfBlocks(int count, int[] rows, float[] coef, long rowBytes, long blockOff, MemorySegment w,
                                       MemorySegment y, long yAt) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int j = 0; j < count; j++) {
            long x = blockOff + rowBytes * rows[j];
            float d0 = coef[j] * Float.float16ToFloat(w.get(S16, x));
            float d1 = coef[j] * Float.float16ToFloat(w.get(S16, x + 34));
            a0 = a0.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 2, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a1 = a1.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 10, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a2 = a2.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 18, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a3 = a3.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 26, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a4 = a4.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 36, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d1));
            a5 = a5.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 44, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d1));
            a6 = a6.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 52, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d1));
            a7 = a7.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 60, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d1));
        }
        a0.intoMemorySegment(y, yAt, LE);
        a1.intoMemorySegment(y, yAt + 32, LE);
        a2.intoMemorySegment(y, yAt + 64, LE);
        a3.intoMemorySegment(y, yAt + 96, LE);
        a4.intoMemorySegment(y, yAt + 128, LE);
        a5.intoMemorySegment(y, yAt + 160, LE);
        a6.intoMemorySegment(y, yAt + 192, LE);
        a7.intoMemorySegment(y, yAt + 224, LE);
    }

    private static void q8Block(int count, int[] rows, float[] coef, long rowBytes, long blockOff, MemorySegment w,
                                MemorySegment y, long yAt) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < count; j++) {
            long x = blockOff + rowBytes * rows[j];
            float d0 = coef[j] * Float.float16ToFloat(w.get(S16, x));
            a0 = a0.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 2, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a1 = a1.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 10, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a2 = a2.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 18, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
            a3 = a3.add(((FloatVector) ByteVector.fromMemorySegment(B8, w, x + 26, LE).convertShape(VectorOperators.B2F, F8, 0)).mul(d0));
        }
        a0.intoMemorySegment(y, yAt, LE);
        a1.intoMemorySegment(y, yAt + 32, LE);
        a2.intoMemorySegment(y, yAt + 64, LE);
        a3.intoMemorySegment(y, yAt + 96, LE);
    }

    /**
     * F32: y loaded and stored once per four rows, the four products added in order (as four axpys). Q8_0 and F16
     * stay four single-row axpys: a fused Q8_0 version (four byte loads and conversions per y vector) measured 1.7×
     * slower than four single rows on AVX2 (2026-11-25, 1 thread).
     */
    @Override
    public void axpy4(DType t, int n, MemorySegment w, float a0, long w0, float a1, long w1, float a2, long w2, float a3,
                      long w3, MemorySegment y, long yOff) {
        if (t == DType.F32) {
            axpy4F32(n, w, a0, w0, a1, w1, a2, w2, a3, w3, y, yOff);
        } else {
            super.axpy4(t, n, w, a0, w0, a1, w1, a2, w2, a3, w3, y, yOff);
        }
    }

    private void axpy4F32(int n, MemorySegment w, float a0, long w0, float a1, long w1, float a2, long w2, float a3, long w3,
                          MemorySegment y, long yOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            long yo = 4L * (yOff + i);
            FloatVector yv = FloatVector.fromMemorySegment(FLOATS, y, yo, LE);
            yv = yv.add(FloatVector.fromMemorySegment(FLOATS, w, w0 + 4L * i, LE).mul(a0));
            yv = yv.add(FloatVector.fromMemorySegment(FLOATS, w, w1 + 4L * i, LE).mul(a1));
            yv = yv.add(FloatVector.fromMemorySegment(FLOATS, w, w2 + 4L * i, LE).mul(a2));
            yv = yv.add(FloatVector.fromMemorySegment(FLOATS, w, w3 + 4L * i, LE).mul(a3));
            yv.intoMemorySegment(y, yo, LE);
        }
        for (; i < n; i++) {
            float v = y.getAtIndex(F32, yOff + i);
            v = v + a0 * w.get(F32, w0 + 4L * i);
            v = v + a1 * w.get(F32, w1 + 4L * i);
            v = v + a2 * w.get(F32, w2 + 4L * i);
            v = v + a3 * w.get(F32, w3 + 4L * i);
            y.setAtIndex(F32, yOff + i, v);
        }
    }
}
