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

    @Override
    public void depthwise(int k, int stride, MemorySegment in, long inOff, int hp, int pw,
                          MemorySegment w, long wOff, float bias, MemorySegment out, long outOff, int ho, int wo) {
        long phase = (long) hp * pw;
        int taps = k * k;
        float[] wt = new float[taps];
        MemorySegment.copy(w, F32, wOff * 4, wt, 0, taps);
        int[] tapOffset = new int[taps];
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                tapOffset[ky * k + kx] = (int) ((kx % stride) * phase + (long) ky * pw + kx / stride);
            }
        }
        FloatVector vb = FloatVector.broadcast(species, bias);
        int vecEnd = wo - wo % lanes;
        for (int oy = 0; oy < ho; oy++) {
            long rowBase = inOff + (long) oy * stride * pw;
            long outRow = outOff + (long) oy * wo;
            int ox = 0;
            for (; ox < vecEnd; ox += lanes) {
                FloatVector acc = vb;
                long base = rowBase + ox;
                for (int t = 0; t < taps; t++) {
                    FloatVector x = FloatVector.fromMemorySegment(species, in, (base + tapOffset[t]) * 4, LE);
                    FloatVector wv = FloatVector.broadcast(species, wt[t]);
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
