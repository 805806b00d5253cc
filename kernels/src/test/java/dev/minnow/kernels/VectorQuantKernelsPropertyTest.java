package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API quantized dots against the scalar specification at 128/256/512 bits, over random blocks.
 * Integer parts bit-exact: with power-of-two scales every float in the computation is an integer times the same
 * power of two, so any summation order gives the same float and the results must be identical. With random f16
 * scales the floats may differ by reassociation: within 4·blocks·2⁻²⁴·Σ|wᵢaᵢ|.
 */
class VectorQuantKernelsPropertyTest {
    static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ScalarQuantKernels SPEC = ScalarQuantKernels.INSTANCE;
    static final DType[] WEIGHTS = {DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K,
            DType.Q4_K, DType.Q5_K, DType.Q6_K};
    static final int[] BLOCKS = {0, 1, 2, 3, 7, 8, 9, 17, 33};

    static Stream<Arguments> cases() {
        return Stream.of(128, 256, 512).flatMap(bits -> Stream.of(WEIGHTS).map(t -> Arguments.of(bits, t)));
    }

    /** Offsets (bytes) of the f16/f32 scales in a block, which the generators overwrite. */
    static int[] halfScaleOffsets(DType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            case Q8_1 -> new int[] {0, 2};
            default -> new int[0];
        };
    }

    static float scale(SplittableRandom r, boolean pow2) {
        if (pow2) {
            return (r.nextBoolean() ? 1 : -1) * (float) Math.scalb(1.0, -r.nextInt(6) - 2);
        }
        return (float) ((r.nextBoolean() ? 1 : -1) * (0.001 + r.nextDouble() * 0.05));
    }

    /** Random bytes with valid f16 scales (power-of-two when {@code pow2}); one exponent per row in that case. */
    static MemorySegment blocks(Arena arena, DType t, int nb, SplittableRandom r, boolean pow2, int pad) {
        MemorySegment s = arena.allocate((long) nb * t.bytesPerBlock() + pad, 64).asSlice(pad);
        float p2 = scale(r, true);
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
        for (int b = 0; b < nb; b++) {
            for (int off : halfScaleOffsets(t)) {
                float v = pow2 ? p2 : scale(r, false);
                s.set(S16, (long) b * t.bytesPerBlock() + off, Float.floatToFloat16(Math.abs(v)));
            }
        }
        return s;
    }

    /** A random activation row, already quantized to {@code act} with consistent Q8_1 sums and Q8_K bsums. */
    static MemorySegment activations(Arena arena, DType act, int nb, SplittableRandom r, boolean pow2) {
        MemorySegment s = blocks(arena, act, nb, r, pow2, 0);
        if (pow2) {
            // small quants keep every partial integer sum far below 2^24, where float sums of them are exact
            int at = act == DType.Q8_0 ? 2 : 4;
            for (int b = 0; b < nb; b++) {
                for (int j = 0; j < act.blockSize(); j++) {
                    s.set(ValueLayout.JAVA_BYTE, (long) b * act.bytesPerBlock() + at + j, (byte) (r.nextInt(15) - 7));
                }
            }
        }
        float p2 = scale(r, true);
        for (int b = 0; b < nb; b++) {
            long o = (long) b * act.bytesPerBlock();
            if (act == DType.Q8_K) {
                s.set(F32, o, pow2 ? p2 : scale(r, false) * 0.01f);
                for (int g = 0; g < 16; g++) {
                    int sum = 0;
                    for (int l = 0; l < 16; l++) {
                        sum += s.get(ValueLayout.JAVA_BYTE, o + 4 + 16 * g + l);
                    }
                    s.set(S16, o + 260 + 2 * g, (short) sum);
                }
            } else if (act == DType.Q8_1) {
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    sum += s.get(ValueLayout.JAVA_BYTE, o + 4 + j);
                }
                s.set(S16, o + 2, Float.floatToFloat16(sum * Float.float16ToFloat(s.get(S16, o))));
            }
        }
        return s;
    }

    /** Σ|wᵢ·aᵢ| from the dequantized operands, for the reassociation bound. */
    static double absSum(DType t, int nb, MemorySegment w, MemorySegment a) {
        DType act = QuantKernels.activationType(t);
        int bs = t.blockSize();
        float[] wb = new float[bs];
        double sum = 0;
        for (int b = 0; b < nb; b++) {
            ScalarQuantKernels.dequantizeBlock(t, w, (long) b * t.bytesPerBlock(), wb);
            for (int j = 0; j < bs; j++) {
                long o = (long) (b * bs + j) / act.blockSize() * act.bytesPerBlock();
                int jj = (b * bs + j) % act.blockSize();
                double av = act == DType.Q8_K ? a.get(F32, o) * a.get(ValueLayout.JAVA_BYTE, o + 4 + jj)
                        : Float.float16ToFloat(a.get(S16, o)) * a.get(ValueLayout.JAVA_BYTE, o + (act == DType.Q8_1 ? 4 : 2) + jj);
                sum += Math.abs(wb[j] * av);
            }
            if (t == DType.Q4_1 || t == DType.Q5_1) {
                long o = (long) b * 36;
                sum += Math.abs(Float.float16ToFloat(w.get(S16, (long) b * t.bytesPerBlock() + 2))
                        * Float.float16ToFloat(a.get(S16, o + 2)));
            }
        }
        return sum;
    }

    @Test
    void eachWidthIsReallyLoaded() {
        for (int bits : new int[] {128, 256, 512}) {
            assertEquals(bits, QuantKernelsAtWidth.vector(bits, true).vectorBits());
            assertEquals("vector-" + bits + "-nofma", QuantKernelsAtWidth.vector(bits, false).name());
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void integerPartsBitExactWithPowerOfTwoScales(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        for (int nb : BLOCKS) {
            checkExact(k, t, nb, "qdot-exact-" + t + "-" + bits + "-" + nb);
        }
    }

    /** {@code k.dot} equals the scalar specification bit for bit on power-of-two scales (see the class comment). */
    static void checkExact(QuantKernels k, DType t, int nb, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            DType act = QuantKernels.activationType(t);
            MemorySegment w = blocks(arena, t, nb, r, true, 3);
            MemorySegment a = activations(arena, act, nb * t.blockSize() / act.blockSize(), r, true);
            int n = nb * t.blockSize();
            float want = SPEC.dot(t, n, w, 0, a, 0);
            float got = k.dot(t, n, w, 0, a, 0);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got),
                    "dot " + t + " on " + k.name() + " blocks=" + nb + " seed=" + seed + ": want " + want + " got " + got);
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void floatsWithinReassociationBound(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, bits != 512);
        for (int nb : BLOCKS) {
            String name = "qdot-float-" + t + "-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofConfined()) {
                DType act = QuantKernels.activationType(t);
                MemorySegment w = blocks(arena, t, nb, r, false, 1);
                MemorySegment a = activations(arena, act, nb * t.blockSize() / act.blockSize(), r, false);
                int n = nb * t.blockSize();
                float want = SPEC.dot(t, n, w, 0, a, 0);
                float got = k.dot(t, n, w, 0, a, 0);
                double bound = 4.0 * (nb + 8) * 0x1p-24 * absSum(t, nb, w, a) + 1e-30;
                assertTrue(Math.abs(want - got) <= bound, "dot " + t + " on " + k.name() + " blocks=" + nb + " seed="
                        + seed + ": want " + want + " got " + got + " bound " + bound);
            }
        }
    }

    /** The scalar dot agrees with dequantize-then-dot in double, so the dot's layout decoding matches dequantizeBlock. */
    @Test
    void scalarDotsMatchDequantizedOperands() {
        for (DType t : WEIGHTS) {
            String name = "qdot-vs-deq-" + t;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofConfined()) {
                int nb = 5;
                DType act = QuantKernels.activationType(t);
                MemorySegment w = blocks(arena, t, nb, r, false, 0);
                MemorySegment a = activations(arena, act, nb * t.blockSize() / act.blockSize(), r, false);
                int bs = t.blockSize();
                float[] wb = new float[bs];
                double ref = 0;
                for (int b = 0; b < nb; b++) {
                    ScalarQuantKernels.dequantizeBlock(t, w, (long) b * t.bytesPerBlock(), wb);
                    for (int j = 0; j < bs; j++) {
                        int e = b * bs + j;
                        long o = (long) e / act.blockSize() * act.bytesPerBlock();
                        int jj = e % act.blockSize();
                        double av = act == DType.Q8_K ? a.get(F32, o) * a.get(ValueLayout.JAVA_BYTE, o + 4 + jj)
                                : Float.float16ToFloat(a.get(S16, o)) * a.get(ValueLayout.JAVA_BYTE, o + (act == DType.Q8_1 ? 4 : 2) + jj);
                        ref += (double) wb[j] * av;
                    }
                }
                float got = SPEC.dot(t, nb * bs, w, 0, a, 0);
                double tol = 1e-5 * absSum(t, nb, w, a) + 1e-3 * (t == DType.Q4_1 || t == DType.Q5_1 ? 1 : 0) * absSum(t, nb, w, a);
                if (t == DType.Q4_1 || t == DType.Q5_1) {
                    // the ggml dot uses s = f16(d·Σq) for the min term, not the exact Σ: allow the f16 rounding of s
                    tol = 1e-5 * absSum(t, nb, w, a) + nb * 0.002 * absSum(t, nb, w, a) / (nb * bs);
                }
                assertTrue(Math.abs(got - ref) <= tol, t + " seed=" + seed + ": dot " + got + " vs dequantized " + ref);
            }
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void gemvMatchesRowDotsAndF32Variant(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        String name = "qgemv-" + t + "-" + bits;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 37;
        int cols = 2 * t.blockSize();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = blocks(arena, t, rows * 2, r, false, 0);
            float[] x = Gen.floats(r, cols);
            MemorySegment xs = Gen.segment(arena, x);
            MemorySegment y = arena.allocate(4L * rows);
            MemorySegment ys = arena.allocate(4L * rows);
            k.gemv(t, rows, cols, w, 0, xs, 0, y, 0);
            SPEC.gemv(t, rows, cols, w, 0, xs, 0, ys, 0);
            DType act = QuantKernels.activationType(t);
            MemorySegment xq = arena.allocate(act.byteSize(cols));
            SPEC.quantizeActivation(t, cols, xs, 0, xq, 0);
            long rowBytes = t.byteSize(cols);
            for (int row = 0; row < rows; row++) {
                float want = SPEC.dot(t, cols, w, rowBytes * row, xq, 0);
                assertEquals(want, ys.getAtIndex(F32, row), "scalar gemv row " + row + " seed=" + seed);
                assertEquals(k.dot(t, cols, w, rowBytes * row, xq, 0), y.getAtIndex(F32, row), "vector gemv row " + row + " seed=" + seed);
                float f32 = SPEC.dotF32(t, cols, w, rowBytes * row, xs, 0);
                double wAbs = 0;
                float[] wb = new float[t.blockSize()];
                for (int b = 0; b < 2; b++) {
                    ScalarQuantKernels.dequantizeBlock(t, w, rowBytes * row + (long) b * t.bytesPerBlock(), wb);
                    for (int j = 0; j < wb.length; j++) {
                        wAbs += Math.abs(wb[j]) * Math.abs(x[b * wb.length + j]);
                    }
                }
                // quantizing x to 8 bits changes the dot by at most ~1/127 of Σ|w||x| (half a step per element)
                assertTrue(Math.abs(f32 - want) <= wAbs / 100 + 1e-6, t + " row " + row + ": f32-activation dot "
                        + f32 + " vs quantized " + want + " seed=" + seed);
            }
        }
    }

    /**
     * Two memory streams ({@code minnow.rows.streams=2}, the default at 512 bits: Q8_0 rows i and half + i in one pass) at every width, with and without FMA: each row bit for bit the row dot of the same kernels; odd and even
     * row counts (an odd one out).
     */
    /**
     * The Q8_0 activation quantizer bit for bit its scalar specification: random rows of awkward lengths (0 to 33
     * blocks) at offsets that leave the vectors unaligned, with blocks of ties and near-ties (a maximum of 127 makes
     * the scale 1, so k + ½ and the float just below ½ reach the rounding as they are), all-zero and signed-zero blocks,
     * tiny and subnormal maxima (an infinite inverse scale), NaN, ±∞ and huge values.
     */
    @ParameterizedTest(name = "{0} bits")
    @org.junit.jupiter.params.provider.ValueSource(ints = {128, 256, 512})
    void quantizeQ8_0MatchesSpec(int bits) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        for (int nb : new int[] {0, 1, 2, 3, 7, 8, 9, 17, 33}) {
            String name = "quantizeQ8_0-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int n = 32 * nb;
            float[] v = Gen.floats(r, n);
            for (int b = 0; b < nb; b++) {
                int kind = r.nextInt(9);
                for (int j = 0; j < 32; j++) {
                    int at = 32 * b + j;
                    v[at] = switch (kind) {
                        case 0 -> j == 0 ? 127f : (r.nextInt(127) + (r.nextBoolean() ? 0.5f : 0.49999997f)) * (r.nextBoolean() ? 1 : -1);
                        case 1 -> r.nextBoolean() ? 0f : -0f;
                        case 2 -> v[at] * 0x1p-140f;                                   // subnormal maximum
                        case 3 -> j == 5 ? Float.NaN : v[at];
                        case 4 -> j == 9 ? (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : v[at];
                        case 5 -> v[at] * 3e37f;
                        case 6 -> j == 0 ? -127f : Math.round(v[at] * 60) + 0.5f;   // ties, negative maximum
                        default -> v[at] * (float) Math.scalb(1.0, r.nextInt(40) - 20);
                    };
                }
            }
            assertQuantizes(k, DType.Q8_0, v, r.nextInt(7), name + " seed=" + seed);
        }
    }

    /**
     * {@code k} writes the same bytes as the scalar quantizer into activation type {@code act} for the values {@code v}
     * read from element {@code off} of a segment, the output 3 bytes into its own (unaligned either way).
     */
    private static void assertQuantizes(QuantKernels k, DType act, float[] v, int off, String name) {
        int n = v.length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = arena.allocate(4L * (n + off) + 4, 64);
            MemorySegment.copy(v, 0, xs, F32, 4L * off, n);
            long out = act.byteSize(n);
            MemorySegment want = arena.allocate(out + 8), got = arena.allocate(out + 8);
            if (act == DType.Q8_0) {
                SPEC.quantizeQ8_0(n, xs, off, want, 3);
                k.quantizeQ8_0(n, xs, off, got, 3);
            } else {
                SPEC.quantizeQ8_K(n, xs, off, want, 3);
                k.quantizeQ8_K(n, xs, off, got, 3);
            }
            long at = want.mismatch(got);
            assertEquals(-1, at, name + " on " + k.name() + ": byte " + at + " (block " + (at - 3) / act.bytesPerBlock() + ")");
        }
    }

    /**
     * The Q8_K activation quantizer bit for bit its scalar specification: rows of 0 to 9 blocks at unaligned offsets,
     * with blocks whose maximum |x| appears with both signs (the first one sets the scale's sign), NaN (skipped by the
     * maximum), ±∞, all-zero and all-NaN blocks, halves that land on nearest_int's ties, and subnormal and huge values.
     */
    @ParameterizedTest(name = "{0} bits")
    @org.junit.jupiter.params.provider.ValueSource(ints = {128, 256, 512})
    void quantizeQ8_KMatchesSpec(int bits) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        for (int nb : new int[] {0, 1, 2, 3, 5, 9}) {
            String name = "quantizeQ8_K-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int n = 256 * nb;
            float[] v = Gen.floats(r, n);
            for (int b = 0; b < nb; b++) {
                int kind = r.nextInt(8);
                int p1 = r.nextInt(256), p2 = r.nextInt(256);
                for (int j = 0; j < 256; j++) {
                    int at = 256 * b + j;
                    v[at] = switch (kind) {
                        case 0 -> j == p1 ? 5f : j == p2 ? -5f : v[at];       // the maximum with both signs
                        case 1 -> j % 7 == 3 ? Float.NaN : v[at];
                        case 2 -> j == p1 ? (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : v[at];
                        case 3 -> r.nextBoolean() ? 0f : -0f;
                        case 4 -> Float.NaN;
                        case 5 -> j == p1 ? -127f : Math.round(v[at] * 60) + 0.5f; // scale 1: ties
                        case 6 -> v[at] * 0x1p-140f;
                        default -> v[at] * 3e37f;
                    };
                }
            }
            assertQuantizes(k, DType.Q8_K, v, r.nextInt(7), name + " seed=" + seed);
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void gemvTwoStreamsMatchesRowDots(int bits, DType t) {
        for (boolean fma : new boolean[] {true, false}) {
            QuantKernels k = QuantKernelsAtWidth.vector(bits, fma, "minnow.rows.streams", "2");
            for (int rows : new int[] {1, 2, 37, 64}) {
                String name = "qgemv2-" + t + "-" + bits + "-" + fma + "-" + rows;
                long seed = Gen.seed(name);
                SplittableRandom r = new SplittableRandom(seed);
                int cols = 3 * t.blockSize();
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment w = blocks(arena, t, rows * 3, r, false, 0);
                    MemorySegment xs = Gen.segment(arena, Gen.floats(r, cols));
                    MemorySegment y = arena.allocate(4L * rows);
                    k.gemv(t, rows, cols, w, 0, xs, 0, y, 0);
                    DType act = QuantKernels.activationType(t);
                    MemorySegment xq = arena.allocate(act.byteSize(cols));
                    k.quantizeActivation(t, cols, xs, 0, xq, 0);
                    long rowBytes = t.byteSize(cols);
                    for (int row = 0; row < rows; row++) {
                        assertEquals(k.dot(t, cols, w, rowBytes * row, xq, 0), y.getAtIndex(F32, row),
                                name + " on " + k.name() + " row " + row + " seed=" + seed);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void f32ActivationDotWithinReassociationBound(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        for (int nb : BLOCKS) {
            String name = "qdotf32-" + t + "-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofConfined()) {
                int n = nb * t.blockSize();
                MemorySegment w = blocks(arena, t, nb, r, false, 0);
                float[] x = Gen.floats(r, n);
                MemorySegment xs = Gen.segment(arena, concat1(x));
                float want = SPEC.dotF32(t, n, w, 0, xs, 1);
                float got = k.dotF32(t, n, w, 0, xs, 1);
                double abs = 0;
                float[] wb = new float[t.blockSize()];
                for (int b = 0; b < nb; b++) {
                    ScalarQuantKernels.dequantizeBlock(t, w, (long) b * t.bytesPerBlock(), wb);
                    for (int j = 0; j < wb.length; j++) {
                        abs += Math.abs((double) wb[j] * x[b * wb.length + j]);
                    }
                }
                double bound = 2.0 * n * 0x1p-24 * abs + 1e-30;
                assertTrue(Math.abs(want - got) <= bound, "dotF32 " + t + " on " + k.name() + " n=" + n + " seed=" + seed
                        + ": want " + want + " got " + got + " bound " + bound);
            }
        }
    }

    /**
     * Dequantization is bit-exact in every implementation: same floats as ggml's dequantize_row_* (the scalar
     * dequantizeBlock), at an unaligned byte offset of the blocks and a non-zero f32 offset of the output, with the
     * guard elements around the output left untouched.
     */
    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void dequantizeIsBitExact(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        for (int nb : BLOCKS) {
            String name = "qdequant-" + t + "-" + bits + "-" + nb;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            try (Arena arena = Arena.ofConfined()) {
                int n = nb * t.blockSize();
                MemorySegment w = blocks(arena, t, nb, r, false, 3);
                MemorySegment want = arena.allocate(4L * (n + 2), 64);
                MemorySegment got = arena.allocate(4L * (n + 2), 64);
                got.setAtIndex(F32, 0, 42f);
                got.setAtIndex(F32, n + 1, 43f);
                SPEC.dequantize(t, n, w, 0, want, 1);
                k.dequantize(t, n, w, 0, got, 1);
                float[] block = new float[t.blockSize()];
                for (int b = 0; b < nb; b++) {
                    ScalarQuantKernels.dequantizeBlock(t, w, (long) b * t.bytesPerBlock(), block);
                    for (int j = 0; j < block.length; j++) {
                        int e = b * block.length + j;
                        assertEquals(Float.floatToRawIntBits(block[j]), Float.floatToRawIntBits(want.getAtIndex(F32, 1 + e)),
                                "scalar dequantize " + t + " element " + e + " seed=" + seed);
                        assertEquals(Float.floatToRawIntBits(block[j]), Float.floatToRawIntBits(got.getAtIndex(F32, 1 + e)),
                                k.name() + " dequantize " + t + " element " + e + " seed=" + seed);
                    }
                }
                assertEquals(42f, got.getAtIndex(F32, 0), "guard before the output, seed=" + seed);
                assertEquals(43f, got.getAtIndex(F32, n + 1), "guard after the output, seed=" + seed);
            }
        }
    }

    /** x with one leading guard element, so the f32 offset is not block-aligned. */
    private static float[] concat1(float[] x) {
        float[] y = new float[x.length + 1];
        y[0] = 42f;
        System.arraycopy(x, 0, y, 1, x.length);
        return y;
    }

    /**
     * Batched GEMM against the dots it stands for: every entry of the scalar gemm equals the scalar dot of that
     * weight row with that activation row quantized on its own, every entry of the vector gemm equals the vector dot
     * (whose integer parts are bit-exact with the scalar ones, above), and the vector gemm equals m separate vector
     * gemv calls. Sizes cover the 4-row tiles and their remainders; a non-zero y offset and x offset.
     */
    @ParameterizedTest(name = "{1} at {0} bits")
    @MethodSource("cases")
    void gemmMatchesDotsAndSeparateGemvs(int bits, DType t) {
        QuantKernels k = QuantKernelsAtWidth.vector(bits, true);
        String name = "qgemm-" + t + "-" + bits;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        DType act = QuantKernels.activationType(t);
        int[][] shapes = {{0, 3, 1}, {1, 1, 1}, {3, 5, 2}, {4, 4, 1}, {9, 7, 3}, {13, 6, 2}};
        try (Arena arena = Arena.ofShared()) {
            for (int[] sh : shapes) {
                int m = sh[0];
                int n = sh[1];
                int kk = sh[2] * t.blockSize();
                long rowBytes = t.byteSize(kk);
                MemorySegment w = blocks(arena, t, n * sh[2], r, false, 0);
                int xOff = 5;
                int yOff = 3;
                float[] x = Gen.floats(r, xOff + m * kk);
                MemorySegment xs = Gen.segment(arena, x);
                MemorySegment yv = arena.allocate(4L * (yOff + m * n));
                MemorySegment ys = arena.allocate(4L * (yOff + m * n));
                k.gemm(t, m, n, kk, w, 0, xs, xOff, yv, yOff);
                SPEC.gemm(t, m, n, kk, w, 0, xs, xOff, ys, yOff);
                MemorySegment xq = arena.allocate(act.byteSize(kk) + 1);
                MemorySegment row = arena.allocate(4L * n + 4);
                for (int i = 0; i < m; i++) {
                    SPEC.quantizeActivation(t, kk, xs, xOff + (long) i * kk, xq, 0);
                    k.gemv(t, n, kk, w, 0, xs, xOff + (long) i * kk, row, 0);
                    for (int j = 0; j < n; j++) {
                        String at = t + " m=" + m + " n=" + n + " k=" + kk + " (" + i + "," + j + ") seed=" + seed;
                        float got = yv.getAtIndex(F32, yOff + (long) i * n + j);
                        assertEquals(SPEC.dot(t, kk, w, rowBytes * j, xq, 0), ys.getAtIndex(F32, yOff + (long) i * n + j), "scalar gemm " + at);
                        assertEquals(k.dot(t, kk, w, rowBytes * j, xq, 0), got, "vector gemm vs dot " + at);
                        assertEquals(row.getAtIndex(F32, j), got, "vector gemm vs gemv " + at);
                    }
                }
            }
        }
    }

    /** Bad GEMM shapes give a clear IllegalArgumentException, on both implementations. */
    @Test
    void gemmRejectsBadShapes() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = arena.allocate(DType.Q8_0.byteSize(64) * 2);
            MemorySegment x = arena.allocate(4L * 64 * 2);
            MemorySegment y = arena.allocate(4L * 4);
            for (QuantKernels k : new QuantKernels[] {SPEC, QuantKernelsAtWidth.vector(256, true)}) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> k.gemm(DType.Q8_0, 2, 3, 64, w, 0, x, 0, y, 0));
                assertTrue(e.getMessage().contains("3 weight rows"), e.getMessage());
                e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> k.gemm(DType.Q8_0, 2, 2, 40, w, 0, x, 0, y, 0));
                assertTrue(e.getMessage().contains("block size"), e.getMessage());
                e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> k.gemm(DType.Q8_0, -1, 2, 64, w, 0, x, 0, y, 0));
                assertTrue(e.getMessage().contains("negative"), e.getMessage());
                e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> k.gemm(DType.F32, 1, 1, 64, w, 0, x, 0, y, 0));
                assertTrue(e.getMessage().contains("no quantized dot product"), e.getMessage());
            }
        }
    }
}
