package dev.minnow.kernels;

import dev.minnow.kernels.vector.VectorQuantKernels;
import java.io.IOException;
import java.io.InputStream;
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

    private static QuantKernels load(int bits, boolean fma) {
        ClassLoader parent = VectorQuantKernels.class.getClassLoader();
        ClassLoader child = new ClassLoader("vector-quant-" + bits, parent) {
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
            QuantKernels k = (QuantKernels) c.getConstructor(boolean.class).newInstance(fma);
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
