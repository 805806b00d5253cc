package dev.minnow.kernels;

/** Holds the process-wide {@link CnnKernels}, chosen on first use to follow {@link KernelProvider}'s choice. */
final class CnnKernelsChoice {
    static final CnnKernels INSTANCE = choose();

    private CnnKernelsChoice() {}

    private static CnnKernels choose() {
        Kernels k = KernelProvider.get();
        if (k.vectorBits() == 0) {
            return CnnKernels.scalar();
        }
        return dev.minnow.kernels.vector.VectorCnnKernels.create(k.vectorBits(), !k.name().endsWith("-nofma"));
    }
}
