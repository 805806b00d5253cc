package dev.minnow.kernels;

import dev.minnow.kernels.vector.VectorQuantKernels;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link VectorQuantKernels} at any width in this JVM. Its width is a static final (C2 needs constant species), so
 * for widths other than the one this JVM initialized, a fresh copy of just that class is defined in a child loader
 * while {@code minnow.vectorBits} says the wanted width; everything else (the interface, the scalar superclass,
 * DType) is shared with the test, so the copy is an ordinary {@link QuantKernels}.
 */
final class QuantKernelsAtWidth {
    private static final String NAME = "dev.minnow.kernels.vector.VectorQuantKernels";
    private static final Map<String, QuantKernels> CACHE = new ConcurrentHashMap<>();

    private QuantKernelsAtWidth() {}

    static synchronized QuantKernels vector(int bits, boolean fma) {
        if (bits == VectorQuantKernels.BITS) {
            return new VectorQuantKernels(fma);
        }
        return CACHE.computeIfAbsent(bits + "/" + fma, key -> load(bits, fma));
    }

    /** A copy at {@code bits} initialized with one more system property (a static-final switch of the class). */
    static synchronized QuantKernels vector(int bits, boolean fma, String key, String value) {
        return CACHE.computeIfAbsent(bits + "/" + fma + "/" + key + "=" + value, k -> load(bits, fma, java.util.Map.of(key, value)));
    }

    /** A copy at {@code bits} initialized with these system properties (static-final switches of the class). */
    static synchronized QuantKernels vector(int bits, boolean fma, java.util.Map<String, String> properties) {
        return CACHE.computeIfAbsent(bits + "/" + fma + "/" + new java.util.TreeMap<>(properties), k -> load(bits, fma, properties));
    }

    private static QuantKernels load(int bits, boolean fma) {
        return load(bits, fma, java.util.Map.of());
    }

    private static QuantKernels load(int bits, boolean fma, java.util.Map<String, String> properties) {
        Class<?> c = ClassAtWidth.load(NAME, bits, properties);
        try {
            QuantKernels k = (QuantKernels) c.getConstructor(boolean.class).newInstance(fma);
            if (k.vectorBits() != bits) {
                throw new IllegalStateException("loaded " + k.name() + ", wanted " + bits + " bits");
            }
            return k;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + NAME + " at " + bits + " bits", e);
        }
    }
}
