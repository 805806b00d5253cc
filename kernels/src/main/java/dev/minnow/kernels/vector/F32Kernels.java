package dev.minnow.kernels.vector;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.BPanelSource;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.RopeLayout;
import dev.minnow.kernels.scalar.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Template of the Vector API f32 kernels, copied per (width, FMA) by {@link Specializer} so that {@link #SPECIES}
 * is a JIT constant; reached through {@link VectorKernels}. Tails (n not a multiple of the lane count) run the
 * scalar definition, so a kernel differs from {@link ScalarKernels} only by the order of float additions.
 * Must stay self-contained (see {@link Specializer}). Hot loops call the Vector API directly, never through small
 * helpers that return vectors: when C2 declines to inline such a helper ("callee uses too much stack", node budget)
 * its vectors are boxed, which made dot 100× slower in one benchmark.
 */
final class F32Kernels implements VectorF32 {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> SPECIES = Specializer.species(MethodHandles.lookup());
    private static final int LANES = SPECIES.length();
    /** The lane-sum shuffles ({@link VectorMath}): every float lane sum below is folded with these, never reduceLanes. */
    private static final VectorShuffle<Float>[] FOLDS = VectorMath.folds(SPECIES);
    /** This width's vector class (final): a cast to it gives C2 the exact type of a loop-carried vector. */
    private static final Class<?> VECTOR_CLASS = SPECIES.vectorType();
    private static final long VBYTES = SPECIES.vectorByteSize();
    private static final boolean FMA = Specializer.fma(MethodHandles.lookup());
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** F16 kernels need a half-width short species: 128-bit and wider float species only. */
    private static final boolean HALVES = SPECIES.vectorBitSize() >= 128;
    private static final VectorSpecies<Short> HALF_SPECIES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, SPECIES.vectorBitSize() / 2)));
    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());

    /** The GEMM micro-kernel of this copy (its {@link Specializer} variant). */
    private static final GemmMicro GEMM_MICRO = GemmMicro.values()[Specializer.variant(MethodHandles.lookup()) & (VectorKernels.F16_TWO_STREAMS - 1)];

    private final GemmKernel gemm =
            Specializer.instance(GemmF32.class, GemmKernel.class, SPECIES.vectorBitSize(), FMA, GEMM_MICRO.ordinal());

    F32Kernels() {}

    @Override public String name() {
        return "vector-" + SPECIES.vectorBitSize() + (FMA ? "" : "-nofma")
                + (GEMM_MICRO == GemmMicro.defaultFor(SPECIES.vectorBitSize()) ? "" : "-" + GEMM_MICRO.id())
                + (F16_STREAMS ? "" : "-f16x1");   // two F16 streams are the default at every width
    }

    @Override public int vectorBits() { return SPECIES.vectorBitSize(); }

    @Override
    public float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        return dotStatic(a, aOff, b, bOff, n);
    }

    /** Static so that lambdas need not capture {@code this} (a hidden copy cannot be named in their descriptors). */
    private static float dotStatic(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        int step = 4 * LANES;
        for (; i <= n - step; i += step) {
            long ai = (aOff + i) * 4, bi = (bOff + i) * 4;
            FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, a, ai, LE);
            FloatVector a1 = FloatVector.fromMemorySegment(SPECIES, a, ai + VBYTES, LE);
            FloatVector a2 = FloatVector.fromMemorySegment(SPECIES, a, ai + 2 * VBYTES, LE);
            FloatVector a3 = FloatVector.fromMemorySegment(SPECIES, a, ai + 3 * VBYTES, LE);
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, b, bi, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, b, bi + VBYTES, LE);
            FloatVector b2 = FloatVector.fromMemorySegment(SPECIES, b, bi + 2 * VBYTES, LE);
            FloatVector b3 = FloatVector.fromMemorySegment(SPECIES, b, bi + 3 * VBYTES, LE);
            if (FMA) {
                s0 = a0.fma(b0, s0);
                s1 = a1.fma(b1, s1);
                s2 = a2.fma(b2, s2);
                s3 = a3.fma(b3, s3);
            } else {
                s0 = a0.mul(b0).add(s0);
                s1 = a1.mul(b1).add(s1);
                s2 = a2.mul(b2).add(s2);
                s3 = a3.mul(b3).add(s3);
            }
        }
        for (; i <= n - LANES; i += LANES) {
            FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, a, (aOff + i) * 4, LE);
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, b, (bOff + i) * 4, LE);
            s0 = FMA ? a0.fma(b0, s0) : a0.mul(b0).add(s0);
        }
        s0 = s0.add(s1).add(s2.add(s3));
        for (VectorShuffle<Float> f : FOLDS) {
            s0 = s0.add(s0.rearrange(f));
        }
        float s = s0.lane(0);
        for (; i < n; i++) {
            s += a.getAtIndex(F32, aOff + i) * b.getAtIndex(F32, bOff + i);
        }
        return s;
    }

    /**
     * Scores over transposed keys: LANES positions per vector, four vectors (4·LANES positions) per pass, one broadcast
     * x[i] and four fused multiply-adds per key dimension, in i order; the positions past the last whole vector in one
     * masked vector. Little-endian native order assumed, as everywhere here. (Lost from session 18 to 22 with the
     * removal of dotRows: the scalar default ran, 6% of a 1-thread pp128's samples.)
     */
    @Override
    public void dotColumns(int n, int len, MemorySegment a, long aOff, long stride, MemorySegment x, long xOff, float scale,
                           float[] out) {
        int s = 0;
        for (; s <= n - 4 * LANES; s += 4 * LANES) {
            FloatVector t0 = FloatVector.zero(SPECIES), t1 = t0, t2 = t0, t3 = t0;
            long o = (aOff + s) * 4;
            for (int i = 0; i < len; i++, o += stride * 4) {
                FloatVector xi = FloatVector.broadcast(SPECIES, x.get(F32, (xOff + i) * 4));
                FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, a, o, LE);
                FloatVector a1 = FloatVector.fromMemorySegment(SPECIES, a, o + VBYTES, LE);
                FloatVector a2 = FloatVector.fromMemorySegment(SPECIES, a, o + 2 * VBYTES, LE);
                FloatVector a3 = FloatVector.fromMemorySegment(SPECIES, a, o + 3 * VBYTES, LE);
                if (FMA) {
                    t0 = xi.fma(a0, t0);
                    t1 = xi.fma(a1, t1);
                    t2 = xi.fma(a2, t2);
                    t3 = xi.fma(a3, t3);
                } else {
                    t0 = t0.add(xi.mul(a0));
                    t1 = t1.add(xi.mul(a1));
                    t2 = t2.add(xi.mul(a2));
                    t3 = t3.add(xi.mul(a3));
                }
            }
            t0.mul(scale).intoArray(out, s);
            t1.mul(scale).intoArray(out, s + LANES);
            t2.mul(scale).intoArray(out, s + 2 * LANES);
            t3.mul(scale).intoArray(out, s + 3 * LANES);
        }
        for (; s <= n - LANES; s += LANES) {
            FloatVector t0 = FloatVector.zero(SPECIES);
            long o = (aOff + s) * 4;
            for (int i = 0; i < len; i++, o += stride * 4) {
                FloatVector xi = FloatVector.broadcast(SPECIES, x.get(F32, (xOff + i) * 4));
                FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, a, o, LE);
                t0 = FMA ? xi.fma(a0, t0) : t0.add(xi.mul(a0));
            }
            t0.mul(scale).intoArray(out, s);
        }
        if (s < n) { // the last positions: one masked vector (the lanes past n neither read nor written)
            VectorMask<Float> m = SPECIES.indexInRange(s, n);
            FloatVector t0 = FloatVector.zero(SPECIES);
            long o = (aOff + s) * 4;
            for (int i = 0; i < len; i++, o += stride * 4) {
                FloatVector xi = FloatVector.broadcast(SPECIES, x.get(F32, (xOff + i) * 4));
                FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, a, o, LE, m);
                t0 = FMA ? xi.fma(a0, t0) : t0.add(xi.mul(a0));
            }
            t0.mul(scale).intoArray(out, s, m);
        }
    }

    /**
     * n axpy calls with y's vectors kept in registers over all rows: per element the same fused (or not) operation in
     * the same row order, so the same floats. Up to four vectors of y per pass; the scalar tail as axpy's.
     */
    @Override
    public void axpyRows(int n, int len, float[] coef, MemorySegment v, long vOff, long stride, MemorySegment y, long yOff) {
        int i = 0;
        for (; i <= len - 4 * LANES; i += 4 * LANES) {
            long yo = (yOff + i) * 4;
            FloatVector y0 = FloatVector.fromMemorySegment(SPECIES, y, yo, LE);
            FloatVector y1 = FloatVector.fromMemorySegment(SPECIES, y, yo + VBYTES, LE);
            FloatVector y2 = FloatVector.fromMemorySegment(SPECIES, y, yo + 2 * VBYTES, LE);
            FloatVector y3 = FloatVector.fromMemorySegment(SPECIES, y, yo + 3 * VBYTES, LE);
            for (int s = 0; s < n; s++) {
                FloatVector va = FloatVector.broadcast(SPECIES, coef[s]);
                long vo = (vOff + s * stride + i) * 4;
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, v, vo, LE);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, v, vo + VBYTES, LE);
                FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, v, vo + 2 * VBYTES, LE);
                FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, v, vo + 3 * VBYTES, LE);
                if (FMA) {
                    y0 = va.fma(x0, y0);
                    y1 = va.fma(x1, y1);
                    y2 = va.fma(x2, y2);
                    y3 = va.fma(x3, y3);
                } else {
                    y0 = va.mul(x0).add(y0);
                    y1 = va.mul(x1).add(y1);
                    y2 = va.mul(x2).add(y2);
                    y3 = va.mul(x3).add(y3);
                }
            }
            y0.intoMemorySegment(y, yo, LE);
            y1.intoMemorySegment(y, yo + VBYTES, LE);
            y2.intoMemorySegment(y, yo + 2 * VBYTES, LE);
            y3.intoMemorySegment(y, yo + 3 * VBYTES, LE);
        }
        for (; i <= len - LANES; i += LANES) {
            long yo = (yOff + i) * 4;
            FloatVector y0 = FloatVector.fromMemorySegment(SPECIES, y, yo, LE);
            for (int s = 0; s < n; s++) {
                FloatVector va = FloatVector.broadcast(SPECIES, coef[s]);
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, v, (vOff + s * stride + i) * 4, LE);
                y0 = FMA ? va.fma(x0, y0) : va.mul(x0).add(y0);
            }
            y0.intoMemorySegment(y, yo, LE);
        }
        for (; i < len; i++) {
            float t = y.getAtIndex(F32, yOff + i);
            for (int s = 0; s < n; s++) {
                t = t + coef[s] * v.getAtIndex(F32, vOff + s * stride + i);
            }
            y.setAtIndex(F32, yOff + i, t);
        }
    }

    @Override
    public float sum(MemorySegment x, long xOff, int n) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE));
            s1 = s1.add(FloatVector.fromMemorySegment(SPECIES, x, (xOff + i + LANES) * 4, LE));
        }
        for (; i <= n - LANES; i += LANES) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE));
        }
        s0 = s0.add(s1);
        for (VectorShuffle<Float> f : FOLDS) {
            s0 = s0.add(s0.rearrange(f));
        }
        float s = s0.lane(0);
        for (; i < n; i++) {
            s += x.getAtIndex(F32, xOff + i);
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector xv = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE);
            FloatVector yv = FloatVector.fromMemorySegment(SPECIES, y, (yOff + i) * 4, LE);
            (FMA ? va.fma(xv, yv) : va.mul(xv).add(yv)).intoMemorySegment(y, (yOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            y.setAtIndex(F32, yOff + i, y.getAtIndex(F32, yOff + i) + alpha * x.getAtIndex(F32, xOff + i));
        }
    }

    @Override
    public void scale(int n, float s, MemorySegment x, long xOff) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE).mul(s).intoMemorySegment(x, (xOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            x.setAtIndex(F32, xOff + i, x.getAtIndex(F32, xOff + i) * s);
        }
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, (aOff + i) * 4, LE);
            FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b, (bOff + i) * 4, LE);
            av.add(bv).intoMemorySegment(out, (outOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            out.setAtIndex(F32, outOff + i, a.getAtIndex(F32, aOff + i) + b.getAtIndex(F32, bOff + i));
        }
    }

    @Override
    public void mul(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector av = FloatVector.fromMemorySegment(SPECIES, a, (aOff + i) * 4, LE);
            FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b, (bOff + i) * 4, LE);
            av.mul(bv).intoMemorySegment(out, (outOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            out.setAtIndex(F32, outOff + i, a.getAtIndex(F32, aOff + i) * b.getAtIndex(F32, bOff + i));
        }
    }

    @Override
    public void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (!Parallel.shareable(w, x, y)) {
            gemvRows(0, rows, cols, w, wOff, x, xOff, y, yOff);
            return;
        }
        Parallel.forRange(rows, Math.max(1, (1 << 14) / Math.max(cols, 1)),
                (from, to) -> gemvRows(from, to, cols, w, wOff, x, xOff, y, yOff));
    }

    /** Four rows at a time so each activation load feeds four independent FMA chains. */
    private static void gemvRows(int from, int to, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff,
                          MemorySegment y, long yOff) {
        int r = from;
        int vecEnd = cols - cols % LANES;
        for (; r <= to - 4; r += 4) {
            long r0 = wOff + (long) r * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int c = 0; c < vecEnd; c += LANES) {
                FloatVector xv = FloatVector.fromMemorySegment(SPECIES, x, (xOff + c) * 4, LE);
                FloatVector w0 = FloatVector.fromMemorySegment(SPECIES, w, (r0 + c) * 4, LE);
                FloatVector w1 = FloatVector.fromMemorySegment(SPECIES, w, (r1 + c) * 4, LE);
                FloatVector w2 = FloatVector.fromMemorySegment(SPECIES, w, (r2 + c) * 4, LE);
                FloatVector w3 = FloatVector.fromMemorySegment(SPECIES, w, (r3 + c) * 4, LE);
                if (FMA) {
                    s0 = w0.fma(xv, s0);
                    s1 = w1.fma(xv, s1);
                    s2 = w2.fma(xv, s2);
                    s3 = w3.fma(xv, s3);
                } else {
                    s0 = w0.mul(xv).add(s0);
                    s1 = w1.mul(xv).add(s1);
                    s2 = w2.mul(xv).add(s2);
                    s3 = w3.mul(xv).add(s3);
                }
            }
            for (VectorShuffle<Float> f : FOLDS) {
                s0 = s0.add(s0.rearrange(f));
                s1 = s1.add(s1.rearrange(f));
                s2 = s2.add(s2.rearrange(f));
                s3 = s3.add(s3.rearrange(f));
            }
            float t0 = s0.lane(0), t1 = s1.lane(0);
            float t2 = s2.lane(0), t3 = s3.lane(0);
            for (int c = vecEnd; c < cols; c++) {
                float xv = x.getAtIndex(F32, xOff + c);
                t0 += w.getAtIndex(F32, r0 + c) * xv;
                t1 += w.getAtIndex(F32, r1 + c) * xv;
                t2 += w.getAtIndex(F32, r2 + c) * xv;
                t3 += w.getAtIndex(F32, r3 + c) * xv;
            }
            y.setAtIndex(F32, yOff + r, t0);
            y.setAtIndex(F32, yOff + r + 1, t1);
            y.setAtIndex(F32, yOff + r + 2, t2);
            y.setAtIndex(F32, yOff + r + 3, t3);
        }
        for (; r < to; r++) {
            y.setAtIndex(F32, yOff + r, dotStatic(w, wOff + (long) r * cols, x, xOff, cols));
        }
    }

    // ---- F16 weights. A half converts exactly in integer lanes: magnitude bits << 13 reinterpreted as a float and
    // multiplied by 2^112 rebias the exponent (normals) or scale the subnormals exactly; exponent 31 (inf, NaN)
    // becomes 255 with its mantissa kept (NaNs made quiet, as Float.float16ToFloat does); then the sign. Written out in each loop (no helper returning vectors).

    @Override
    public void convertF16(int n, MemorySegment src, long srcOff, MemorySegment dst, long dstOff) {
        int i = 0;
        if (HALVES) {
            for (; i <= n - LANES; i += LANES) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, src, (srcOff + i) * 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
                IntVector mag = h.and(0x7fff);
                IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
                IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                        .blend(shifted.or(0x7f800000), mag.compare(VectorOperators.GE, 0x7c00))
                        .lanewise(VectorOperators.OR, 0x00400000, mag.compare(VectorOperators.GT, 0x7c00))
                        .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                bits.reinterpretAsFloats().intoMemorySegment(dst, (dstOff + i) * 4, LE);
            }
        }
        for (; i < n; i++) {
            dst.setAtIndex(F32, dstOff + i, Float.float16ToFloat(src.getAtIndex(F16, srcOff + i)));
        }
    }

    /**
     * 16-row F16 panels (F16Panels): lane = row, element c a load of LANES halves widened exactly (sign-extended,
     * << 13, the sign's copies cleared, ×2^112: finite halves only, which F16Panels.pack guarantees), multiply-added
     * with x[c] into partial sum c mod 4. With F16 activations every product is exact, so FMA or not gives
     * F16Panels.gemvSpec's floats. Two far-apart panels per pass with two F16 streams (see F16_STREAMS).
     */
    @Override
    public void gemvF16Panels(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                              MemorySegment y, long yOff) {
        if (!HALVES || LANES > 16 || cols % 4 != 0) {
            dev.minnow.kernels.F16Panels.gemvSpec(from, to, cols, p, pOff, x, xOff, y, yOff);
            return;
        }
        dev.minnow.kernels.F16Panels.checkPanels("gemvF16Panels", to, dev.minnow.kernels.F16Panels.panelBytes(cols), p, pOff);
        if (F16_STREAMS) {
            int half = (to - from) / 2;
            if (half > 0) {
                f16Panels2(from, half, cols, p, pOff, x, xOff, y, yOff);
            }
            from += 2 * half;
        }
        f16Panels1(from, to, cols, p, pOff, x, xOff, y, yOff);
    }

    private static void f16Panels1(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                                   MemorySegment y, long yOff) {
        long pb = 32L * cols;
        for (int g = from; g < to; g++) {
            for (int h = 0; h < 16; h += LANES) {
                long o = pOff + g * pb + 2L * h;
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
                for (int c = 0; c < cols; c += 4, o += 128) {
                    FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 32, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 64, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 96, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    long xc = 4 * (xOff + c);
                    FloatVector x0 = FloatVector.broadcast(SPECIES, x.get(F32, xc));
                    FloatVector x1 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 4));
                    FloatVector x2 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 8));
                    FloatVector x3 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 12));
                    if (FMA) {
                        s0 = w0.fma(x0, s0);
                        s1 = w1.fma(x1, s1);
                        s2 = w2.fma(x2, s2);
                        s3 = w3.fma(x3, s3);
                    } else {
                        s0 = s0.add(w0.mul(x0));
                        s1 = s1.add(w1.mul(x1));
                        s2 = s2.add(w2.mul(x2));
                        s3 = s3.add(w3.mul(x3));
                    }
                }
                s0.add(s1).add(s2.add(s3)).intoMemorySegment(y, 4 * (yOff + 16L * g + h), LE);
            }
        }
    }

    /** f16Panels1 over panel pairs (from + i, from + half + i): two memory streams, the same operations per panel. */
    private static void f16Panels2(int from, int half, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                                   MemorySegment y, long yOff) {
        long pb = 32L * cols;
        long distance = half * pb;
        for (int i = 0; i < half; i++) {
            int g = from + i;
            for (int h = 0; h < 16; h += LANES) {
                long o = pOff + g * pb + 2L * h;
                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int c = 0; c < cols; c += 4, o += 128) {
                    long xc = 4 * (xOff + c);
                    FloatVector x0 = FloatVector.broadcast(SPECIES, x.get(F32, xc));
                    FloatVector x1 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 4));
                    FloatVector x2 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 8));
                    FloatVector x3 = FloatVector.broadcast(SPECIES, x.get(F32, xc + 12));
                    FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 32, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 64, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + 96, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector v0 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + distance, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector v1 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + distance + 32, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector v2 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + distance + 64, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    FloatVector v3 = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o + distance + 96, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    if (FMA) {
                        a0 = w0.fma(x0, a0);
                        a1 = w1.fma(x1, a1);
                        a2 = w2.fma(x2, a2);
                        a3 = w3.fma(x3, a3);
                        b0 = v0.fma(x0, b0);
                        b1 = v1.fma(x1, b1);
                        b2 = v2.fma(x2, b2);
                        b3 = v3.fma(x3, b3);
                    } else {
                        a0 = a0.add(w0.mul(x0));
                        a1 = a1.add(w1.mul(x1));
                        a2 = a2.add(w2.mul(x2));
                        a3 = a3.add(w3.mul(x3));
                        b0 = b0.add(v0.mul(x0));
                        b1 = b1.add(v1.mul(x1));
                        b2 = b2.add(v2.mul(x2));
                        b3 = b3.add(v3.mul(x3));
                    }
                }
                a0.add(a1).add(a2.add(a3)).intoMemorySegment(y, 4 * (yOff + 16L * g + h), LE);
                b0.add(b1).add(b2.add(b3)).intoMemorySegment(y, 4 * (yOff + 16L * (g + half) + h), LE);
            }
        }
    }

    /** The prefill GEMM's B panel from F16 panels: LANES rows' halves of one element per load, widened exactly. */
    @Override
    public void f16FromPanels(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows, float[] panel,
                              int off, int width) {
        if (!HALVES || LANES > 16) {
            dev.minnow.kernels.F16Panels.fromPanelsSpec(cols, k0, kc, p, pOff, r0, rows, panel, off, width);
            return;
        }
        long pb = dev.minnow.kernels.F16Panels.checkFromPanels(cols, k0, kc, p, pOff, r0, rows, width);
        int end = r0 + rows;
        for (int g = r0 / 16; g * 16 < end; g++) {
            int first = Math.max(r0 - 16 * g, 0);
            int last = Math.min(end - 16 * g, 16);
            for (int lo = first / LANES * LANES; lo < last; lo += LANES) {
                VectorMask<Float> m = null;
                if (lo < first || lo + LANES > last) {
                    int a = Math.max(first - lo, 0), b = Math.min(last - lo, LANES);
                    m = VectorMask.fromLong(SPECIES, ((1L << b) - 1) & ~((1L << a) - 1));
                }
                long o = pOff + g * pb + 2L * lo + 32L * k0;
                int at = off + 16 * g + lo - r0;
                for (int q = 0; q < kc; q++, o += 32, at += width) {
                    FloatVector v = ((IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, p, o, LE).convertShape(VectorOperators.S2I, INT_SPECIES, 0))
                            .lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                    if (m == null) {
                        v.intoArray(panel, at);
                    } else {
                        v.intoArray(panel, at, m);
                    }
                }
            }
        }
        if (rows < width) {
            for (int q = 0; q < kc; q++) {
                java.util.Arrays.fill(panel, off + q * width + rows, off + (q + 1) * width, 0f);
            }
        }
    }

    @Override
    public void gemvF16(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (!Parallel.shareable(w, x, y)) {
            gemvF16Rows(0, rows, cols, w, wOff, x, xOff, y, yOff);
            return;
        }
        Parallel.forRange(rows, Math.max(1, (1 << 14) / Math.max(cols, 1)),
                (from, to) -> gemvF16Rows(from, to, cols, w, wOff, x, xOff, y, yOff));
    }

    /**
     * Two F16 streams (a {@link Specializer} variant bit, see {@link VectorKernels#VectorKernels(int, boolean, GemmMicro, int)}):
     * {@link #gemvF16Rows} walks rows i and half + i of its range in one pass (two memory streams for the hardware
     * prefetcher, one activation load for both rows); the same operations per row in the same order, so the sums are
     * bit-identical to one stream.
     */
    private static final boolean F16_STREAMS = (Specializer.variant(MethodHandles.lookup()) & VectorKernels.F16_TWO_STREAMS) != 0;

    /**
     * One row at a time, two accumulators; the f32 activations are re-read per row (they stay in L1). The fast
     * conversion handles zeros, subnormals and normals exactly in four integer operations and a multiply:
     * (h << 16) >> 3 puts the sign at bit 31 and the exponent and mantissa at bits 13–27 (the AND clears the three
     * copies of the sign that the arithmetic shift smeared into bits 28–30), and ×2^112 rebiases. Exponent 31
     * (inf, NaN) would come out as a finite ≥ 2^16, so each row also keeps the maximum of its exponent bits and is
     * recomputed by {@link #gemvF16RowExact} when one of its halves had exponent 31. (An unsigned-max reduction,
     * {@code reduceLanes(UMAX)}, is not intrinsified on AVX2: it boxed a vector per row, 27 MB per token.)
     */
    private static void gemvF16Rows(int from, int to, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff,
                                    MemorySegment y, long yOff) {
        int vecEnd = HALVES ? cols - cols % (2 * LANES) : 0;
        if (F16_STREAMS && vecEnd > 0) {
            int half = (to - from) / 2;
            for (int i = 0; i < half; i++) {
                gemvF16Pair(from + i, from + half + i, cols, vecEnd, w, wOff, x, xOff, y, yOff);
            }
            from += 2 * half;
        }
        for (int r = from; r < to; r++) {
            long row = wOff + (long) r * cols;
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
            IntVector special = IntVector.zero(INT_SPECIES);
            for (int c = 0; c < vecEnd; c += 2 * LANES) {
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (row + c) * 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (row + c + LANES) * 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
                special = special.max(h0.and(0x7c00)).max(h1.and(0x7c00));
                FloatVector w0 = h0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                        .reinterpretAsFloats().mul(0x1p112f);
                FloatVector w1 = h1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                        .reinterpretAsFloats().mul(0x1p112f);
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, x, (xOff + c) * 4, LE);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, x, (xOff + c + LANES) * 4, LE);
                if (FMA) {
                    s0 = w0.fma(x0, s0);
                    s1 = w1.fma(x1, s1);
                } else {
                    s0 = w0.mul(x0).add(s0);
                    s1 = w1.mul(x1).add(s1);
                }
            }
            if (vecEnd > 0 && special.reduceLanes(VectorOperators.MAX) == 0x7c00) {
                gemvF16RowExact(cols, row, w, x, xOff, y, yOff + r);
                continue;
            }
            s0 = s0.add(s1);
            for (VectorShuffle<Float> f : FOLDS) {
                s0 = s0.add(s0.rearrange(f));
            }
            float t = s0.lane(0);
            for (int c = vecEnd; c < cols; c++) {
                t += Float.float16ToFloat(w.getAtIndex(F16, row + c)) * x.getAtIndex(F32, xOff + c);
            }
            y.setAtIndex(F32, yOff + r, t);
        }
    }

    /**
     * Rows ra and rb of {@link #gemvF16Rows} in one pass: per row the same conversion, accumulators and order, the
     * activation vectors loaded once for both. Written out (no helper returning vectors: see VectorQuantKernels on C2's
     * inlining budget).
     */
    private static void gemvF16Pair(int ra, int rb, int cols, int vecEnd, MemorySegment w, long wOff, MemorySegment x, long xOff,
                                    MemorySegment y, long yOff) {
        long rowA = wOff + (long) ra * cols, rowB = wOff + (long) rb * cols;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, b0 = a0, b1 = a0;
        IntVector specialA = IntVector.zero(INT_SPECIES), specialB = specialA;
        for (int c = 0; c < vecEnd; c += 2 * LANES) {
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, x, (xOff + c) * 4, LE);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, x, (xOff + c + LANES) * 4, LE);
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (rowA + c) * 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (rowA + c + LANES) * 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
            specialA = specialA.max(h0.and(0x7c00)).max(h1.and(0x7c00));
            FloatVector w0 = h0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                    .reinterpretAsFloats().mul(0x1p112f);
            FloatVector w1 = h1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                    .reinterpretAsFloats().mul(0x1p112f);
            IntVector g0 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (rowB + c) * 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
            IntVector g1 = (IntVector) ShortVector.fromMemorySegment(HALF_SPECIES, w, (rowB + c + LANES) * 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, INT_SPECIES, 0);
            specialB = specialB.max(g0.and(0x7c00)).max(g1.and(0x7c00));
            FloatVector v0 = g0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                    .reinterpretAsFloats().mul(0x1p112f);
            FloatVector v1 = g1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8fffffff)
                    .reinterpretAsFloats().mul(0x1p112f);
            if (FMA) {
                a0 = w0.fma(x0, a0);
                a1 = w1.fma(x1, a1);
                b0 = v0.fma(x0, b0);
                b1 = v1.fma(x1, b1);
            } else {
                a0 = w0.mul(x0).add(a0);
                a1 = w1.mul(x1).add(a1);
                b0 = v0.mul(x0).add(b0);
                b1 = v1.mul(x1).add(b1);
            }
        }
        boolean exactA = specialA.reduceLanes(VectorOperators.MAX) == 0x7c00;
        boolean exactB = specialB.reduceLanes(VectorOperators.MAX) == 0x7c00;
        a0 = a0.add(a1);
        b0 = b0.add(b1);
        for (VectorShuffle<Float> f : FOLDS) {
            a0 = a0.add(a0.rearrange(f));
            b0 = b0.add(b0.rearrange(f));
        }
        float ta = a0.lane(0), tb = b0.lane(0);
        for (int c = vecEnd; c < cols; c++) {
            float xc = x.getAtIndex(F32, xOff + c);
            ta += Float.float16ToFloat(w.getAtIndex(F16, rowA + c)) * xc;
            tb += Float.float16ToFloat(w.getAtIndex(F16, rowB + c)) * xc;
        }
        if (exactA) {
            gemvF16RowExact(cols, rowA, w, x, xOff, y, yOff + ra);
        } else {
            y.setAtIndex(F32, yOff + ra, ta);
        }
        if (exactB) {
            gemvF16RowExact(cols, rowB, w, x, xOff, y, yOff + rb);
        } else {
            y.setAtIndex(F32, yOff + rb, tb);
        }
    }

    /**
     * A row with an infinite or NaN half (rare: a broken weight file), converted exactly by
     * {@link Float#float16ToFloat} in a plain loop; its sum is ±inf or NaN whatever the order.
     */
    private static void gemvF16RowExact(int cols, long row, MemorySegment w, MemorySegment x, long xOff,
                                        MemorySegment y, long yAt) {
        float t = 0;
        for (int c = 0; c < cols; c++) {
            t += Float.float16ToFloat(w.getAtIndex(F16, row + c)) * x.getAtIndex(F32, xOff + c);
        }
        y.setAtIndex(F32, yAt, t);
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     boolean bTransposed, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        gemm.multiply(m, n, k, a, aOff, lda, b, bOff, ldb, bTransposed, c, cOff, ldc, accumulate);
    }

    @Override
    public void gemmPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b, MemorySegment c,
                            long cOff, int ldc, boolean accumulate) {
        gemm.multiplyPackedB(m, n, k, a, aOff, lda, b, c, cOff, ldc, accumulate);
    }

    @Override
    public void rmsNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, float eps, MemorySegment out, long outOff) {
        float ss = dot(x, xOff, x, xOff, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector xv = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE);
            FloatVector wv = FloatVector.fromMemorySegment(SPECIES, w, (wOff + i) * 4, LE);
            xv.mul(inv).mul(wv).intoMemorySegment(out, (outOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            out.setAtIndex(F32, outOff + i, x.getAtIndex(F32, xOff + i) * inv * w.getAtIndex(F32, wOff + i));
        }
    }

    @Override
    public void layerNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                          float eps, MemorySegment out, long outOff) {
        float mean = sum(x, xOff, n) / n;
        FloatVector vm = FloatVector.broadcast(SPECIES, mean);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector d = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE).sub(vm);
            acc = FMA ? d.fma(d, acc) : d.mul(d).add(acc);
        }
        for (VectorShuffle<Float> f : FOLDS) {
            acc = acc.add(acc.rearrange(f));
        }
        float var = acc.lane(0);
        for (; i < n; i++) {
            float d = x.getAtIndex(F32, xOff + i) - mean;
            var += d * d;
        }
        var /= n;
        float inv = (float) (1.0 / Math.sqrt(var + eps));
        i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE).sub(vm).mul(inv);
            if (w != null) {
                v = v.mul(FloatVector.fromMemorySegment(SPECIES, w, (wOff + i) * 4, LE));
            }
            if (b != null) {
                v = v.add(FloatVector.fromMemorySegment(SPECIES, b, (bOff + i) * 4, LE));
            }
            v.intoMemorySegment(out, (outOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            float v = (x.getAtIndex(F32, xOff + i) - mean) * inv;
            if (w != null) {
                v *= w.getAtIndex(F32, wOff + i);
            }
            if (b != null) {
                v += b.getAtIndex(F32, bOff + i);
            }
            out.setAtIndex(F32, outOff + i, v);
        }
    }

    @Override
    public void softmax(int n, MemorySegment x, long xOff) {
        if (n == 0) {
            return;
        }
        // the loaded vector is the receiver, not the loop's running max: C2 typed that loop value as FloatVector, not
        // this width's class, so vmax.max(..) was a virtual call on a boxed vector (JIT log: "lanewise ... virtual call")
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            vmax = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE).max(vmax);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x.getAtIndex(F32, xOff + i));
        }
        float sum = expShiftedSum(n, x, xOff, max);
        for (i = n - n % LANES; i < n; i++) {
            float e = (float) Math.exp(x.getAtIndex(F32, xOff + i) - max);
            x.setAtIndex(F32, xOff + i, e);
            sum += e;
        }
        scale(n, 1f / sum, x, xOff);
    }

    /**
     * {@code x[i] = exp(x[i] − shift)} for the whole vectors of {@code x[xOff, xOff + n)} (the first n − n mod lanes
     * values), returning their sum folded with {@link #FOLDS}: softmax's pass, with {@link VectorMath#exp}'s operations
     * written out in the loop (the same bits). Not a call of VectorMath.exp: C2 declined to inline that call in some
     * compiles ("already compiled into a medium method", "callee is too large"), and a call that passes a vector boxes
     * it; with the max loop's boxing (see softmax), LLM decode allocated 1.6 MB a token at 200 positions of context.
     */
    private static float expShiftedSum(int n, MemorySegment x, long xOff, float shift) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i <= n - LANES; i += LANES) {
            long at = (xOff + i) * 4;
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, at, LE).sub(shift).max(VectorMath.LO).min(VectorMath.HI);
            FloatVector m = v.mul(VectorMath.LOG2E).add(VectorMath.ROUND).sub(VectorMath.ROUND);
            FloatVector r = v.sub(m.mul(VectorMath.C1)).sub(m.mul(VectorMath.C2));
            FloatVector p = r.mul(VectorMath.P0).add(VectorMath.P1).mul(r).add(VectorMath.P2).mul(r).add(VectorMath.P3)
                    .mul(r).add(VectorMath.P4).mul(r).add(VectorMath.P5);
            p = p.mul(r.mul(r)).add(r).add(1f);
            IntVector k = (IntVector) m.convert(VectorOperators.F2I, 0);
            IntVector h = k.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2);
            e.intoMemorySegment(x, at, LE);
            sum = e.add(sum); // the new vector as the receiver (see softmax)
        }
        for (VectorShuffle<Float> f : FOLDS) {
            FloatVector w = (FloatVector) VECTOR_CLASS.cast(sum); // this width's class, so the calls below bind statically
            sum = w.add(w.rearrange(f));
        }
        return sum.lane(0);
    }

    @Override
    public void activate(Activation act, int n, MemorySegment x, long xOff) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * 4, LE);
            FloatVector r = switch (act) {
                case RELU -> v.max(0f);
                case RELU6 -> v.max(0f).min(6f);
                case SILU -> v.div(VectorMath.exp(v.neg()).add(1f));
                case GELU -> v.mul(0.5f).mul(erf(v.mul(0.70710678118654752f)).add(1f));
                // ½v(1 + tanh u) = v / (1 + e^(−2u)), u = √(2/π)(v + 0.044715v³)
                case GELU_TANH -> v.div(VectorMath.exp(v.mul(v).mul(v).mul(0.044715f).add(v).mul(-1.5957691216057308f)).add(1f));
                case SIGMOID -> one.div(VectorMath.exp(v.neg()).add(1f));
                case HARD_SIGMOID -> v.div(6f).add(0.5f).max(0f).min(1f);
                case HARD_SWISH -> v.mul(v.div(6f).add(0.5f).max(0f).min(1f));
            };
            r.intoMemorySegment(x, (xOff + i) * 4, LE);
        }
        for (; i < n; i++) {
            x.setAtIndex(F32, xOff + i, ScalarKernels.activation(act, x.getAtIndex(F32, xOff + i)));
        }
    }

    /**
     * erf(x) for the GELU kernel: Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7), computed in float LANES.
     */
    private static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(ax.mul(0.3275911f).add(1f));
        FloatVector poly = t.mul(1.061405429f).add(-1.453152027f);
        poly = poly.mul(t).add(1.421413741f);
        poly = poly.mul(t).add(-0.284496736f);
        poly = poly.mul(t).add(0.254829592f);
        poly = poly.mul(t);
        FloatVector y = poly.mul(VectorMath.exp(ax.mul(ax).neg())).neg().add(1f);
        VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
        return y.blend(y.neg(), neg);
    }

    @Override
    public void rope(RopeLayout layout, int nHeads, int headDim, int rotaryDim, float[] cos, float[] sin,
                     MemorySegment x, long xOff) {
        // Rotation is memory-light and rarely hot; the scalar form is exact and shared.
        ScalarKernels.INSTANCE.rope(layout, nHeads, headDim, rotaryDim, cos, sin, x, xOff);
    }

    @Override
    public int argmax(MemorySegment x, long xOff, int n) {
        return ScalarKernels.INSTANCE.argmax(x, xOff, n);
    }

    @Override
    public int topK(MemorySegment x, long xOff, int n, int k, int[] outIdx) {
        return ScalarKernels.INSTANCE.topK(x, xOff, n, k, outIdx);
    }

    @Override
    public float fmaChains(long iters) {
        FloatVector m = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.5f), a1 = a0.add(0.01f), a2 = a0.add(0.02f), a3 = a0.add(0.03f);
        FloatVector a4 = a0.add(0.04f), a5 = a0.add(0.05f), a6 = a0.add(0.06f), a7 = a0.add(0.07f);
        FloatVector a8 = a0.add(0.08f), a9 = a0.add(0.09f), a10 = a0.add(0.10f), a11 = a0.add(0.11f);
        for (long i = 0; i < iters; i++) { // acc·m + c with m close to 1: values stay finite and normal
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        a0 = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).add(a8.add(a9).add(a10.add(a11)));
        for (VectorShuffle<Float> f : FOLDS) {
            a0 = a0.add(a0.rearrange(f));
        }
        return a0.lane(0);
    }

    @Override
    public float streamSum(MemorySegment s, long off, long len) {
        long vb = SPECIES.vectorByteSize();
        return sum4(s, off, off + len - 4 * vb, 4 * vb, vb);   // one stream, four vectors per step
    }

    @Override
    public float streamSum4(MemorySegment s, long off, long part) {
        long vb = SPECIES.vectorByteSize();
        return sum4(s, off, off + part - vb, vb, part);        // four streams, part bytes apart
    }

    /** The f32 sum of the vectors at o, o + gap, o + 2·gap, o + 3·gap for o = from, from + step, … ≤ last. */
    private static float sum4(MemorySegment s, long from, long last, long step, long gap) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (long o = from; o <= last; o += step) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, s, o, LE));
            s1 = s1.add(FloatVector.fromMemorySegment(SPECIES, s, o + gap, LE));
            s2 = s2.add(FloatVector.fromMemorySegment(SPECIES, s, o + 2 * gap, LE));
            s3 = s3.add(FloatVector.fromMemorySegment(SPECIES, s, o + 3 * gap, LE));
        }
        s0 = s0.add(s1).add(s2.add(s3));
        for (VectorShuffle<Float> f : FOLDS) {
            s0 = s0.add(s0.rearrange(f));
        }
        return s0.lane(0);
    }
}
