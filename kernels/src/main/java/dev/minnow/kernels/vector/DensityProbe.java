package dev.minnow.kernels.vector;

import dev.minnow.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * How fast one core streams memory while it computes: the read bandwidth of a loop that does the decode GEMV's work
 * per loaded vector — {@code levels} times (mask a 4-bit level in place, convert it to f32, multiply-add it with a
 * broadcast activation), the op mix of {@link VectorQuantKernels}' panel kernel — against the plain sum of
 * {@link MachineProbe#readBandwidth}. It answers whether a 4-bit GEMV written with the Vector API can reach the
 * memory's rate: levels 8 is the panel kernel's density (3 vector operations per 16 weights, ~26 per 64-byte line),
 * levels 2 about that of llama.cpp's VNNI loop (one vpdpbusd per 64 multiply-adds plus the unpacking). Variants:
 * {@code streams} 2 walks two far-apart halves of each thread's share at once (two sequential streams for the
 * hardware prefetcher), {@code bits} the exponent trick instead of the conversion (the level shifted into an f32
 * mantissa, masked and OR-ed with an exponent: AND+OR, one vpternlogd where C2 fuses them, and no conversion).
 * Measurement tool for BENCHMARKS.md; the arithmetic is meaningless, only the rate counts.
 */
public final class DensityProbe {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int BYTES = INTS.vectorByteSize();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float[] XS = new float[4096];

    static {
        for (int i = 0; i < XS.length; i++) {
            XS[i] = (i % 255) - 127;
        }
    }

    private DensityProbe() {}

    /** Vector width in bits of this probe (the preferred species). */
    public static int bits() {
        return BYTES * 8;
    }

