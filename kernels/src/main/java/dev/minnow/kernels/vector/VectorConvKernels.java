package dev.minnow.kernels.vector;

import dev.minnow.kernels.ConvKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarConvKernels}: the depthwise kernel vectorises along output columns (each tap a
 * contiguous load thanks to the phase-split layout) and keeps the whole k×k accumulation in one register, in the
 * specification's tap order; only FMA rounding differs. Column tails run the scalar definition.
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
        // a constant species at each call site lets C2 intrinsify the inlined loop
        switch (lanes) {
            case 4 -> rows(S128, fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
            case 8 -> rows(S256, fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
            default -> rows(S512, fma, wt, tapOffset, stride, in, inOff, pw, bias, out, outOff, ho, wo);
        }
    }

    private static void rows(VectorSpecies<Float> sp, boolean fma, float[] wt, int[] tapOffset, int stride, MemorySegment in,
                             long inOff, int pw, float bias, MemorySegment out, long outOff, int ho, int wo) {
        int taps = wt.length;
        int lanes = sp.length();
        int vecEnd = wo - wo % lanes;
        for (int oy = 0; oy < ho; oy++) {
            long rowBase = inOff + (long) oy * stride * pw;
            long outRow = outOff + (long) oy * wo;
            int ox = 0;
            for (; ox < vecEnd; ox += lanes) {
                FloatVector acc = FloatVector.broadcast(sp, bias);
                long base = (rowBase + ox) * 4;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(sp, in, base + tapOffset[t] * 4L, LE);
                    FloatVector wv = FloatVector.broadcast(sp, wt[t]);
                    acc = fma ? wv.fma(x, acc) : wv.mul(x).add(acc);
                }
                acc.intoMemorySegment(out, (outRow + ox) * 4, LE);
            }
            for (; ox < wo; ox++) {
                float acc = bias;
                long base = rowBase + ox;
                for (int t = 0; t < taps; t++) {
                    acc += wt[t] * in.getAtIndex(F32, base + tapOffset[t]);
                }
                out.setAtIndex(F32, outRow + ox, acc);
            }
        }
    }
}
