package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.vector.VectorInt8ConvKernels;
import dev.minnow.tensor.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector int8 GEMM against the scalar specification at 128/256/512 bits: bit-exact int32 results over awkward
 * reduction lengths (0, 1, 7, 15, 16, 17, 31, 33, 255, 257, 1000 and random), odd and even m and n, offsets and
 * leading dimensions larger than the rows, random bytes and the extremes (all −128, all 127, mixed) that overflow a
 * pairwise short sum. Cells outside the output block must stay untouched.
 */
class Int8ConvKernelsPropertyTest {
    static final Int8ConvKernels SPEC = Int8ConvKernels.scalar();

    static List<Int8ConvKernels> implementations() {
        return List.of(new VectorInt8ConvKernels(128), new VectorInt8ConvKernels(256), new VectorInt8ConvKernels(512),
                Int8ConvKernels.get());
    }

    static Stream<Arguments> cases() {
        int[] ks = {0, 1, 7, 15, 16, 17, 31, 33, 255, 257, 1000, -1};
        List<Arguments> out = new ArrayList<>();
        for (Int8ConvKernels impl : implementations()) {
            for (int k : ks) {
                for (String fill : new String[] {"random", "min", "max", "alternating"}) {
                    out.add(Arguments.of(impl, k, fill));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} k={1} {2}")
    @MethodSource("cases")
    void gemmMatchesSpec(Int8ConvKernels impl, int kIn, String fill) {
        String name = "int8gemm/" + impl.name() + "/" + kIn + "/" + fill;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int k = kIn >= 0 ? kIn : 1 + r.nextInt(600);
        for (int trial = 0; trial < 3; trial++) {
            int m = 1 + r.nextInt(6), n = 1 + r.nextInt(9);
            int lda = k + r.nextInt(3), ldb = k + r.nextInt(3), ldc = n + r.nextInt(3);
            int aOff = r.nextInt(4), bOff = r.nextInt(4), cOff = r.nextInt(4);
            byte[] a = bytes(r, aOff + m * lda + 2, fill), b = bytes(r, bOff + n * ldb + 2, fill);
            int[] want = new int[cOff + m * ldc + 2], got = new int[want.length];
            java.util.Arrays.fill(want, 0x5a5a5a5a);
            java.util.Arrays.fill(got, 0x5a5a5a5a);
            SPEC.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, want, cOff, ldc);
            impl.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, got, cOff, ldc);
            assertArrayEquals(want, got, name + " m=" + m + " n=" + n + " trial " + trial + " seed=" + seed);
        }
    }

    private static byte[] bytes(SplittableRandom r, int len, String fill) {
        byte[] x = new byte[len];
        for (int i = 0; i < len; i++) {
            x[i] = switch (fill) {
                case "min" -> (byte) -128;
                case "max" -> (byte) 127;
                case "alternating" -> (byte) (i % 2 == 0 ? -128 : 127);
                default -> (byte) r.nextInt(256);
            };
        }
        return x;
    }

    /** The spec's sums, checked once against a hand computation. */
    @Test
    void specByHand() {
        byte[] a = {1, -2, 3, 4, 5, -6};          // 2×3
        byte[] b = {7, 8, 9, -10, 11, -128};      // 2×3
        int[] c = new int[4];
        SPEC.gemm(2, 2, 3, a, 0, 3, b, 0, 3, c, 0, 2);
        assertArrayEquals(new int[] {7 - 16 + 27, -10 - 22 - 384, 28 + 40 - 54, -40 + 55 + 768}, c);
    }

    /** The comparison above catches a kernel that drops the last product. */
    @Test
    void catchesABrokenKernel() {
        Int8ConvKernels broken = new Int8ConvKernels() {
            @Override public String name() { return "broken"; }

            @Override
            public void gemm(int m, int n, int k, byte[] a, int aOff, int lda, byte[] b, int bOff, int ldb, int[] c, int cOff, int ldc) {
                SPEC.gemm(m, n, Math.max(0, k - 1), a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        };
        assertThrows(AssertionError.class, () -> gemmMatchesSpec(broken, 17, "random"));
    }
}
