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
