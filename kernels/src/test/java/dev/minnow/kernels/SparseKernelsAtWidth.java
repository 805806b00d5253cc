package dev.minnow.kernels;

import dev.minnow.kernels.vector.VectorSparseKernels;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link VectorSparseKernels} at any width in this JVM (its width is a static final, as in
 * {@link QuantKernelsAtWidth}): a fresh copy of just that class in a child loader while {@code minnow.vectorBits}
 * says the wanted width, built on the vector dense and quantized kernels of the same width.
 */
final class SparseKernelsAtWidth {
    private static final String NAME = "dev.minnow.kernels.vector.VectorSparseKernels";
    private static final Map<String, SparseKernels> CACHE = new ConcurrentHashMap<>();

    private SparseKernelsAtWidth() {}

    static synchronized SparseKernels vector(int bits, boolean fma) {
        Kernels f32 = KernelProvider.vector(bits);
        QuantKernels quant = QuantKernelsAtWidth.vector(bits, fma);
        if (bits == VectorSparseKernels.BITS) {
            return new VectorSparseKernels(f32, quant, fma);
        }
        return CACHE.computeIfAbsent(bits + "/" + fma, key -> load(bits, f32, quant, fma));
    }

    private static SparseKernels load(int bits, Kernels f32, QuantKernels quant, boolean fma) {
        Class<?> c = ClassAtWidth.load(NAME, bits);
        try {
            SparseKernels k = (SparseKernels) c.getConstructor(Kernels.class, QuantKernels.class, boolean.class)
                    .newInstance(f32, quant, fma);
            if (k.vectorBits() != bits) {
                throw new IllegalStateException("loaded " + k.name() + ", wanted " + bits + " bits");
            }
            return k;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + NAME + " at " + bits + " bits", e);
        }
    }
}
