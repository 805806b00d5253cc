package dev.minnow.kernels;

/** Holds the process-wide {@link PointwiseConvKernels}, chosen on first use to follow {@link KernelProvider}'s choice. */
final class PointwiseConvKernelsChoice {
    static final PointwiseConvKernels INSTANCE = choose();

    private PointwiseConvKernelsChoice() {}

    private static PointwiseConvKernels choose() {
        Kernels k = KernelProvider.get();
        if (k.vectorBits() == 0) {
            return PointwiseConvKernels.scalar();
        }
        return new dev.minnow.kernels.vector.VectorPointwiseConvKernels(!k.name().endsWith("-nofma"));
    }
}
