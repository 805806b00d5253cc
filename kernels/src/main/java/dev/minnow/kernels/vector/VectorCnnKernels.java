package dev.minnow.kernels.vector;

import dev.minnow.kernels.CnnKernels;

/** Factory of the Vector API {@link CnnKernels}: one {@link CnnF32} copy per (width, FMA), see {@link Specializer}. */
public final class VectorCnnKernels {
    private VectorCnnKernels() {}

    /** The kernels at {@code bits} (128, 256 or 512) with or without FMA. */
    public static CnnKernels create(int bits, boolean fma) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        return Specializer.instance(CnnF32.class, CnnKernels.class, bits, fma);
    }
}
