package dev.minnow.kernels.vector;

import dev.minnow.kernels.ConvKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarConvKernels}: the depthwise kernel vectorises along output columns (each tap a
 * contiguous load thanks to the phase-split layout) and keeps the whole k×k accumulation in one register, in the
 * specification's tap order; only FMA rounding differs. The last partial vector of a row is masked.
 */
public final class VectorConvKernels implements ConvKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final VectorSpecies<Float> species;
    private final int lanes;
    private final boolean fma;

    public VectorConvKernels(int bits, boolean fma) {
        this.species = switch (bits) {
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        };
        this.lanes = species.length();
        this.fma = fma;
    }

    @Override
    public String name() { return "vector-" + species.vectorBitSize() + (fma ? "" : "-nofma"); }

    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;

    @Override
    public void depthwise(int k, int stride, MemorySegment in, long inOff, int hp, int pw,
                          MemorySegment w, long wOff, float bias, MemorySegment out, long outOff, int ho, int wo) {
        int taps = k * k;
        float[] wt = new float[taps];
        MemorySegment.copy(w, F32, wOff * 4, wt, 0, taps);
        int[] tapOffset = new int[taps];
        long phase = (long) hp * pw;
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                tapOffset[ky * k + kx] = (int) ((kx % stride) * phase + (long) ky * pw + kx / stride);
            }
        }
        switch (lanes) {
            case 4 -> rows128(fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
            case 8 -> rows256(fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
            default -> rows512(fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
        }
    }

    // One copy per width, each naming its static final species: C2 intrinsifies the Vector API only when the species
    // is a compile-time constant; with the species passed as an argument the kernel ran at 0.3 GFLOP/s.

    private static void rows128(boolean fma, float[] wt, int[] tapOffset, int stride, MemorySegment in, long inOff, int pw,
                                float bias, MemorySegment out, long outOff, int ho, int wo) {
        int taps = wt.length;
        int lanes = S128.length();
        int vecEnd = wo - wo % lanes;
        for (int oy = 0; oy < ho; oy++) {
            long rowBase = inOff + (long) oy * stride * pw;
            long outRow = outOff + (long) oy * wo;
            int ox = 0;
            for (; ox < vecEnd; ox += lanes) {
                FloatVector acc = FloatVector.broadcast(S128, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S128, in, base + tapOffset[t] * 4L, LE);
                    FloatVector wv = FloatVector.broadcast(S128, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE);
            }
            if (ox < wo) { // the last partial vector, masked: same per-lane order as the full ones
                VectorMask<Float> m = S128.indexInRange(ox, wo);
                FloatVector acc = FloatVector.broadcast(S128, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S128, in, base + tapOffset[t] * 4L, LE, m);
                    FloatVector wv = FloatVector.broadcast(S128, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE, m);
            }
        }
    }

    private static void rows256(boolean fma, float[] wt, int[] tapOffset, int stride, MemorySegment in, long inOff, int pw,
                                float bias, MemorySegment out, long outOff, int ho, int wo) {
        int taps = wt.length;
        int lanes = S256.length();
        int vecEnd = wo - wo % lanes;
        for (int oy = 0; oy < ho; oy++) {
            long rowBase = inOff + (long) oy * stride * pw;
            long outRow = outOff + (long) oy * wo;
            int ox = 0;
            for (; ox < vecEnd; ox += lanes) {
                FloatVector acc = FloatVector.broadcast(S256, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S256, in, base + tapOffset[t] * 4L, LE);
                    FloatVector wv = FloatVector.broadcast(S256, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE);
            }
            if (ox < wo) { // the last partial vector, masked: same per-lane order as the full ones
                VectorMask<Float> m = S256.indexInRange(ox, wo);
                FloatVector acc = FloatVector.broadcast(S256, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S256, in, base + tapOffset[t] * 4L, LE, m);
                    FloatVector wv = FloatVector.broadcast(S256, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE, m);
            }
        }
    }

    private static void rows512(boolean fma, float[] wt, int[] tapOffset, int stride, MemorySegment in, long inOff, int pw,
                                float bias, MemorySegment out, long outOff, int ho, int wo) {
        int taps = wt.length;
        int lanes = S512.length();
        int vecEnd = wo - wo % lanes;
        for (int oy = 0; oy < ho; oy++) {
            long rowBase = inOff + (long) oy * stride * pw;
            long outRow = outOff + (long) oy * wo;
            int ox = 0;
            for (; ox < vecEnd; ox += lanes) {
                FloatVector acc = FloatVector.broadcast(S512, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S512, in, base + tapOffset[t] * 4L, LE);
                    FloatVector wv = FloatVector.broadcast(S512, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE);
            }
            if (ox < wo) { // the last partial vector, masked: same per-lane order as the full ones
                VectorMask<Float> m = S512.indexInRange(ox, wo);
                FloatVector acc = FloatVector.broadcast(S512, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(S512, in, base + tapOffset[t] * 4L, LE, m);
                    FloatVector wv = FloatVector.broadcast(S512, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE, m);
            }
        }
    }
}
