package dev.minnow.kernels;

import java.io.IOException;
import java.io.InputStream;

/**
 * A fresh copy of one Vector API kernel class whose width is a static final fixed at class initialization: the class
 * (and its nested classes) is defined again in a child loader while {@code minnow.vectorBits} says the wanted width;
 * everything else is shared with the caller, so an instance of the copy is an ordinary implementation of the
 * kernel interface. Used by {@link QuantKernelsAtWidth} and {@link SparseKernelsAtWidth}.
 */
final class ClassAtWidth {
    private ClassAtWidth() {}

    static Class<?> load(String name, int bits) {
        return load(name, bits, java.util.Map.of());
    }

    /** As {@link #load(String, int)}, with more system properties set while the copy initializes. */
    static Class<?> load(String name, int bits, java.util.Map<String, String> properties) {
        ClassLoader parent = ClassAtWidth.class.getClassLoader();
        ClassLoader child = new ClassLoader(name + "-" + bits, parent) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (!n.startsWith(name)) {
                    return super.loadClass(n, resolve);
                }
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    if (c == null) {
                        try (InputStream in = parent.getResourceAsStream(n.replace('.', '/') + ".class")) {
                            if (in == null) {
                                throw new ClassNotFoundException(n);
                            }
                            byte[] b = in.readAllBytes();
                            c = defineClass(n, b, 0, b.length);
                        } catch (IOException e) {
                            throw new ClassNotFoundException(n, e);
                        }
                    }
                    return c;
                }
            }
        };
        java.util.Map<String, String> all = new java.util.HashMap<>(properties);
        all.put("minnow.vectorBits", Integer.toString(bits));
        java.util.Map<String, String> old = new java.util.HashMap<>();
        all.forEach((k, v) -> old.put(k, System.getProperty(k)));
        all.forEach(System::setProperty);
        try {
            return Class.forName(name, true, child);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot load " + name + " at " + bits + " bits", e);
        } finally {
            old.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }
}
