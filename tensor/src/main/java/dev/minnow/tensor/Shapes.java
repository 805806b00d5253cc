package dev.minnow.tensor;

import java.util.Arrays;

/** Shape arithmetic with overflow and sign checks. */
public final class Shapes {
    private Shapes() {}

    /** Product of dims; throws on a negative dim or on overflow. */
    public static long elementCount(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a long", e);
            }
        }
        return n;
    }

    /** Row-major strides in elements. */
    public static long[] rowMajorStrides(long... shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    public static String toString(long... shape) {
        return Arrays.toString(shape);
    }
}
