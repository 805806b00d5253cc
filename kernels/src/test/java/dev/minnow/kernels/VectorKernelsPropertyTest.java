package dev.minnow.kernels;

import dev.minnow.tensor.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector kernel against the scalar specification, at 128, 256 and 512 bits (wider than the hardware runs
 * in software, correctly) and without FMA, over {@link Gen#SIZES} plus random sizes. Seeds are in the messages.
 */
class VectorKernelsPropertyTest {

    static List<Kernels> implementations() {
        List<Kernels> ks = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            ks.add(new dev.minnow.kernels.vector.VectorKernels(bits, true));
        }
        ks.add(new dev.minnow.kernels.vector.VectorKernels(256, false));
        // the F16 GEMV's other stream count at each width (default: two below 512 bits, one at 512)
        ks.add(new dev.minnow.kernels.vector.VectorKernels(256, true, dev.minnow.kernels.vector.GemmMicro.forWidth(256), 1));
        ks.add(new dev.minnow.kernels.vector.VectorKernels(512, true, dev.minnow.kernels.vector.GemmMicro.forWidth(512), 2));
        // the process-wide provider too (vector or scalar depending on -Dminnow.kernels)
        ks.add(KernelProvider.get());
        return ks;
    }

    static Stream<Arguments> implsAndSizes() {
        return implementations().stream().flatMap(k -> Gen.sizesWithRandom(4, 3000).mapToObj(n -> Arguments.of(k, n)));
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void dot(Kernels k, int n) {
        KernelChecks.checkDot(k, n, "dot/" + k.name() + "/" + n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void sum(Kernels k, int n) {
        KernelChecks.checkSum(k, n, "sum/" + k.name() + "/" + n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void elementwise(Kernels k, int n) {
        KernelChecks.checkElementwise(k, n, "elementwise/" + k.name() + "/" + n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void norms(Kernels k, int n) {
        KernelChecks.checkNorms(k, n, "norms/" + k.name() + "/" + n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void softmax(Kernels k, int n) {
        KernelChecks.checkSoftmax(k, n, "softmax/" + k.name() + "/" + n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void activations(Kernels k, int n) {
        for (Activation act : Activation.values()) {
            KernelChecks.checkActivation(k, act, n, "act/" + act + "/" + k.name() + "/" + n);
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("implsAndSizes")
    void selection(Kernels k, int n) {
        KernelChecks.checkSelection(k, n, "select/" + k.name() + "/" + n);
    }

    static Stream<Arguments> gemvShapes() {
        int[][] shapes = {{0, 5}, {1, 0}, {1, 1}, {3, 7}, {4, 16}, {5, 17}, {7, 33}, {17, 31}, {33, 255}, {64, 257}, {9, 1000}, {130, 64}};
        return implementations().stream().flatMap(k -> Stream.of(shapes).map(s -> Arguments.of(k, s[0], s[1])));
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("gemvShapes")
    void gemv(Kernels k, int rows, int cols) {
        KernelChecks.checkGemv(k, rows, cols, "gemv/" + k.name() + "/" + rows + "x" + cols);
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("gemvShapes")
    void gemvF16(Kernels k, int rows, int cols) {
        KernelChecks.checkGemvF16(k, rows, cols, "gemvF16/" + k.name() + "/" + rows + "x" + cols, rows % 2 == 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementationsOnly")
    void convertF16EveryHalf(Kernels k) {
        KernelChecks.checkConvertF16All(k);
    }

    /**
     * The F16 GEMV with two streams (rows i and half + i in one pass) bit for bit the same as with one, at every width
     * with and without FMA: odd row counts (a row left out of the pairs), rows with an infinite or NaN half in either
     * stream, lengths with a scalar tail.
     */
    @ParameterizedTest(name = "{0} bits, fma={1}")
    @MethodSource("widthsAndFma")
    void gemvF16TwoStreamsBitIdentical(int bits, boolean fma) {
        var micro = dev.minnow.kernels.vector.GemmMicro.forWidth(bits);
        Kernels one = new dev.minnow.kernels.vector.VectorKernels(bits, fma, micro, 1);
        Kernels two = new dev.minnow.kernels.vector.VectorKernels(bits, fma, micro, 2);
        for (int[] shape : new int[][] {{1, 64}, {2, 33}, {3, 7}, {5, 64}, {8, 100}, {17, 257}, {64, 96}, {33, 1000}}) {
            int rows = shape[0], cols = shape[1];
            String name = "gemvF16-streams/" + bits + "/" + fma + "/" + rows + "x" + cols;
            long seed = Gen.seed(name);
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment w = arena.allocate(2L * rows * cols, 2);
                for (int i = 0; i < rows * cols; i++) {
                    w.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) r.nextGaussian()));
                }
                for (int row = 0; row < rows; row += 3) {   // an inf or NaN half in every third row
                    short bad = new short[] {(short) 0x7c00, (short) 0xfc00, (short) 0x7e01}[r.nextInt(3)];
                    w.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, (long) row * cols + r.nextInt(cols), bad);
                }
                java.lang.foreign.MemorySegment x = Gen.segment(arena, Gen.floats(r, cols));
                java.lang.foreign.MemorySegment y1 = arena.allocate(4L * rows), y2 = arena.allocate(4L * rows);
                one.gemvF16(rows, cols, w, 0, x, 0, y1, 0);
                two.gemvF16(rows, cols, w, 0, x, 0, y2, 0);
                for (int row = 0; row < rows; row++) {
                    float a = y1.getAtIndex(Gen.F32, row), b = y2.getAtIndex(Gen.F32, row);
                    org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(a), Float.floatToRawIntBits(b),
                            name + " row " + row + ": " + a + " vs " + b + " seed=" + seed);
                }
            }
        }
    }

    /**
     * The attention's value loop ({@link Kernels#axpyRows}) bit for bit the n single axpy calls it replaces, on the
     * same kernels: awkward row lengths (scalar tails, one to several vector groups), strides wider than the rows,
     * zero to many rows. Also the scalar specification against the plain loop.
     */
    @ParameterizedTest(name = "{0} bits, fma={1}")
    @MethodSource("widthsAndFma")
    void axpyRowsEqualsSingleCalls(int bits, boolean fma) {
        Kernels k = new dev.minnow.kernels.vector.VectorKernels(bits, fma);
        for (Kernels kk : new Kernels[] {k, dev.minnow.kernels.scalar.ScalarKernels.INSTANCE}) {
            for (int len : new int[] {1, 7, 15, 16, 17, 33, 64, 128, 257}) {
                for (int n : new int[] {0, 1, 7, 100}) {
                    String name = "rows/" + kk.name() + "/" + bits + "/" + fma + "/" + len + "x" + n;
                    long seed = Gen.seed(name);
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    long stride = len + 3 + r.nextInt(40);
                    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                        java.lang.foreign.MemorySegment a = Gen.segment(arena, Gen.floats(r, (int) (stride * n + 5)));
                        float[] coef = Gen.floats(r, n);
                        float[] y0 = Gen.floats(r, len + 4);
                        java.lang.foreign.MemorySegment y1 = Gen.segment(arena, y0), y2 = Gen.segment(arena, y0);
                        kk.axpyRows(n, len, coef, a, 5, stride, y1, 4);
                        for (int s = 0; s < n; s++) {
                            kk.axpy(len, coef[s], a, 5 + s * stride, y2, 4);
                        }
                        for (int i = 0; i < len + 4; i++) {
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(y2.getAtIndex(Gen.F32, i)),
                                    Float.floatToRawIntBits(y1.getAtIndex(Gen.F32, i)), name + " axpyRows element " + i + " seed=" + seed);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link Kernels#dotColumns} (scores over transposed keys) against its scalar specification: bit for bit without
     * FMA (the same t + x·a per step), within len·2^-24·Σ|x·a| with it; position counts around the vector groups.
     */
    @ParameterizedTest(name = "{0} bits, fma={1}")
    @MethodSource("widthsAndFma")
    void dotColumnsMatchesSpec(int bits, boolean fma) {
        Kernels k = new dev.minnow.kernels.vector.VectorKernels(bits, fma);
        Kernels spec = dev.minnow.kernels.scalar.ScalarKernels.INSTANCE;
        int fused = 0; // positions whose fused sum differs from the spec's: a vector path with FMA ran
        for (int len : new int[] {1, 7, 16, 64, 129}) {
            for (int n : new int[] {0, 1, 3, 15, 16, 17, 63, 64, 65, 200}) {
                String name = "columns/" + bits + "/" + fma + "/" + len + "x" + n;
                long seed = Gen.seed(name);
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                long stride = n + r.nextInt(20);
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                    float[] af = Gen.floats(r, (int) (stride * len + 9));
                    java.lang.foreign.MemorySegment a = Gen.segment(arena, af);
                    float[] xf = Gen.floats(r, len + 3);
                    java.lang.foreign.MemorySegment x = Gen.segment(arena, xf);
                    float[] got = new float[n], want = new float[n];
                    k.dotColumns(n, len, a, 9, stride, x, 3, 0.25f, got);
                    spec.dotColumns(n, len, a, 9, stride, x, 3, 0.25f, want);
                    for (int s = 0; s < n; s++) {
                        double mag = 0;
                        for (int i = 0; i < len; i++) {
                            mag += Math.abs((double) xf[3 + i] * af[(int) (9 + i * stride + s)]);
                        }
                        if (fma) {
                            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(got[s] - want[s]) <= 0.25 * (len + 1) * 0x1p-24 * mag + 1e-30,
                                    name + " position " + s + ": " + got[s] + " vs " + want[s] + " seed=" + seed);
                            fused += got[s] != want[s] ? 1 : 0;
                        } else {
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(want[s]), Float.floatToRawIntBits(got[s]),
                                    name + " position " + s + ": " + got[s] + " vs " + want[s] + " seed=" + seed);
                        }
                    }
                }
            }
        }
        if (fma) { // (session 18 lost the vector override and this test compared the scalar default with itself)
            org.junit.jupiter.api.Assertions.assertTrue(fused > 0, "no position differs from the unfused spec: the vector kernel did not run");
        }
    }

    static Stream<Arguments> widthsAndFma() {
        return Stream.of(128, 256, 512).flatMap(b -> Stream.of(Arguments.of(b, true), Arguments.of(b, false)));
    }

    static Stream<Arguments> implementationsOnly() {
        return implementations().stream().map(Arguments::of);
    }

    static Stream<Arguments> gemmShapes() {
        int[][] shapes = {{0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {1, 7, 15}, {5, 16, 17}, {6, 32, 8}, {7, 33, 31},
            {13, 17, 255}, {97, 40, 257}, {12, 300, 33}, {200, 9, 20}};
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (int[] s : shapes) {
                for (boolean bT : new boolean[] {false, true}) {
                    args.add(Arguments.of(k, s[0], s[1], s[2], bT, s[0] % 2 == 1));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} bT={4} acc={5}")
    @MethodSource("gemmShapes")
    void gemm(Kernels k, int m, int n, int kk, boolean bT, boolean acc) {
        KernelChecks.checkGemm(k, m, n, kk, bT, acc, "gemm/" + k.name() + "/" + m + "x" + n + "x" + kk + bT + acc);
    }

    static Stream<Arguments> ropeShapes() {
        int[][] shapes = {{1, 2, 2}, {4, 16, 16}, {8, 64, 64}, {3, 80, 32}, {2, 128, 64}};
        return implementations().stream().flatMap(k -> Stream.of(shapes).flatMap(s ->
                Stream.of(RopeLayout.values()).map(l -> Arguments.of(k, l, s[0], s[1], s[2]))));
    }

    @ParameterizedTest(name = "{0} {1} heads={2} dim={3} rot={4}")
    @MethodSource("ropeShapes")
    void rope(Kernels k, RopeLayout layout, int heads, int dim, int rot) {
        KernelChecks.checkRope(k, layout, heads, dim, rot, "rope/" + k.name() + "/" + layout + heads + dim + rot);
    }
}
