package dev.minnow.kernels;

import dev.minnow.kernels.vector.VectorSparseKernels;
import java.io.IOException;
import java.io.InputStream;
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
        ClassLoader parent = VectorSparseKernels.class.getClassLoader();
        ClassLoader child = new ClassLoader("vector-sparse-" + bits, parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.startsWith(NAME)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        try (InputStream in = parent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                            if (in == null) {
                                throw new ClassNotFoundException(name);
                            }
                            byte[] b = in.readAllBytes();
                            c = defineClass(name, b, 0, b.length);
                        } catch (IOException e) {
                            throw new ClassNotFoundException(name, e);
                        }
                    }
                    return c;
                }
            }
        };
        String old = System.getProperty("minnow.vectorBits");
        System.setProperty("minnow.vectorBits", Integer.toString(bits));
        try {
            Class<?> c = Class.forName(NAME, true, child);
            SparseKernels k = (SparseKernels) c.getConstructor(Kernels.class, QuantKernels.class, boolean.class)
                    .newInstance(f32, quant, fma);
            if (k.vectorBits() != bits) {
                throw new IllegalStateException("loaded " + k.name() + ", wanted " + bits + " bits");
            }
            return k;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + NAME + " at " + bits + " bits", e);
        } finally {
            if (old == null) {
                System.clearProperty("minnow.vectorBits");
            } else {
                System.setProperty("minnow.vectorBits", old);
            }
        }
    }
}