    /**
     * GB/s read at {@code threads} threads over a fresh {@code bytes}-byte buffer, best of {@code reps} passes after a
     * warm-up; {@code levels} 0 (plain sum), 2, 4 or 8; {@code streams} 1 or 2; {@code bits} the exponent trick (levels
     * 8 only); each thread's chunk is read {@code passes} times in a row (1 streams from memory when the buffer is much
     * larger than the caches; many passes over a small buffer measure the loop's own rate from the caches).
     */
    public static double stream(int levels, int streams, boolean bits, int threads, long bytes, int reps, int passes) {
        if (levels != 0 && levels != 2 && levels != 4 && levels != 8 || streams != 1 && streams != 2 && streams != 4
                || bits && levels != 8 || streams == 4 && !bits) {
            throw new IllegalArgumentException("levels 0/2/4/8, streams 1/2 (4 with bits), bits only at 8: " + levels + " " + streams + " " + bits);
        }
        int t = Math.min(threads, Parallel.poolSize());
        long unit = 2L * BYTES * 64;
        long size = Math.max(unit, bytes / unit * unit);
        double best = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(size, 4096);
            buf.fill((byte) 0x35);
            int chunks = 16 * t;
            long per = size / chunks / unit * unit;
            float[] sink = new float[chunks];
            MachineProbe.warmUp(() -> sink[0] += run(levels, streams, bits, buf, 0, Math.min(per, 1 << 20)), 0.1, 3);
            for (int r = 0; r < reps + 1; r++) {
                long[] ns = new long[1];
                Parallel.withThreads(t, () -> {
                    long t0 = System.nanoTime();
                    Parallel.forChunks(chunks, 1, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            for (int q = 0; q < passes; q++) {
                                sink[i] += run(levels, streams, bits, buf, i * per, per);
                            }
                        }
                    });
                    ns[0] = System.nanoTime() - t0;
                });
                if (r > 0) {
                    best = Math.max(best, (double) per * chunks * passes / ns[0]);
                }
            }
            if (Float.isNaN(sink[0])) {
                throw new AssertionError("probe read NaN");
            }
        }
        return best;
    }

    private static float run(int levels, int streams, boolean bits, MemorySegment m, long off, long len) {
        if (levels == 0) {
            return sum(m, off, len);
        }
        if (bits) {
            return streams == 1 ? bits8(m, off, len) : streams == 2 ? bits8x2(m, off, len) : bits8x4(m, off, len);
        }
        if (streams == 2) {
            return levels8x2(m, off, len);
        }
        return switch (levels) {
            case 2 -> levels2(m, off, len);
            case 4 -> levels4(m, off, len);
            default -> levels8(m, off, len);
        };
    }

    private static float sum(MemorySegment m, long off, long len) {
        IntVector a = IntVector.zero(INTS), b = a, c = a, d = a;
        for (long o = off; o < off + len; o += 4L * BYTES) {
            a = a.add(IntVector.fromMemorySegment(INTS, m, o, LE));
            b = b.add(IntVector.fromMemorySegment(INTS, m, o + BYTES, LE));
            c = c.add(IntVector.fromMemorySegment(INTS, m, o + 2L * BYTES, LE));
            d = d.add(IntVector.fromMemorySegment(INTS, m, o + 3L * BYTES, LE));
        }
        return a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector lv(IntVector v, int mask, int e, FloatVector acc) {
        return ((FloatVector) v.and(mask).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(FLOATS, XS[e]), acc);
    }

    private static float levels2(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        for (long o = off; o < off + len; o += 2L * BYTES, e = (e + 4) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector w = IntVector.fromMemorySegment(INTS, m, o + BYTES, LE);
            a0 = lv(v, 0xf, e, a0);
            a1 = lv(v, 0xf0, e + 1, a1);
            a2 = lv(w, 0xf, e + 2, a2);
            a3 = lv(w, 0xf0, e + 3, a3);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static float levels4(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        int e = 0;
        for (long o = off; o < off + len; o += BYTES, e = (e + 4) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            a0 = lv(v, 0xf, e, a0);
            a1 = lv(v, 0xf0, e + 1, a1);
            a2 = lv(v, 0xf00, e + 2, a2);
            a3 = lv(v, 0xf000, e + 3, a3);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static float levels8(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int e = 0;
        for (long o = off; o < off + len; o += BYTES, e = (e + 8) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector h = v.lanewise(VectorOperators.LSHR, 16);
            a0 = lv(v, 0xf, e, a0);
            a1 = lv(v, 0xf0, e + 1, a1);
            a2 = lv(v, 0xf00, e + 2, a2);
            a3 = lv(v, 0xf000, e + 3, a3);
            a4 = lv(h, 0xf, e + 4, a4);
            a5 = lv(h, 0xf0, e + 5, a5);
            a6 = lv(h, 0xf00, e + 6, a6);
            a7 = lv(h, 0xf000, e + 7, a7);
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    private static float levels8x2(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        IntVector m0 = IntVector.broadcast(INTS, 0xf), m1 = IntVector.broadcast(INTS, 0xf0);
        IntVector m2 = IntVector.broadcast(INTS, 0xf00), m3 = IntVector.broadcast(INTS, 0xf000);
        long half = len / 2;
        int e = 0;
        for (long o = off; o < off + half; o += BYTES, e = (e + 8) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector w = IntVector.fromMemorySegment(INTS, m, o + half, LE);
            for (int k = 0; k < 2; k++) {
                FloatVector x = FloatVector.broadcast(FLOATS, XS[e + 4 * k]);
                a0 = ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).fma(x, a0);
                b0 = ((FloatVector) w.and(m0).convert(VectorOperators.I2F, 0)).fma(x, b0);
                x = FloatVector.broadcast(FLOATS, XS[e + 4 * k + 1]);
                a1 = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0)).fma(x, a1);
                b1 = ((FloatVector) w.and(m1).convert(VectorOperators.I2F, 0)).fma(x, b1);
                x = FloatVector.broadcast(FLOATS, XS[e + 4 * k + 2]);
                a2 = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0)).fma(x, a2);
                b2 = ((FloatVector) w.and(m2).convert(VectorOperators.I2F, 0)).fma(x, b2);
                x = FloatVector.broadcast(FLOATS, XS[e + 4 * k + 3]);
                a3 = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0)).fma(x, a3);
                b3 = ((FloatVector) w.and(m3).convert(VectorOperators.I2F, 0)).fma(x, b3);
                v = v.lanewise(VectorOperators.LSHR, 16);
                w = w.lanewise(VectorOperators.LSHR, 16);
            }
        }
        return a0.add(a1).add(a2.add(a3)).add(b0.add(b1).add(b2.add(b3))).reduceLanes(VectorOperators.ADD);
    }

    private static float bits8(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        IntVector ma = IntVector.broadcast(INTS, 0xf000), mb = IntVector.broadcast(INTS, 0xf0000);
        IntVector one = IntVector.broadcast(INTS, 0x3f800000);
        int e = 0;
        for (long o = off; o < off + len; o += BYTES, e = (e + 8) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector s0 = v.lanewise(VectorOperators.LSHL, 12);
            IntVector s1 = v.lanewise(VectorOperators.LSHL, 4);
            IntVector s2 = v.lanewise(VectorOperators.LSHR, 4);
            IntVector s3 = v.lanewise(VectorOperators.LSHR, 12);
            a0 = s0.and(ma).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e]), a0);
            a1 = s0.and(mb).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 1]), a1);
            a2 = s1.and(ma).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 2]), a2);
            a3 = s1.and(mb).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 3]), a3);
            a4 = s2.and(ma).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 4]), a4);
            a5 = s2.and(mb).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 5]), a5);
            a6 = s3.and(ma).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 6]), a6);
            a7 = s3.and(mb).or(one).reinterpretAsFloats().fma(FloatVector.broadcast(FLOATS, XS[e + 7]), a7);
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    private static float bits8x2(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        IntVector ma = IntVector.broadcast(INTS, 0xf000), mb = IntVector.broadcast(INTS, 0xf0000);
        IntVector one = IntVector.broadcast(INTS, 0x3f800000);
        long half = len / 2;
        int e = 0;
        for (long o = off; o < off + half; o += BYTES, e = (e + 8) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector w = IntVector.fromMemorySegment(INTS, m, o + half, LE);
            FloatVector x = FloatVector.broadcast(FLOATS, XS[e]);
            IntVector s = v.lanewise(VectorOperators.LSHL, 12), t = w.lanewise(VectorOperators.LSHL, 12);
            a0 = s.and(ma).or(one).reinterpretAsFloats().fma(x, a0);
            b0 = t.and(ma).or(one).reinterpretAsFloats().fma(x, b0);
            x = FloatVector.broadcast(FLOATS, XS[e + 1]);
            a1 = s.and(mb).or(one).reinterpretAsFloats().fma(x, a1);
            b1 = t.and(mb).or(one).reinterpretAsFloats().fma(x, b1);
            s = v.lanewise(VectorOperators.LSHL, 4);
            t = w.lanewise(VectorOperators.LSHL, 4);
            x = FloatVector.broadcast(FLOATS, XS[e + 2]);
            a2 = s.and(ma).or(one).reinterpretAsFloats().fma(x, a2);
            b2 = t.and(ma).or(one).reinterpretAsFloats().fma(x, b2);
            x = FloatVector.broadcast(FLOATS, XS[e + 3]);
            a3 = s.and(mb).or(one).reinterpretAsFloats().fma(x, a3);
            b3 = t.and(mb).or(one).reinterpretAsFloats().fma(x, b3);
            s = v.lanewise(VectorOperators.LSHR, 4);
            t = w.lanewise(VectorOperators.LSHR, 4);
            x = FloatVector.broadcast(FLOATS, XS[e + 4]);
            a0 = s.and(ma).or(one).reinterpretAsFloats().fma(x, a0);
            b0 = t.and(ma).or(one).reinterpretAsFloats().fma(x, b0);
            x = FloatVector.broadcast(FLOATS, XS[e + 5]);
            a1 = s.and(mb).or(one).reinterpretAsFloats().fma(x, a1);
            b1 = t.and(mb).or(one).reinterpretAsFloats().fma(x, b1);
            s = v.lanewise(VectorOperators.LSHR, 12);
            t = w.lanewise(VectorOperators.LSHR, 12);
            x = FloatVector.broadcast(FLOATS, XS[e + 6]);
            a2 = s.and(ma).or(one).reinterpretAsFloats().fma(x, a2);
            b2 = t.and(ma).or(one).reinterpretAsFloats().fma(x, b2);
            x = FloatVector.broadcast(FLOATS, XS[e + 7]);
            a3 = s.and(mb).or(one).reinterpretAsFloats().fma(x, a3);
            b3 = t.and(mb).or(one).reinterpretAsFloats().fma(x, b3);
        }
        return a0.add(a1).add(a2.add(a3)).add(b0.add(b1).add(b2.add(b3))).reduceLanes(VectorOperators.ADD);
    }
    private static float bits8x4(MemorySegment m, long off, long len) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        IntVector ma = IntVector.broadcast(INTS, 0xf000), mb = IntVector.broadcast(INTS, 0xf0000);
        IntVector one = IntVector.broadcast(INTS, 0x3f800000);
        long q = len / 4 / BYTES * BYTES;
        int e = 0;
        for (long o = off; o < off + q; o += BYTES, e = (e + 8) & 4095) {
            IntVector v = IntVector.fromMemorySegment(INTS, m, o, LE);
            IntVector w = IntVector.fromMemorySegment(INTS, m, o + q, LE);
            IntVector t = IntVector.fromMemorySegment(INTS, m, o + 2 * q, LE);
            IntVector u = IntVector.fromMemorySegment(INTS, m, o + 3 * q, LE);
            for (int k = 0; k < 4; k++) {
                int sh = 12 - 8 * k;
                IntVector sv = sh >= 0 ? v.lanewise(VectorOperators.LSHL, sh) : v.lanewise(VectorOperators.LSHR, -sh);
                IntVector sw = sh >= 0 ? w.lanewise(VectorOperators.LSHL, sh) : w.lanewise(VectorOperators.LSHR, -sh);
                IntVector st = sh >= 0 ? t.lanewise(VectorOperators.LSHL, sh) : t.lanewise(VectorOperators.LSHR, -sh);
                IntVector su = sh >= 0 ? u.lanewise(VectorOperators.LSHL, sh) : u.lanewise(VectorOperators.LSHR, -sh);
                FloatVector x = FloatVector.broadcast(FLOATS, XS[e + 2 * k]);
                FloatVector y = FloatVector.broadcast(FLOATS, XS[e + 2 * k + 1]);
                a0 = sv.and(ma).or(one).reinterpretAsFloats().fma(x, a0);
                a1 = sv.and(mb).or(one).reinterpretAsFloats().fma(y, a1);
                b0 = sw.and(ma).or(one).reinterpretAsFloats().fma(x, b0);
                b1 = sw.and(mb).or(one).reinterpretAsFloats().fma(y, b1);
                c0 = st.and(ma).or(one).reinterpretAsFloats().fma(x, c0);
                c1 = st.and(mb).or(one).reinterpretAsFloats().fma(y, c1);
                d0 = su.and(ma).or(one).reinterpretAsFloats().fma(x, d0);
                d1 = su.and(mb).or(one).reinterpretAsFloats().fma(y, d1);
            }
        }
        return a0.add(a1).add(b0.add(b1)).add(c0.add(c1).add(d0.add(d1))).reduceLanes(VectorOperators.ADD);
    }
}
