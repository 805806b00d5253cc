package dev.minnow.kernels;

/** Holds the process-wide {@link ConvKernels}, chosen on first use to follow {@link KernelProvider}'s choice. */
final class ConvKernelsChoice {
    static final ConvKernels INSTANCE = choose();

    private ConvKernelsChoice() {}

    private static ConvKernels choose() {
        Kernels k = KernelProvider.get();
        if (k.vectorBits() == 0) {
            return ConvKernels.scalar();
        }
        return new dev.minnow.kernels.vector.VectorConvKernels(k.vectorBits(), !k.name().endsWith("-nofma"));
    }
}
