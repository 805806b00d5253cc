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
        String old = System.getProperty("minnow.vectorBits");
        System.setProperty("minnow.vectorBits", Integer.toString(bits));
        try {
            return Class.forName(name, true, child);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot load " + name + " at " + bits + " bits", e);
        } finally {
            if (old == null) {
                System.clearProperty("minnow.vectorBits");
            } else {
                System.setProperty("minnow.vectorBits", old);
            }
        }
    }
}
