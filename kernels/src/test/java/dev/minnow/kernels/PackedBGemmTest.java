package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.kernels.vector.GemmMicro;
import dev.minnow.kernels.vector.VectorKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * {@link Kernels#gemmPackedB} (B delivered as packed panels by a {@link BPanelSource}) against the scalar
 * {@link Kernels#gemm} with B transposed on the same values, at awkward sizes (1, 7, 17, 33, 255, 257, k across the
 * 256-deep slices, n across NC = 4096, A packed in several row chunks), every width, every micro-kernel with and without FMA, 1 and 2 threads,
 * accumulate or not. The source checks the contract as it is called: aligned slices, cols ≤ width, and every entry
 * of B asked for equally often (once per row chunk of A). Bound per entry: 2·(k + 1)·2⁻²⁴·(|C₀| + Σ|a·b|), as for {@code gemm}.
 */
class PackedBGemmTest {
    static final ScalarKernels SPEC = (ScalarKernels) KernelProvider.scalar();

    static List<Kernels> implementations() {
        List<Kernels> ks = new ArrayList<>(List.of(SPEC));
        for (int bits : new int[] {128, 256, 512}) {
            for (boolean fma : new boolean[] {true, false}) {
                for (GemmMicro micro : GemmMicro.values()) {
                    ks.add(new VectorKernels(bits, fma, micro));
                }
            }
        }
        return ks;
    }

    static Stream<Arguments> cases() {
        int[][] shapes = {
            {1, 1, 1}, {7, 17, 33}, {17, 7, 255}, {33, 257, 7}, {255, 33, 257}, {257, 255, 17}, {1, 257, 255},
            {9, 130, 600},  // k: two whole slices and a partial one (256 deep)
            {3, 33, 2100},  // k: two whole slices and a partial one (1024 deep: the 12-row micro-kernel's)
            {5, 4100, 20},  // n crosses NC
            {257, 20, 8500}, // A packed in 2 or 3 row chunks at 128/256 bits pre-broadcast (GemmF32.A_PACK_FLOATS)
        };
        List<Arguments> args = new ArrayList<>();
        int i = 0;
        for (Kernels k : implementations()) {
            for (int[] s : shapes) {
                long macs = (long) s[0] * s[1] * s[2];
                if (k.vectorBits() == 512 && macs > 300_000) {
                    continue; // 512-bit is software-emulated on AVX2 machines: keep its share of the suite small
                }
                if (macs > 10_000_000 && !k.name().equals("vector-128") && !k.name().equals("vector-256")) {
                    continue; // the row chunks of A: only where A is packed pre-broadcast (the default below 512 bits)
                }
                args.add(Arguments.of(k, s[0], s[1], s[2], i % 2 == 0, 1 + (i / 2) % 2));
                i++;
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} acc={4} threads={5}")
    @MethodSource("cases")
    void agreesWithGemmOnTransposedB(Kernels k, int m, int n, int kk, boolean accumulate, int threads) {
        Parallel.withThreads(Math.min(threads, Parallel.poolSize()), () -> check(k, m, n, kk, accumulate,
                "packedb/" + k.name() + "/" + m + "x" + n + "x" + kk + accumulate + threads));
    }

    /** The scalar twin gives gemm's floats bit for bit (same summation order). */
    @Test
    void scalarTwinIsGemm() {
        long seed = Gen.seed("packedb-scalar");
        SplittableRandom r = new SplittableRandom(seed);
        int m = 5, n = 11, kk = 300;
        float[] a = Gen.floats(r, m * kk), b = Gen.floats(r, n * kk), c0 = Gen.floats(r, m * n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = Gen.segment(arena, a), sb = Gen.segment(arena, b);
            MemorySegment c1 = Gen.segment(arena, c0), c2 = Gen.segment(arena, c0);
            SPEC.gemmPackedB(m, n, kk, sa, 0, kk, source(b, n, kk, kk, null), c1, 0, n, true);
            SPEC.gemm(m, n, kk, sa, 0, kk, sb, 0, kk, true, c2, 0, n, true);
            for (int i = 0; i < m * n; i++) {
                assertEquals(Float.floatToRawIntBits(c2.getAtIndex(Gen.F32, i)), Float.floatToRawIntBits(c1.getAtIndex(Gen.F32, i)),
                        "entry " + i + " seed=" + seed);
            }
        }
    }

    /** {@link DropsLastSlice} over the 512-bit kernels, whose slices are 1024 deep. */
    static final class DropsLastSlice512 extends DropsLastSlice {
        DropsLastSlice512() { super(new VectorKernels(512, true)); }
    }

    /** A kernel that forgets B's last depth slice (its source's zeros stand in for it): the checks must catch it. */
    static class DropsLastSlice extends Delegating {
        DropsLastSlice() { this(new VectorKernels(256, true)); }

        DropsLastSlice(Kernels inner) { super(inner); }

        @Override
        public void gemmPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b, MemorySegment c,
                                long cOff, int ldc, boolean acc) {
            inner.gemmPackedB(m, n, k, a, aOff, lda, (j0, cols, k0, kc, panel, off, width) -> {
                b.pack(j0, cols, k0, kc, panel, off, width);
                if (k0 + kc == k && k0 > 0) { // the last of several slices, however deep they are
                    java.util.Arrays.fill(panel, off, off + kc * width, 0f);
                }
            }, c, cOff, ldc, acc);
        }
    }

    @Test
    void droppedSliceIsCaught() {
        assertThrows(AssertionFailedError.class, () -> check(new DropsLastSlice(), 9, 40, 300, false, "packedb/fault"));
        assertThrows(AssertionFailedError.class, () -> check(new DropsLastSlice512(), 5, 40, 2100, false, "packedb/fault512"));
        check(new VectorKernels(256, true), 9, 40, 300, false, "packedb/fault");
    }

    /** A source over B (n × ldb, row j = output column j) that checks the contract and counts what it was asked for. */
    static BPanelSource source(float[] b, int n, int kk, int ldb, AtomicIntegerArray asked) {
        return (j0, cols, k0, kc, panel, off, width) -> {
            assertTrue(cols >= 1 && cols <= width && j0 >= 0 && j0 + cols <= n, "panel columns " + j0 + "+" + cols + " width " + width);
            assertTrue(k0 % BPanelSource.DEPTH_ALIGN == 0 && kc > 0 && k0 + kc <= kk
                    && (kc % BPanelSource.DEPTH_ALIGN == 0 || k0 + kc == kk), "slice " + k0 + "+" + kc + " of " + kk);
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < width; j++) {
                    panel[off + p * width + j] = j < cols ? b[(j0 + j) * ldb + k0 + p] : 0f;
                    if (j < cols && asked != null) {
                        asked.incrementAndGet((j0 + j) * kk + k0 + p);
                    }
                }
            }
        };
    }

    static void check(Kernels k, int m, int n, int kk, boolean accumulate, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        int lda = kk + 3, ldb = kk + 5, ldc = n + 2;
        float[] a = Gen.floats(r, m * lda);
        float[] b = Gen.floats(r, n * ldb);
        float[] c0 = Gen.floats(r, m * ldc);
        AtomicIntegerArray asked = new AtomicIntegerArray(n * kk);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment sa = Gen.segment(arena, a), sb = Gen.segment(arena, b);
            MemorySegment c1 = Gen.segment(arena, c0), c2 = Gen.segment(arena, c0);
            k.gemmPackedB(m, n, kk, sa, 0, lda, source(b, n, kk, ldb, asked), c1, 0, ldc, accumulate);
            SPEC.gemm(m, n, kk, sa, 0, lda, sb, 0, ldb, true, c2, 0, ldc, accumulate);
            // every entry as often as every other (once per row chunk of A), at least once
            int times = asked.get(0);
            assertTrue(times >= 1, k.name() + ": B[0][0] never asked for, seed=" + seed);
            for (int e = 0; e < n * kk; e++) {
                assertEquals(times, asked.get(e), k.name() + ": B[" + e / kk + "][" + e % kk + "] asked for " + asked.get(e)
                        + " times, B[0][0] " + times + " times, seed=" + seed);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    int idx = i * ldc + j;
                    if (j >= n) {
                        assertEquals(c0[idx], c1.getAtIndex(Gen.F32, idx), k.name() + " wrote into the C padding at " + i + "," + j + " seed=" + seed);
                        continue;
                    }
                    double abs = accumulate ? Math.abs(c0[idx]) : 0;
                    for (int p = 0; p < kk; p++) {
                        abs += Math.abs((double) a[i * lda + p] * b[j * ldb + p]);
                    }
                    KernelChecks.assertClose(c2.getAtIndex(Gen.F32, idx), c1.getAtIndex(Gen.F32, idx), 2 * (kk + 1) * KernelChecks.U * abs + 1e-30,
                            k.name() + " gemmPackedB C[" + i + "," + j + "] of " + m + "x" + n + "x" + kk + (accumulate ? " +=" : "") + " seed=" + seed);
                }
            }
        }
    }
}
