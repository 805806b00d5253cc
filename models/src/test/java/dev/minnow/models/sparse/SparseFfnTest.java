package dev.minnow.models.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.models.llm.WeightMatrix;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The sparse FFN of one decode step against a plain-Java reference (dense FFN with the dropped neurons zeroed). */
class SparseFfnTest {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final Kernels K = KernelProvider.get();

    record Ffn(WeightMatrix gate, WeightMatrix up, WeightMatrix down, float[][] g, float[][] u, float[][] d) {}

    /** Random weights of type t; the f32 arrays are the dequantized values the matrices hold. */
    static Ffn ffn(DType t, int dim, int n, long seed, Arena arena) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] g = new float[n][dim], u = new float[n][dim], d = new float[dim][n];
        WeightMatrix gw = matrix("gate", t, g, r, arena), uw = matrix("up", t, u, r, arena), dw = matrix("down", t, d, r, arena);
        return new Ffn(gw, uw, dw, g, u, d);
    }

    static WeightMatrix matrix(String name, DType t, float[][] w, SplittableRandom r, Arena arena) {
        int rows = w.length, cols = w[0].length;
        long rowBytes = t.byteSize(cols);
        MemorySegment seg = arena.allocate(rows * rowBytes, 64);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i][j] = (float) (r.nextGaussian() * 0.1);
            }
            if (t == DType.F32) {
                MemorySegment.copy(w[i], 0, seg, F32, i * rowBytes, cols);
            } else {
                GgmlQuant.quantizeRow(t, w[i], 0, seg, i * rowBytes, cols);
                GgmlQuant.dequantizeRow(t, seg, i * rowBytes, w[i], 0, cols);
            }
        }
        return WeightMatrix.of(name, Tensor.wrap(seg, t, rows, cols), K);
    }

    static double silu(double v) { return v / (1 + Math.exp(-v)); }

    /** Plain reference: Σ_i∈keep W_down[:,i]·SiLU(g_i)·u_i. */
    static double[] reference(Ffn f, float[] x, boolean[] keep) {
        int n = f.g.length, dim = x.length;
        double[] out = new double[dim];
        for (int i = 0; i < n; i++) {
            if (!keep[i]) {
                continue;
            }
            double gi = 0, ui = 0;
            for (int j = 0; j < dim; j++) {
                gi += f.g[i][j] * x[j];
                ui += f.u[i][j] * x[j];
            }
            double h = silu(gi) * ui;
            for (int r = 0; r < dim; r++) {
                out[r] += f.d[r][i] * h;
            }
        }
        return out;
    }

    static void assertClose(double[] ref, MemorySegment out, double tol, String what) {
        double scale = 0, err = 0;
        for (int i = 0; i < ref.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            err = Math.max(err, Math.abs(ref[i] - out.getAtIndex(F32, i)));
        }
        assertTrue(err <= tol * Math.max(scale, 1e-3), what + ": max err " + err + " vs scale " + scale);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"F32,1,1e-5", "F32,2,1e-5", "Q8_0,3,2e-2", "Q4_0,4,2e-2"})
    void gatheredSubsetMatchesZeroedReference(DType t, long seed, double tol) {
        int dim = 64, n = 96;
        try (Arena arena = Arena.ofShared()) {
            Ffn f = ffn(t, dim, n, seed, arena);
            SplittableRandom r = new SplittableRandom(seed * 31);
            int[] idx = IntStream.range(0, n).filter(i -> r.nextInt(3) == 0).toArray();
            boolean[] keep = new boolean[n];
            for (int i : idx) {
                keep[i] = true;
            }
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) r.nextGaussian();
            }
            MemorySegment xs = arena.allocate(dim * 4L, 64), out = arena.allocate(dim * 4L, 64);
            MemorySegment.copy(x, 0, xs, F32, 0, dim);
            for (boolean exact : new boolean[] {true, false}) {
                try (SparseFfn s = new SparseFfn(Sparsity.hotNeurons(0.5), K, dim, n, new WeightMatrix[] {f.gate},
                        new WeightMatrix[] {f.up}, new WeightMatrix[] {f.down}, exact)) {
                    s.useNeurons(0, idx);
                    assertTrue(s.decode(0, xs, out));
                    assertClose(reference(f, x, keep), out, tol, t + " exact=" + exact + " seed " + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"F32,5,1e-5", "Q8_0,6,1e-4", "Q4_K,7,1e-4"})
    void thresholdMatchesMaskedReference(DType t, long seed, double tol) {
        int dim = 256, n = 512;
        try (Arena arena = Arena.ofShared()) {
            Ffn f = ffn(t, dim, n, seed, arena);
            SplittableRandom r = new SplittableRandom(seed * 17);
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) r.nextGaussian();
            }
            MemorySegment xs = arena.allocate(dim * 4L, 64), out = arena.allocate(dim * 4L, 64);
            MemorySegment.copy(x, 0, xs, F32, 0, dim);
            if (t != DType.F32) {
                // the quantized GEMVs see x rounded through Q8_0/Q8_K: so does the reference (same survivors)
                DType at = SparseFfn.activationFormat(t);
                MemorySegment q = arena.allocate(at.byteSize(dim), 64);
                GgmlQuant.quantizeRow(at, x, 0, q, 0, dim);
                GgmlQuant.dequantizeRow(at, q, 0, x, 0, dim);
            }
            // the threshold: the median |SiLU(gate)| of this x
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                double gi = 0;
                for (int j = 0; j < dim; j++) {
                    gi += f.g[i][j] * x[j];
                }
                a[i] = Math.abs(silu(gi));
            }
            double[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            float thr = (float) sorted[n / 2];
            boolean[] keep = new boolean[n];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                // neurons right at the threshold may flip with the kernel's rounding; give them a margin
                keep[i] = a[i] >= thr;
                kept += keep[i] ? 1 : 0;
            }
            try (SparseFfn s = new SparseFfn(Sparsity.threshold(0.5), K, dim, n, new WeightMatrix[] {f.gate},
                    new WeightMatrix[] {f.up}, new WeightMatrix[] {f.down}, true)) {
                s.useThreshold(0, thr * (1 + 1e-6f));
                assertTrue(s.decode(0, xs, out));
                boolean[] keepStrict = new boolean[n];
                for (int i = 0; i < n; i++) {
                    keepStrict[i] = a[i] >= thr * (1 + 1e-6);
                }
                assertClose(reference(f, x, keepStrict), out, tol, t + " seed " + seed + " (" + kept + " kept)");
                assertEquals(0.5, s.keptFraction(), 0.01);
            }
        }
    }

    @Test
    void parsesMethodsAndRejectsBadOnes() {
        assertEquals(new Sparsity.CoreInfer(0.2, 0.4, -1, -1), SparseEval.parse("coreinfer", 0.2, 0.4));
        assertEquals(new Sparsity.CoreInfer(0.3, 0.5, 0, 0), SparseEval.parse("coreinfer-all", 0.3, 0.5));
        assertEquals(new Sparsity.Threshold(0.75), SparseEval.parse("threshold", 0.2, 0.25));
        assertEquals(new Sparsity.HotNeurons(0.25), SparseEval.parse("hot", 0.2, 0.25));
        assertThrows(IllegalArgumentException.class, () -> SparseEval.parse("magic", 0.2, 0.4));
        assertThrows(IllegalArgumentException.class, () -> SparseEval.parse("coreinfer", 0.2, 0));
    }

    @Test
    void klAndArgmaxAgainstHandComputed() {
        float[] p = {0, (float) Math.log(3)}; // softmax (1/4, 3/4)
        float[] q = {0, 0};                   // (1/2, 1/2)
        double expected = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(expected, SparseEval.kl(p, q), 1e-6);
        assertEquals(0, SparseEval.kl(p, p), 1e-12);
        assertEquals(1, SparseEval.argmax(p));
        assertEquals(Math.log(0.75), SparseEval.logSoftmax(p, 1), 1e-6);
    }
}
