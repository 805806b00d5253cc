package dev.minnow.kernels;

/** Holds the process-wide {@link Int8ConvKernels}: the vector class loads only when the vector kernels were chosen. */
final class Int8ConvKernelsChoice {
    static final Int8ConvKernels INSTANCE = choose();

    private Int8ConvKernelsChoice() {}

    private static Int8ConvKernels choose() {
        Kernels k = KernelProvider.get();
        return k.vectorBits() == 0 ? Int8ConvKernels.scalar() : new dev.minnow.kernels.vector.VectorInt8ConvKernels(k.vectorBits());
    }
}
