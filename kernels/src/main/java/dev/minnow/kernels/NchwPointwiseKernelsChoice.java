package dev.minnow.kernels;

/** Holds the process-wide {@link NchwPointwiseKernels}, chosen on first use to follow {@link KernelProvider}'s choice. */
final class NchwPointwiseKernelsChoice {
    static final NchwPointwiseKernels INSTANCE = choose();

    private NchwPointwiseKernelsChoice() {}

    private static NchwPointwiseKernels choose() {
        Kernels k = KernelProvider.get();
        if (k.vectorBits() == 0) {
            return NchwPointwiseKernels.scalar();
        }
        return dev.minnow.kernels.vector.VectorNchwPointwiseKernels.create(k.vectorBits(), !k.name().endsWith("-nofma"));
    }
}
