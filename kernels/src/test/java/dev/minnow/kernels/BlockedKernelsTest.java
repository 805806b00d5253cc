package dev.minnow.kernels;

import dev.minnow.kernels.vector.GemmMicro;
import dev.minnow.kernels.vector.VectorKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GEMM and GEMV at shapes that cross the blocking boundaries (KC = 256 deep slices, MC = 12- or 96-row blocks, NC =
 * 4096 columns; see GemmF32) and on shared memory, so that the multi-threaded paths run: 1 and 2 threads, both B
 * layouts, accumulate or not, every width, every GEMM micro-kernel ({@link GemmMicro}: each width's default plus
 * the others at some widths, with and without FMA). The pointwise-convolution shapes (many pixels, few channels) are
 * here too.
 */
class BlockedKernelsTest {

    static List<Kernels> implementations() {
        return List.of(new VectorKernels(128, true), new VectorKernels(256, true), new VectorKernels(256, false),
                new VectorKernels(512, true),
                new VectorKernels(128, false, GemmMicro.BROADCAST12), new VectorKernels(256, true, GemmMicro.BROADCAST12),
                new VectorKernels(256, false, GemmMicro.BROADCAST6), new VectorKernels(256, true, GemmMicro.BROADCAST6),
                new VectorKernels(512, true, GemmMicro.PREBROADCAST6));
    }

    static Stream<Arguments> gemmCases() {
        int[][] shapes = {
            {200, 40, 800},   // k crosses KC twice, m crosses MC twice
            {97, 130, 257},   // k = KC + 1, m = 8·MC + 1, partial micro-panels everywhere
            {288, 33, 512},   // exact multiples of KC, MC and MR
            {5, 4100, 20},    // n crosses NC; m below one micro-panel: the column split runs
            {1000, 16, 32},   // pointwise conv: pixels × out-channels × in-channels
            {300, 24, 144},   // pointwise conv with n = 1.5 vectors at 256 bits
            {13, 300, 400},   // skinny m, deep k
        };
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (int[] s : shapes) {
                if (k.vectorBits() == 512 && (long) s[0] * s[1] * s[2] > 2_000_000) {
                    continue; // 512-bit is software-emulated on AVX2 machines: keep its share of the suite small
                }
                for (int threads : new int[] {1, 2}) {
                    args.add(Arguments.of(k, s[0], s[1], s[2], (s[0] + threads) % 2 == 0, s[2] % 2 == 1, threads));
                    args.add(Arguments.of(k, s[0], s[1], s[2], (s[0] + threads) % 2 == 1, s[2] % 2 == 0, threads));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} bT={4} acc={5} threads={6}")
    @MethodSource("gemmCases")
    void gemmShared(Kernels k, int m, int n, int kk, boolean bT, boolean acc, int threads) {
        Parallel.withThreads(Math.min(threads, Parallel.poolSize()), () -> KernelChecks.checkGemm(k, m, n, kk, bT, acc,
                "gemm-shared/" + k.name() + "/" + m + "x" + n + "x" + kk + bT + acc + threads, true));
    }

    static Stream<Arguments> gemvCases() {
        int[][] shapes = {{1, 1}, {5, 17}, {257, 1000}, {1000, 64}, {130, 4099}};
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (int[] s : shapes) {
                for (int threads : new int[] {1, 2}) {
                    args.add(Arguments.of(k, s[0], s[1], threads));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} threads={3}")
    @MethodSource("gemvCases")
    void gemvShared(Kernels k, int rows, int cols, int threads) {
        Parallel.withThreads(Math.min(threads, Parallel.poolSize()), () -> KernelChecks.checkGemv(k, rows, cols,
                "gemv-shared/" + k.name() + "/" + rows + "x" + cols + "/" + threads, true));
    }
}
