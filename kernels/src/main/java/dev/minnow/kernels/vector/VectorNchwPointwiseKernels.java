package dev.minnow.kernels.vector;

import dev.minnow.kernels.NchwPointwiseKernels;

/** Factory of the Vector API {@link NchwPointwiseKernels}: one {@link NchwPointwiseF32} copy per (width, FMA), see {@link Specializer}. */
public final class VectorNchwPointwiseKernels {
    private VectorNchwPointwiseKernels() {}

    /** The kernels at {@code bits} (128, 256 or 512) with or without FMA. */
    public static NchwPointwiseKernels create(int bits, boolean fma) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        return Specializer.instance(NchwPointwiseF32.class, NchwPointwiseKernels.class, bits, fma);
    }
}
