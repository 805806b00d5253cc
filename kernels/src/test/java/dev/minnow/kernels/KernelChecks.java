package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One check per kernel: run the implementation under test and the scalar specification on the same seeded
 * inputs and compare within the kernel's stated bound. Shared by the property tests and the fault-injection test
 * (which proves these checks catch a broken kernel).
 *
 * <p>Float bounds. Reassociating a sum of n products changes it by at most 2·n·u·Σ|aᵢbᵢ| (u = 2⁻²⁴), so dot,
 * sum, GEMV and GEMM use that bound per output. Transcendentals (exp, tanh) differ by a few ulps between
 * {@link Math} and the Vector API, and the vector erf is a 1.5e-7 polynomial: 2e-6 relative plus 2e-6·max(1,|x|)
 * absolute. Piecewise-linear activations (ReLU, ReLU6, hard-sigmoid, hard-swish) must be bit-exact.
 */
final class KernelChecks {
    static final double U = 0x1p-24;
    static final ScalarKernels SPEC = (ScalarKernels) KernelProvider.scalar();

    private KernelChecks() {}

    static String ctx(Kernels k, String kernel, int n, long seed) {
        return kernel + " on " + k.name() + " n=" + n + " seed=" + seed;
    }

    static void checkDot(Kernels k, int n, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = Gen.floats(r, n);
        float[] b = Gen.floats(r, n);
        try (Arena arena = Arena.ofConfined()) {
            // offset views exercise unaligned starts
            MemorySegment sa = Gen.segment(arena, concat(new float[] {9f}, a));
            MemorySegment sb = Gen.segment(arena, b);
            float got = k.dot(sa, 1, sb, 0, n);
            float want = SPEC.dot(sa, 1, sb, 0, n);
            double absSum = 0;
            for (int i = 0; i < n; i++) {
                absSum += Math.abs((double) a[i] * b[i]);
            }
            assertClose(want, got, 2 * n * U * absSum + 1e-30, ctx(k, "dot", n, seed));
        }
    }

    static void checkSum(Kernels k, int n, String caseName) {
        long seed = Gen.seed(caseName);
        float[] a = Gen.floats(new SplittableRandom(seed), n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = Gen.segment(arena, a);
            double abs = 0;
            for (float v : a) {
                abs += Math.abs(v);
            }
            assertClose(SPEC.sum(sa, 0, n), k.sum(sa, 0, n), 2 * n * U * abs + 1e-30, ctx(k, "sum", n, seed));
        }
    }

    /** axpy, scale, add, mul: one rounding each, so bit-exact (FMA may differ by the product's rounding: 1 ulp). */
    static void checkElementwise(Kernels k, int n, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = Gen.floats(r, n);
        float[] y = Gen.floats(r, n);
        float alpha = (float) r.nextDouble(-2, 2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sx = Gen.segment(arena, x);
            MemorySegment y1 = Gen.segment(arena, y), y2 = Gen.segment(arena, y);
            k.axpy(n, alpha, sx, 0, y1, 0);
            SPEC.axpy(n, alpha, sx, 0, y2, 0);
            float[] want = Gen.toArray(y2, n), got = Gen.toArray(y1, n);
            for (int i = 0; i < n; i++) { // FMA skips the product's rounding: one rounding of |αx| apart
                assertClose(want[i], got[i], 2 * U * (Math.abs(alpha * x[i]) + Math.abs(y[i])), ctx(k, "axpy", n, seed) + " at " + i);
            }
            MemorySegment o1 = arena.allocate(Math.max(1, n) * 4L), o2 = arena.allocate(Math.max(1, n) * 4L);
            MemorySegment sy = Gen.segment(arena, y);
            k.add(n, sx, 0, sy, 0, o1, 0);
            SPEC.add(n, sx, 0, sy, 0, o2, 0);
            assertArrayClose(Gen.toArray(o2, n), Gen.toArray(o1, n), 0, 0, ctx(k, "add", n, seed));
            k.mul(n, sx, 0, sy, 0, o1, 0);
            SPEC.mul(n, sx, 0, sy, 0, o2, 0);
            assertArrayClose(Gen.toArray(o2, n), Gen.toArray(o1, n), 0, 0, ctx(k, "mul", n, seed));
            MemorySegment s1 = Gen.segment(arena, x), s2 = Gen.segment(arena, x);
            k.scale(n, alpha, s1, 0);
            SPEC.scale(n, alpha, s2, 0);
            assertArrayClose(Gen.toArray(s2, n), Gen.toArray(s1, n), 0, 0, ctx(k, "scale", n, seed));
        }
    }

