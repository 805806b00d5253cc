package dev.minnow.kernels.vector;

import dev.minnow.kernels.Int8ConvKernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarInt8ConvKernels}. L bytes of a row are widened with {@code convertShape(B2S)} to
 * L shorts, multiplied as shorts (an int8·int8 product fits: |p| ≤ 2¹⁴), and each pair of adjacent short products is
 * added into one int lane by reinterpreting as ints ({@code (v << 16 >> 16) + (v >> 16)}). A 2×2 block of outputs
 * shares its loads; the k tail is scalar. Integer sums are exact in any order, so this is bit-exact with the spec.
 * One copy of the loops per width, each naming static final species (C2 intrinsifies only constant species).
 */
public final class VectorInt8ConvKernels implements Int8ConvKernels {
    private final int bits;

    public VectorInt8ConvKernels(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        this.bits = bits;
    }

    @Override
    public String name() { return "vector-" + bits; }

    @Override
    public void gemm(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
        switch (bits) {
            case 128 -> gemm128(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            case 256 -> gemm256(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            default -> gemm512(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    private static int tail(int from, int k, byte[] a, int ai, byte[] b, int bj) {
        int acc = 0;
        for (int p = from; p < k; p++) {
            acc += a[ai + p] * b[bj + p];
        }
        return acc;
    }

    private static final VectorSpecies<Byte> BYTES_128 = VectorSpecies.of(byte.class, VectorShape.forBitSize(64));
    private static final VectorSpecies<Short> SHORTS_128 = VectorSpecies.of(short.class, VectorShape.forBitSize(128));
    private static final VectorSpecies<Integer> INTS_128 = VectorSpecies.of(int.class, VectorShape.forBitSize(128));

    private static ShortVector load_128(byte[] x, int off) {
        return (ShortVector) ByteVector.fromArray(BYTES_128, x, off).convertShape(VectorOperators.B2S, SHORTS_128, 0);
    }

    private static IntVector pairs_128(ShortVector x, ShortVector y) {
        IntVector v = x.mul(y).reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private static void gemm128(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
        int step = BYTES_128.length();
        int kv = k - k % step;
        int i = 0;
        for (; i + 1 < m; i += 2) {
            int a0 = aOff + i * lda, a1 = a0 + lda;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                int b0 = bOff + j * ldb, b1 = b0 + ldb;
                IntVector s00 = IntVector.zero(INTS_128), s01 = s00, s10 = s00, s11 = s00;
                for (int p = 0; p < kv; p += step) {
                    ShortVector x0 = load_128(a, a0 + p), x1 = load_128(a, a1 + p);
                    ShortVector y0 = load_128(b, b0 + p), y1 = load_128(b, b1 + p);
                    s00 = s00.add(pairs_128(x0, y0));
                    s01 = s01.add(pairs_128(x0, y1));
                    s10 = s10.add(pairs_128(x1, y0));
                    s11 = s11.add(pairs_128(x1, y1));
                }
                int c0 = cOff + i * ldc + j, c1 = c0 + ldc;
                c[c0] = s00.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b0);
                c[c0 + 1] = s01.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b1);
                c[c1] = s10.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b0);
                c[c1 + 1] = s11.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b1);
            }
            if (j < n) {
                int bj = bOff + j * ldb;
                c[cOff + i * ldc + j] = dot128(kv, k, a, a0, b, bj);
                c[cOff + (i + 1) * ldc + j] = dot128(kv, k, a, a1, b, bj);
            }
        }
        if (i < m) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = dot128(kv, k, a, ai, b, bOff + j * ldb);
            }
        }
    }

    private static int dot128(int kv, int k, byte[] a, int ai, byte[] b, int bj) {
        int step = BYTES_128.length();
        IntVector s = IntVector.zero(INTS_128);
        for (int p = 0; p < kv; p += step) {
            s = s.add(pairs_128(load_128(a, ai + p), load_128(b, bj + p)));
        }
        return s.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, ai, b, bj);
    }

    private static final VectorSpecies<Byte> BYTES_256 = VectorSpecies.of(byte.class, VectorShape.forBitSize(128));
    private static final VectorSpecies<Short> SHORTS_256 = VectorSpecies.of(short.class, VectorShape.forBitSize(256));
    private static final VectorSpecies<Integer> INTS_256 = VectorSpecies.of(int.class, VectorShape.forBitSize(256));

    private static ShortVector load_256(byte[] x, int off) {
        return (ShortVector) ByteVector.fromArray(BYTES_256, x, off).convertShape(VectorOperators.B2S, SHORTS_256, 0);
    }

    private static IntVector pairs_256(ShortVector x, ShortVector y) {
        IntVector v = x.mul(y).reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private static void gemm256(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
        int step = BYTES_256.length();
        int kv = k - k % step;
        int i = 0;
        for (; i + 1 < m; i += 2) {
            int a0 = aOff + i * lda, a1 = a0 + lda;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                int b0 = bOff + j * ldb, b1 = b0 + ldb;
                IntVector s00 = IntVector.zero(INTS_256), s01 = s00, s10 = s00, s11 = s00;
                for (int p = 0; p < kv; p += step) {
                    ShortVector x0 = load_256(a, a0 + p), x1 = load_256(a, a1 + p);
                    ShortVector y0 = load_256(b, b0 + p), y1 = load_256(b, b1 + p);
                    s00 = s00.add(pairs_256(x0, y0));
                    s01 = s01.add(pairs_256(x0, y1));
                    s10 = s10.add(pairs_256(x1, y0));
                    s11 = s11.add(pairs_256(x1, y1));
                }
                int c0 = cOff + i * ldc + j, c1 = c0 + ldc;
                c[c0] = s00.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b0);
                c[c0 + 1] = s01.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b1);
                c[c1] = s10.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b0);
                c[c1 + 1] = s11.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b1);
            }
            if (j < n) {
                int bj = bOff + j * ldb;
                c[cOff + i * ldc + j] = dot256(kv, k, a, a0, b, bj);
                c[cOff + (i + 1) * ldc + j] = dot256(kv, k, a, a1, b, bj);
            }
        }
        if (i < m) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = dot256(kv, k, a, ai, b, bOff + j * ldb);
            }
        }
    }

    private static int dot256(int kv, int k, byte[] a, int ai, byte[] b, int bj) {
        int step = BYTES_256.length();
        IntVector s = IntVector.zero(INTS_256);
        for (int p = 0; p < kv; p += step) {
            s = s.add(pairs_256(load_256(a, ai + p), load_256(b, bj + p)));
        }
        return s.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, ai, b, bj);
    }

    private static final VectorSpecies<Byte> BYTES_512 = VectorSpecies.of(byte.class, VectorShape.forBitSize(256));
    private static final VectorSpecies<Short> SHORTS_512 = VectorSpecies.of(short.class, VectorShape.forBitSize(512));
    private static final VectorSpecies<Integer> INTS_512 = VectorSpecies.of(int.class, VectorShape.forBitSize(512));

    private static ShortVector load_512(byte[] x, int off) {
        return (ShortVector) ByteVector.fromArray(BYTES_512, x, off).convertShape(VectorOperators.B2S, SHORTS_512, 0);
    }

    private static IntVector pairs_512(ShortVector x, ShortVector y) {
        IntVector v = x.mul(y).reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private static void gemm512(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
        int step = BYTES_512.length();
        int kv = k - k % step;
        int i = 0;
        for (; i + 1 < m; i += 2) {
            int a0 = aOff + i * lda, a1 = a0 + lda;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                int b0 = bOff + j * ldb, b1 = b0 + ldb;
                IntVector s00 = IntVector.zero(INTS_512), s01 = s00, s10 = s00, s11 = s00;
                for (int p = 0; p < kv; p += step) {
                    ShortVector x0 = load_512(a, a0 + p), x1 = load_512(a, a1 + p);
                    ShortVector y0 = load_512(b, b0 + p), y1 = load_512(b, b1 + p);
                    s00 = s00.add(pairs_512(x0, y0));
                    s01 = s01.add(pairs_512(x0, y1));
                    s10 = s10.add(pairs_512(x1, y0));
                    s11 = s11.add(pairs_512(x1, y1));
                }
                int c0 = cOff + i * ldc + j, c1 = c0 + ldc;
                c[c0] = s00.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b0);
                c[c0 + 1] = s01.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a0, b, b1);
                c[c1] = s10.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b0);
                c[c1 + 1] = s11.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, a1, b, b1);
            }
            if (j < n) {
                int bj = bOff + j * ldb;
                c[cOff + i * ldc + j] = dot512(kv, k, a, a0, b, bj);
                c[cOff + (i + 1) * ldc + j] = dot512(kv, k, a, a1, b, bj);
            }
        }
        if (i < m) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = dot512(kv, k, a, ai, b, bOff + j * ldb);
            }
        }
    }

    private static int dot512(int kv, int k, byte[] a, int ai, byte[] b, int bj) {
        int step = BYTES_512.length();
        IntVector s = IntVector.zero(INTS_512);
        for (int p = 0; p < kv; p += step) {
            s = s.add(pairs_512(load_512(a, ai + p), load_512(b, bj + p)));
        }
        return s.reduceLanes(VectorOperators.ADD) + tail(kv, k, a, ai, b, bj);
    }
}
