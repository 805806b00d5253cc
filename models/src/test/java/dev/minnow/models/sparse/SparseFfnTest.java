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
    @CsvSource({"F32,1,1e-5", "F32,2,1e-5", "F16,8,5e-3", "Q8_0,3,2e-2", "Q4_0,4,2e-2", "Q4_K,9,2e-2"})
    void gatheredSubsetMatchesZeroedReference(DType t, long seed, double tol) {
        int dim = t == DType.Q4_K ? 256 : 64, n = t == DType.Q4_K ? 512 : 96;
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
    @CsvSource({"F32,5,1e-5,true", "F16,10,1e-4,true", "Q8_0,6,1e-4,true", "Q4_K,7,1e-4,true", "Q8_0,11,2e-2,false",
            "Q4_0,12,2e-2,false"})
    void thresholdMatchesMaskedReference(DType t, long seed, double tol, boolean exact) {
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
            System.setProperty("minnow.sparse.thresholdDown", "rows");
            try (SparseFfn s = new SparseFfn(Sparsity.threshold(0.5), K, dim, n, new WeightMatrix[] {f.gate},
                    new WeightMatrix[] {f.up}, new WeightMatrix[] {f.down}, exact)) {
                s.useThreshold(0, thr * (1 + 1e-6f));
                assertTrue(s.decode(0, xs, out));
                boolean[] keepStrict = new boolean[n];
                for (int i = 0; i < n; i++) {
                    keepStrict[i] = a[i] >= thr * (1 + 1e-6);
                }
                assertClose(reference(f, x, keepStrict), out, tol, t + " exact=" + exact + " seed " + seed + " (" + kept + " kept)");
                assertEquals(0.5, s.keptFraction(), 0.01);
            } finally {
                System.clearProperty("minnow.sparse.thresholdDown");
            }
            // the dense down GEMV on the masked activations (quantized: activations rounded to Q8_0/Q8_K); "auto"
            // picks it at keep 0.5 for the quantized types here (Q8_0 rows of the transposed down are >= half the bytes)
            System.setProperty("minnow.sparse.thresholdDown", t == DType.F32 ? "dense" : "auto");
            try (SparseFfn s = new SparseFfn(Sparsity.threshold(0.5), K, dim, n, new WeightMatrix[] {f.gate},
                    new WeightMatrix[] {f.up}, new WeightMatrix[] {f.down}, exact)) {
                s.useThreshold(0, thr * (1 + 1e-6f));
                assertTrue(s.decode(0, xs, out));
                boolean[] keepStrict = new boolean[n];
                for (int i = 0; i < n; i++) {
                    keepStrict[i] = a[i] >= thr * (1 + 1e-6);
                }
                assertClose(reference(f, x, keepStrict), out, t == DType.F32 ? tol : Math.max(tol, 2e-2),
                        t + " dense down, seed " + seed);
            } finally {
                System.clearProperty("minnow.sparse.thresholdDown");
            }
        }
    }

    /** The dense FFN as the session computes it (gate and up GEMVs, SiLU, product, down GEMV). */
    static MemorySegment denseFfn(Ffn f, MemorySegment x, int dim, int n, Arena arena) {
        MemorySegment g = arena.allocate(4L * n, 64), u = arena.allocate(4L * n, 64), out = arena.allocate(4L * dim, 64);
        f.gate.gemv(x, 0, g, 0);
        f.up.gemv(x, 0, u, 0);
        K.activate(dev.minnow.kernels.Activation.SILU, n, g, 0);
        K.mul(n, g, 0, u, 0, g, 0);
        f.down.gemv(g, 0, out, 0);
        return out;
    }

    /**
     * Every neuron gathered (forced: the policies take the dense path for a full set) equals the dense FFN within
     * float reassociation: the packed gate/up rows go through the same dot kernels, the down matrix is the exact
     * gathered copy (F32, F16; quantized types with exact down), or within the Q8_0 requantization otherwise (for
     * Q4_K the dense down rounds the activations through Q8_K, 256 values per scale, the requantized one through
     * Q8_0: the two differ by up to ~2% of the largest output here).
     */
    @ParameterizedTest(name = "{0} exact={1}")
    @CsvSource({"F32,true,1e-6", "F16,true,1e-5", "Q8_0,true,1e-5", "Q4_0,true,1e-5", "Q4_K,true,1e-5",
            "Q8_0,false,2e-2", "Q4_0,false,2e-2", "Q4_K,false,4e-2"})
    void everyNeuronGatheredEqualsDenseLayer(DType t, boolean exact, double tol) {
        int dim = 256, n = 512;
        long seed = 100 + t.ordinal();
        try (Arena arena = Arena.ofShared()) {
            Ffn f = ffn(t, dim, n, seed, arena);
            SplittableRandom r = new SplittableRandom(seed);
            MemorySegment x = arena.allocate(4L * dim, 64), out = arena.allocate(4L * dim, 64);
            for (int j = 0; j < dim; j++) {
                x.setAtIndex(F32, j, (float) r.nextGaussian());
            }
            MemorySegment dense = denseFfn(f, x, dim, n, arena);
            double[] ref = new double[dim];
            for (int i = 0; i < dim; i++) {
                ref[i] = dense.getAtIndex(F32, i);
            }
            try (SparseFfn s = new SparseFfn(Sparsity.hotNeurons(0.5), K, dim, n, new WeightMatrix[] {f.gate},
                    new WeightMatrix[] {f.up}, new WeightMatrix[] {f.down}, exact)) {
                s.useNeurons(0, IntStream.range(0, n).toArray());
                assertTrue(s.decode(0, x, out));
                assertClose(ref, out, tol, t + " exact=" + exact + " seed " + seed);
            }
        }
    }

    /** Policies that keep every neuron record nothing, select nothing and leave decode to the dense path. */
    @Test
    void fullSetsTakeTheDensePath() {
        int dim = 64, n = 96;
        try (Arena arena = Arena.ofShared()) {
            Ffn f = ffn(DType.F32, dim, n, 3, arena);
            MemorySegment x = arena.allocate(4L * dim, 64), out = arena.allocate(4L * dim, 64);
            WeightMatrix[] g = {f.gate}, u = {f.up}, d = {f.down};
            try (SparseFfn hot = new SparseFfn(Sparsity.hotNeurons(1.0), K, dim, n, g, u, d, false)) {
                assertTrue(hot.keepsEverything());
                assertTrue(!hot.records(0));
                hot.calibrate(true);
                hot.calibrate(false);
                assertEquals(n, hot.kept(0).length);
                assertTrue(!hot.decode(0, x, out), "hot 1.0 decodes densely");
            }
            try (SparseFfn thr = new SparseFfn(Sparsity.threshold(0), K, dim, n, g, u, d, false)) {
                assertTrue(thr.keepsEverything());
                thr.calibrate(true);
                thr.calibrate(false);
                assertTrue(!thr.decode(0, x, out), "threshold 0 decodes densely");
            }
            try (SparseFfn core = new SparseFfn(new Sparsity.CoreInfer(0.2, 1.0, 0, 0), K, dim, n, g, u, d, false)) {
                assertTrue(core.keepsEverything() && !core.records(0));
                core.beginRun(4);
                assertEquals(n, core.kept(0).length);
                assertTrue(!core.decode(0, x, out), "coreinfer beta 1 decodes densely");
            }
            try (SparseFfn half = new SparseFfn(new Sparsity.CoreInfer(0.2, 0.5, 0, 0), K, dim, n, g, u, d, false)) {
                assertTrue(!half.keepsEverything() && half.records(0));
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
