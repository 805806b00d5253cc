package dev.minnow.kernels.vector;

import dev.minnow.kernels.Q4Panels;
import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorQuantKernels}' form of {@code QuantKernels.dequantizeFromPanels}: the GEMM's B panel from 16-row
 * panels ({@link Q4Panels}). A vector lane is a panel row, which is what both layouts want: a plane of the panel holds
 * one int per row, and a depth step of the B panel is {@code width} consecutive floats, one per row. So element
 * {@code 8j + k} of a block for L rows is one plane load (shared by its eight elements), a shift, an AND, an
 * int→float conversion, the scale's multiply (and Q4_K's min subtracted) and one store, with no transpose. The per-row
 * scales (Q8_0's and Q4_0's f16 d; Q4_K's d·sc and dmin·m; Q6_K's d·sc) are formed per block in scalar code, 16 at a time, with
 * exactly the specification's float operations, so every value equals {@code ScalarQuantKernels.dequantizeBlock}'s
 * bit for bit. Rows of a panel outside the requested range (a range that starts or ends inside a panel, or inside a
 * group of L lanes) are left out with a masked store.
 *
 * <p>The width follows {@link VectorQuantKernels#BITS} (capped at 16 lanes, one panel): the class name starts with
 * {@code VectorQuantKernels} so that the tests' copies of that class at other widths, which copy the classes whose
 * names start with it, take this one along at the same width.
 */
final class VectorQuantKernelsFromPanels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final int BITS = Math.min(VectorQuantKernels.BITS, 512);
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    private static final int L = FS.length();
    private static final int ROWS = Q4Panels.ROWS;
    /** Per-block row scales: [0, 16) the scale (Q6_K: of the first half block), [16, 32) Q4_K's min or Q6_K's second scale. */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[2 * ROWS]);

    private VectorQuantKernelsFromPanels() {}

    /** Arguments checked by the caller; {@code panelBytes} = {@link Q4Panels#panelBytes}. */
    static void dequantize(DType type, int k0, int kc, MemorySegment p, long pOff, long panelBytes, int r0, int rows,
                           float[] panel, int off, int width) {
        float[] s = SCALES.get();
        int end = r0 + rows;
        for (int g = r0 / ROWS; g * ROWS < end; g++) {
            long base = pOff + g * panelBytes;
            int first = Math.max(r0 - g * ROWS, 0); // lanes [first, last) of this panel are wanted
            int last = Math.min(end - g * ROWS, ROWS);
            for (int b = k0 / 32; b < (k0 + kc) / 32; b++) {
                // panel index of element 0 of block b for lane 0 of this panel (negative lanes are masked off)
                int at = off + (32 * b - k0) * width + g * ROWS - r0;
                switch (type) {
                    case Q8_0 -> q8_0Block(p, base + (long) Q4Panels.Q8_BLOCK * b, s, first, last, panel, at, width);
                    case Q4_0 -> q4_0Block(p, base + 288L * b, s, first, last, panel, at, width);
                    case Q4_K -> {
                        long sb = base + (long) (b / 8) * Q4Panels.Q4K_SUPER;
                        q4kBlock(p, sb + Q4Panels.Q4K_BLOCKS + 288L * (b % 8), sb, s, first, last, panel, at, width);
                    }
                    case Q6_K -> {
                        long sb = base + (long) (b / 8) * Q4Panels.Q6K_SUPER;
                        q6kBlock(p, sb + Q4Panels.Q6K_BLOCKS + 416L * (b % 8), sb, s, first, last, panel, at, width);
                    }
                    default -> throw new IllegalArgumentException("16-row panels hold Q8_0, Q4_0, Q4_K or Q6_K weights, not " + type);
                }
            }
        }
        if (rows < width) {
            for (int q = 0; q < kc; q++) {
                java.util.Arrays.fill(panel, off + q * width + rows, off + (q + 1) * width, 0f);
            }
        }
    }

    /** Null when lanes [lo, lo + L) are all in [first, last), else the mask of those that are. */
    private static VectorMask<Float> mask(int lo, int first, int last) {
        if (first <= lo && lo + L <= last) {
            return null;
        }
        int from = Math.max(first - lo, 0);
        int to = Math.min(last - lo, L);
        return VectorMask.fromLong(FS, ((1L << to) - 1) & ~((1L << from) - 1));
    }

    /** Q8_0: q·d, q a signed byte of a plane's int, d the row's f16 scale. */
    private static void q8_0Block(MemorySegment p, long o, float[] s, int first, int last, float[] panel, int at, int width) {
        for (int r = 0; r < ROWS; r++) {
            s[r] = Float.float16ToFloat(p.get(S16, o + 512 + 2L * r));
        }
        for (int lo = first / L * L; lo < last; lo += L) {
            VectorMask<Float> m = mask(lo, first, last);
            FloatVector d = FloatVector.fromArray(FS, s, lo);
            for (int j = 0; j < 8; j++) {
                IntVector v = IntVector.fromMemorySegment(IS, p, o + 64L * j + 4L * lo, LE);
                for (int k = 0; k < 4; k++) {
                    FloatVector y = ((FloatVector) v.lanewise(VectorOperators.LSHL, 24 - 8 * k).lanewise(VectorOperators.ASHR, 24)
                            .convert(VectorOperators.I2F, 0)).mul(d);
                    int i = at + lo + (4 * j + k) * width;
                    if (m == null) {
                        y.intoArray(panel, i);
                    } else {
                        y.intoArray(panel, i, m);
                    }
                }
            }
        }
    }

    /** Q4_0: (q − 8)·d, d the row's f16 scale. */
    private static void q4_0Block(MemorySegment p, long o, float[] s, int first, int last, float[] panel, int at, int width) {
        for (int r = 0; r < ROWS; r++) {
            s[r] = Float.float16ToFloat(p.get(S16, o + 256 + 2L * r));
        }
        for (int lo = first / L * L; lo < last; lo += L) {
            VectorMask<Float> m = mask(lo, first, last);
            FloatVector d = FloatVector.fromArray(FS, s, lo);
            for (int j = 0; j < 4; j++) {
                IntVector v = IntVector.fromMemorySegment(IS, p, o + 64L * j + 4L * lo, LE);
                for (int k = 0; k < 8; k++) {
                    FloatVector y = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4 * k).and(15).sub(8)
                            .convert(VectorOperators.I2F, 0)).mul(d);
                    int i = at + lo + (8 * j + k) * width;
                    if (m == null) {
                        y.intoArray(panel, i);
                    } else {
                        y.intoArray(panel, i, m);
                    }
                }
            }
        }
    }

    /** Q4_K: (d·sc)·q − dmin·m, d and dmin the row's f32 super-block scales, sc and m its 6-bit ones. */
    private static void q4kBlock(MemorySegment p, long o, long sb, float[] s, int first, int last, float[] panel, int at,
                                 int width) {
        for (int r = 0; r < ROWS; r++) {
            s[r] = p.get(F32, sb + Q4Panels.Q4K_D + 4L * r) * p.get(ValueLayout.JAVA_BYTE, o + 256 + r);
            s[ROWS + r] = p.get(F32, sb + Q4Panels.Q4K_DMIN + 4L * r) * p.get(ValueLayout.JAVA_BYTE, o + 272 + r);
        }
        for (int lo = first / L * L; lo < last; lo += L) {
            VectorMask<Float> m = mask(lo, first, last);
            FloatVector dl = FloatVector.fromArray(FS, s, lo);
            FloatVector ml = FloatVector.fromArray(FS, s, ROWS + lo);
            for (int j = 0; j < 4; j++) {
                IntVector v = IntVector.fromMemorySegment(IS, p, o + 64L * j + 4L * lo, LE);
                for (int k = 0; k < 8; k++) {
                    FloatVector y = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4 * k).and(15)
                            .convert(VectorOperators.I2F, 0)).mul(dl).sub(ml);
                    int i = at + lo + (8 * j + k) * width;
                    if (m == null) {
                        y.intoArray(panel, i);
                    } else {
                        y.intoArray(panel, i, m);
                    }
                }
            }
        }
    }

    /** Q6_K: (d·sc)·(q − 32), q six bits from a low plane and a high plane, sc per 16 elements. */
    private static void q6kBlock(MemorySegment p, long o, long sb, float[] s, int first, int last, float[] panel, int at,
                                 int width) {
        for (int r = 0; r < ROWS; r++) {
            float d = p.get(F32, sb + Q4Panels.Q6K_D + 4L * r);
            s[r] = d * p.get(ValueLayout.JAVA_BYTE, o + 384 + r);
            s[ROWS + r] = d * p.get(ValueLayout.JAVA_BYTE, o + 400 + r);
        }
        for (int lo = first / L * L; lo < last; lo += L) {
            VectorMask<Float> m = mask(lo, first, last);
            IntVector h0 = IntVector.fromMemorySegment(IS, p, o + 256 + 4L * lo, LE);
            IntVector h1 = IntVector.fromMemorySegment(IS, p, o + 320 + 4L * lo, LE);
            for (int j = 0; j < 4; j++) {
                FloatVector sc = FloatVector.fromArray(FS, s, (j < 2 ? 0 : ROWS) + lo);
                IntVector v = IntVector.fromMemorySegment(IS, p, o + 64L * j + 4L * lo, LE);
                IntVector hv = (j & 1) == 0 ? h0 : h1;
                int hs = 2 * (j >> 1);
                for (int k = 0; k < 8; k++) {
                    IntVector q = v.lanewise(VectorOperators.LSHR, 4 * k).and(15)
                            .or(hv.lanewise(VectorOperators.LSHR, 4 * k + hs).and(3).lanewise(VectorOperators.LSHL, 4));
                    FloatVector y = ((FloatVector) q.sub(32).convert(VectorOperators.I2F, 0)).mul(sc);
                    int i = at + lo + (8 * j + k) * width;
                    if (m == null) {
                        y.intoArray(panel, i);
                    } else {
                        y.intoArray(panel, i, m);
                    }
                }
            }
        }
    }
}