    static void checkGemv(Kernels k, int rows, int cols, String caseName) {
        checkGemv(k, rows, cols, caseName, false);
    }

    /** {@code shared}: inputs in a shared arena, so the kernel may run on all of {@link Parallel}'s threads. */
    static void checkGemv(Kernels k, int rows, int cols, String caseName, boolean shared) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = Gen.floats(r, rows * cols);
        float[] x = Gen.floats(r, cols);
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            MemorySegment sw = Gen.segment(arena, w), sx = Gen.segment(arena, x);
            MemorySegment y1 = arena.allocate(Math.max(1, rows) * 4L + 4), y2 = arena.allocate(Math.max(1, rows) * 4L + 4);
            y1.set(Gen.F32, rows * 4L, 42f);
            k.gemv(rows, cols, sw, 0, sx, 0, y1, 0);
            SPEC.gemv(rows, cols, sw, 0, sx, 0, y2, 0);
            for (int i = 0; i < rows; i++) {
                double abs = 0;
                for (int c = 0; c < cols; c++) {
                    abs += Math.abs((double) w[i * cols + c] * x[c]);
                }
                assertClose(y2.getAtIndex(Gen.F32, i), y1.getAtIndex(Gen.F32, i), 2 * cols * U * abs + 1e-30,
                        ctx(k, "gemv row " + i + " of " + rows + "x" + cols, cols, seed));
            }
            assertEquals(42f, y1.get(Gen.F32, rows * 4L), ctx(k, "gemv wrote past its output", cols, seed));
        }
    }

    /** gemvF16 against the scalar spec on random halves (finite, some subnormal), bound as for gemv. */
    static void checkGemvF16(Kernels k, int rows, int cols, String caseName, boolean shared) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        short[] w = new short[rows * cols];
        for (int i = 0; i < w.length; i++) {
            float v = r.nextInt(16) == 0 ? (float) (r.nextDouble(-1, 1) * 0x1p-16) : (float) r.nextGaussian();
            w[i] = Float.floatToFloat16(v);
        }
        // every third row carries one infinite or NaN half (the vector kernels take a slower exact path for those)
        boolean[] special = new boolean[rows];
        for (int i = 1; i < rows && cols > 0; i += 3) {
            special[i] = true;
            w[i * cols + r.nextInt(cols)] = new short[] {(short) 0x7c00, (short) 0xfc00, (short) 0x7e01}[r.nextInt(3)];
        }
        float[] x = Gen.floats(r, cols);
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            MemorySegment sw = arena.allocate(2L * w.length + 2, 2).asSlice(2); // odd element offset below
            MemorySegment.copy(w, 0, sw, java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, w.length);
            MemorySegment sx = Gen.segment(arena, x);
            MemorySegment y1 = arena.allocate(Math.max(1, rows) * 4L + 4), y2 = arena.allocate(Math.max(1, rows) * 4L + 4);
            y1.set(Gen.F32, rows * 4L, 42f);
            k.gemvF16(rows, cols, sw, 0, sx, 0, y1, 0);
            SPEC.gemvF16(rows, cols, sw, 0, sx, 0, y2, 0);
            for (int i = 0; i < rows; i++) {
                double abs = 0;
                double exact = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) Float.float16ToFloat(w[i * cols + c]) * x[c];
                    abs += Math.abs(p);
                    exact += p;
                }
                String where = ctx(k, "gemvF16 row " + i + " of " + rows + "x" + cols, cols, seed);
                if (special[i]) {
                    float want = y2.getAtIndex(Gen.F32, i);
                    assertTrue(Float.isNaN(want) || Float.isInfinite(want), "spec " + where + ": " + want);
                    assertEquals(want, y1.getAtIndex(Gen.F32, i), where); // NaN equals NaN, inf equals inf of the same sign
                    continue;
                }
                assertClose(y2.getAtIndex(Gen.F32, i), y1.getAtIndex(Gen.F32, i), 2 * cols * U * abs + 1e-30, where);
                // and the spec itself against a double-precision sum of the exactly converted halves
                assertClose(exact, y2.getAtIndex(Gen.F32, i), cols * U * abs + 1e-30, "spec " + where);
            }
            assertEquals(42f, y1.get(Gen.F32, rows * 4L), ctx(k, "gemvF16 wrote past its output", cols, seed));
        }
    }

    /** convertF16 over all 65536 halves, bit for bit (NaN payloads included), between guard elements. */
    static void checkConvertF16All(Kernels k) {
        int n = 1 << 16;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(2L * n + 6, 2);
            var f16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                src.setAtIndex(f16, 3 + i, (short) i);
            }
            MemorySegment dst = arena.allocate(4L * (n + 2), 4);
            dst.setAtIndex(Gen.F32, 0, 42f);
            dst.setAtIndex(Gen.F32, n + 1, 43f);
            k.convertF16(n, src, 3, dst, 1);
            for (int i = 0; i < n; i++) {
                int want = Float.floatToRawIntBits(Float.float16ToFloat((short) i));
                int got = Float.floatToRawIntBits(dst.getAtIndex(Gen.F32, 1 + i));
                if (want != got) {
                    fail(k.name() + " convertF16 of half 0x" + Integer.toHexString(i) + ": want 0x" + Integer.toHexString(want)
                            + " got 0x" + Integer.toHexString(got));
                }
            }
            assertEquals(42f, dst.getAtIndex(Gen.F32, 0), k.name() + " convertF16 wrote before its output");
            assertEquals(43f, dst.getAtIndex(Gen.F32, n + 1), k.name() + " convertF16 wrote past its output");
            // short lengths exercise the tails
            for (int len : new int[] {0, 1, 7, 15, 17, 33}) {
                MemorySegment d = arena.allocate(4L * (len + 1), 4);
                d.setAtIndex(Gen.F32, len, 44f);
                k.convertF16(len, src, 3 + 0x3c00, d, 0);
                for (int i = 0; i < len; i++) {
                    assertEquals(Float.float16ToFloat((short) (0x3c00 + i)), d.getAtIndex(Gen.F32, i), k.name() + " convertF16 n=" + len);
                }
                assertEquals(44f, d.getAtIndex(Gen.F32, len), k.name() + " convertF16 n=" + len + " wrote past its output");
            }
        }
    }

    static void checkGemm(Kernels k, int m, int n, int kk, boolean bT, boolean accumulate, String caseName) {
        checkGemm(k, m, n, kk, bT, accumulate, caseName, false);
    }

    /** {@code shared}: operands in a shared arena, so the kernel may run on all of {@link Parallel}'s threads. */
    static void checkGemm(Kernels k, int m, int n, int kk, boolean bT, boolean accumulate, String caseName, boolean shared) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        // leading dimensions larger than the logical widths, to catch stride bugs
        int lda = kk + 3, ldb = (bT ? kk : n) + 5, ldc = n + 2;
        float[] a = Gen.floats(r, m * lda);
        float[] b = Gen.floats(r, (bT ? n : kk) * ldb);
        float[] c0 = Gen.floats(r, m * ldc);
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            MemorySegment sa = Gen.segment(arena, a), sb = Gen.segment(arena, b);
            MemorySegment c1 = Gen.segment(arena, c0), c2 = Gen.segment(arena, c0);
            k.gemm(m, n, kk, sa, 0, lda, sb, 0, ldb, bT, c1, 0, ldc, accumulate);
            SPEC.gemm(m, n, kk, sa, 0, lda, sb, 0, ldb, bT, c2, 0, ldc, accumulate);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    int idx = i * ldc + j;
                    if (j >= n) {
                        assertEquals(c0[idx], c1.getAtIndex(Gen.F32, idx), ctx(k, "gemm wrote into the C padding at " + i + "," + j, kk, seed));
                        continue;
                    }
                    double abs = accumulate ? Math.abs(c0[idx]) : 0;
                    for (int p = 0; p < kk; p++) {
                        float bv = bT ? b[j * ldb + p] : b[p * ldb + j];
                        abs += Math.abs((double) a[i * lda + p] * bv);
                    }
                    assertClose(c2.getAtIndex(Gen.F32, idx), c1.getAtIndex(Gen.F32, idx), 2 * (kk + 1) * U * abs + 1e-30,
                            ctx(k, "gemm C[" + i + "," + j + "] of " + m + "x" + n + "x" + kk + (bT ? " B^T" : "") + (accumulate ? " +=" : ""), kk, seed));
                }
            }
        }
    }

    static void checkNorms(Kernels k, int n, String caseName) {
        if (n == 0) {
            return;
        }
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = Gen.floats(r, n, -3, 3);
        float[] w = Gen.floats(r, n);
        float[] b = Gen.floats(r, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sx = Gen.segment(arena, x), sw = Gen.segment(arena, w), sb = Gen.segment(arena, b);
            MemorySegment o1 = arena.allocate(n * 4L), o2 = arena.allocate(n * 4L);
            k.rmsNorm(n, sx, 0, sw, 0, 1e-5f, o1, 0);
            SPEC.rmsNorm(n, sx, 0, sw, 0, 1e-5f, o2, 0);
            assertArrayClose(Gen.toArray(o2, n), Gen.toArray(o1, n), 1e-6, 4 * n * U, ctx(k, "rmsNorm", n, seed));
            k.layerNorm(n, sx, 0, sw, 0, sb, 0, 1e-5f, o1, 0);
            SPEC.layerNorm(n, sx, 0, sw, 0, sb, 0, 1e-5f, o2, 0);
            assertArrayClose(Gen.toArray(o2, n), Gen.toArray(o1, n), 1e-5, 4 * n * U, ctx(k, "layerNorm", n, seed));
            k.layerNorm(n, sx, 0, null, 0, null, 0, 1e-5f, o1, 0);
            SPEC.layerNorm(n, sx, 0, null, 0, null, 0, 1e-5f, o2, 0);
            assertArrayClose(Gen.toArray(o2, n), Gen.toArray(o1, n), 1e-5, 4 * n * U, ctx(k, "layerNorm(no affine)", n, seed));
        }
    }

    static void checkSoftmax(Kernels k, int n, String caseName) {
        long seed = Gen.seed(caseName);
        float[] x = Gen.floats(new SplittableRandom(seed), n, -20, 20);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s1 = Gen.segment(arena, x), s2 = Gen.segment(arena, x);
            k.softmax(n, s1, 0);
            SPEC.softmax(n, s2, 0);
            assertArrayClose(Gen.toArray(s2, n), Gen.toArray(s1, n), 1e-7, 2e-6 + 2 * n * U, ctx(k, "softmax", n, seed));
        }
    }

    static void checkActivation(Kernels k, Activation act, int n, String caseName) {
        long seed = Gen.seed(caseName);
        float[] x = Gen.floats(new SplittableRandom(seed), n, -8, 8);
        if (n > 4) { // exact breakpoints
            x[0] = 0f;
            x[1] = -3f;
            x[2] = 3f;
            x[3] = 6f;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s1 = Gen.segment(arena, x), s2 = Gen.segment(arena, x);
            k.activate(act, n, s1, 0);
            SPEC.activate(act, n, s2, 0);
            boolean exact = switch (act) {
                case RELU, RELU6, HARD_SIGMOID, HARD_SWISH -> true;
                case SILU, GELU, GELU_TANH, SIGMOID -> false;
            };
            float[] want = Gen.toArray(s2, n), got = Gen.toArray(s1, n);
            for (int i = 0; i < n; i++) {
                double tol = exact ? 0 : 2e-6 * Math.abs(want[i]) + 2e-6 * Math.max(1, Math.abs(x[i]));
                assertClose(want[i], got[i], tol, ctx(k, act + " at x=" + x[i], n, seed));
            }
        }
    }

    static void checkRope(Kernels k, RopeLayout layout, int nHeads, int headDim, int rotaryDim, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = Gen.floats(r, nHeads * headDim);
        float[] cos = new float[rotaryDim / 2], sin = new float[rotaryDim / 2];
        for (int i = 0; i < cos.length; i++) {
            double th = r.nextDouble(0, 2 * Math.PI);
            cos[i] = (float) Math.cos(th);
            sin[i] = (float) Math.sin(th);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s1 = Gen.segment(arena, x), s2 = Gen.segment(arena, x);
            k.rope(layout, nHeads, headDim, rotaryDim, cos, sin, s1, 0);
            SPEC.rope(layout, nHeads, headDim, rotaryDim, cos, sin, s2, 0);
            assertArrayClose(Gen.toArray(s2, x.length), Gen.toArray(s1, x.length), 0, 4 * U, ctx(k, "rope " + layout, headDim, seed));
        }
    }

    static void checkSelection(Kernels k, int n, String caseName) {
        long seed = Gen.seed(caseName);
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(50) / 4f; // many ties
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = Gen.segment(arena, x);
            assertEquals(SPEC.argmax(s, 0, n), k.argmax(s, 0, n), ctx(k, "argmax", n, seed));
            int kk = Math.min(n, 1 + r.nextInt(40));
            int[] i1 = new int[kk], i2 = new int[kk];
            assertEquals(SPEC.topK(s, 0, n, kk, i2), k.topK(s, 0, n, kk, i1), ctx(k, "topK count", n, seed));
            assertEquals(Arrays.toString(i2), Arrays.toString(i1), ctx(k, "topK", n, seed));
        }
    }

    /**
     * The first checks of an output element of a ranged kernel (conv tiles, pointwise, shifted): outside the range it
     * must still hold what it held before ({@code before}); with an exact kernel it must equal the specification's
     * {@code want}. Returns true when one of them decided the element, false when the caller checks its error bound.
     */
    static boolean outsideOrExact(float before, float want, float got, boolean inside, boolean exact, String ctx) {
        if (!inside) {
            assertEquals(before, got, 0f, "wrote outside the range: " + ctx);
            return true;
        }
        if (exact) {
            assertEquals(want, got, 0f, ctx);
            return true;
        }
        return false;
    }

    static void assertClose(double want, double got, double tol, String msg) {
        if (Double.isNaN(want) && Double.isNaN(got)) {
            return;
        }
        if (!(Math.abs(want - got) <= tol)) {
            fail(msg + ": expected " + want + " got " + got + " (|diff| " + Math.abs(want - got) + " > bound " + tol + ")");
        }
    }

    static void assertArrayClose(float[] want, float[] got, double abs, double rel, String msg) {
        assertEquals(want.length, got.length, msg);
        for (int i = 0; i < want.length; i++) {
            assertClose(want[i], got[i], abs + rel * Math.abs(want[i]), msg + " at " + i);
        }
    }

    static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static void assertThat(boolean cond, String msg) {
        assertTrue(cond, msg);
    }
}
