package dev.minnow.models.sparse;

import static dev.minnow.models.sparse.SparseFfnTest.F32;
import static dev.minnow.models.sparse.SparseFfnTest.K;
import static dev.minnow.models.sparse.SparseFfnTest.assertClose;
import static dev.minnow.models.sparse.SparseFfnTest.matrix;
import static dev.minnow.models.sparse.SparseFfnTest.silu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.models.llm.WeightMatrix;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every weight format a GGUF model can hold in its FFN, and the mixes that llama.cpp's K-quant presets write
 * (Q4_K_M / Q5_K_M: Q4_K or Q5_K gate and up, Q6_K down; Q3_K_M: Q3_K with a Q5_K down; a Q4_0 file whose down fell
 * back to Q8_0), through each sparse path against a plain reference: the gathered subset (CoreInfer, hot) with the
 * requantized and the exact down, every neuron gathered against the dense layer, and the threshold method with the
 * transposed rows and with the dense down. The reference is the FFN in double on the weights the matrices hold, with
 * the input rounded through the format the dense GEMV dots with (Q8_0, Q8_1, Q8_K, F16, BF16).
 */
class SparseFormatsTest {
    static final int DIM = 256, N = 512;

    record Mixed(WeightMatrix gate, WeightMatrix up, WeightMatrix down, SparseFfnTest.Ffn ref) {}

    static Mixed ffn(DType gu, DType dt, long seed, Arena arena) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] g = new float[N][DIM], u = new float[N][DIM], d = new float[DIM][N];
        WeightMatrix gw = matrix("gate", gu, g, r, arena), uw = matrix("up", gu, u, r, arena), dw = matrix("down", dt, d, r, arena);
        return new Mixed(gw, uw, dw, new SparseFfnTest.Ffn(gw, uw, dw, g, u, d));
    }

    /** x rounded through the format the dense GEMV of {@code t} dots with (nothing for F32). */
    static float[] rounded(float[] x, DType t) {
        return through(x, SparseFfn.activationFormat(t));
    }

    /** x quantized to {@code at} and back (nothing when null). */
    static float[] through(float[] x, DType at) {
        if (at == null) {
            return x.clone();
        }
        float[] out = new float[x.length];
        MemorySegment q = MemorySegment.ofArray(new byte[(int) GgmlQuant.rowBytes(at, x.length)]);
        GgmlQuant.quantizeRow(at, x, 0, q, 0, x.length);
        GgmlQuant.dequantizeRow(at, q, 0, out, 0, x.length);
        return out;
    }

    static float[] input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) r.nextGaussian();
        }
        return x;
    }

    static SparseFfn sparse(Sparsity s, Mixed f, boolean exactDown) {
        return new SparseFfn(s, K, DIM, N, new WeightMatrix[] {f.gate}, new WeightMatrix[] {f.up},
                new WeightMatrix[] {f.down}, exactDown);
    }

    /**
     * The FFN in double on the weights the matrices hold, input {@code x} (already rounded as the gate/up GEMVs round
     * it): h_i = SiLU(g_i)·u_i for kept neurons (0 otherwise), rounded through {@code hRound} (the down GEMV's
     * activation format, or null when the path sums unrounded coefficients), then W_down·h.
     */
    static double[] reference(SparseFfnTest.Ffn f, float[] x, boolean[] keep, DType hRound) {
        float[] h = new float[N];
        for (int i = 0; i < N; i++) {
            if (!keep[i]) {
                continue;
            }
            double gi = 0, ui = 0;
            for (int j = 0; j < DIM; j++) {
                gi += f.g()[i][j] * x[j];
                ui += f.u()[i][j] * x[j];
            }
            h[i] = (float) (silu(gi) * ui);
        }
        float[] hr = through(h, hRound);
        double[] out = new double[DIM];
        for (int r = 0; r < DIM; r++) {
            for (int i = 0; i < N; i++) {
                out[r] += f.d()[r][i] * hr[i];
            }
        }
        return out;
    }

    /**
     * The gathered FFN on neurons {@code idx}: h over the kept neurons only (compacted, in order), padded with zeros
     * to a multiple of {@code pad}, rounded through {@code hRound} (null: not rounded), then Σ_j W_down[:, idx_j]·h_j on
     * the exact weights — how the gathered down sees its activations.
     */
    static double[] referenceGathered(SparseFfnTest.Ffn f, float[] x, int[] idx, DType hRound, int pad) {
        int k = idx.length;
        float[] h = new float[(k + pad - 1) / pad * pad];
        for (int j = 0; j < k; j++) {
            int i = idx[j];
            double gi = 0, ui = 0;
            for (int c = 0; c < DIM; c++) {
                gi += f.g()[i][c] * x[c];
                ui += f.u()[i][c] * x[c];
            }
            h[j] = (float) (silu(gi) * ui);
        }
        float[] hr = through(h, hRound);
        double[] out = new double[DIM];
        for (int r = 0; r < DIM; r++) {
            for (int j = 0; j < k; j++) {
                out[r] += f.d()[r][idx[j]] * hr[j];
            }
        }
        return out;
    }

    /** Paths with exact weights: only summation order (and a rare flipped rounding of an activation) differ. */
    static final double EXACT = 1e-4;
    /** Paths through a down projection requantized to Q8_0: one extra rounding of each weight (≤ 1/254 of its block's max). */
    static final double REQUANT = 2e-2;

    @ParameterizedTest(name = "gate/up {0}, down {1}")
    @CsvSource({"F32,F32", "F16,F16", "BF16,BF16", "Q8_0,Q8_0", "Q4_0,Q4_0", "Q4_1,Q4_1", "Q5_0,Q5_0", "Q5_1,Q5_1",
            "Q2_K,Q2_K", "Q3_K,Q3_K", "Q4_K,Q4_K", "Q5_K,Q5_K", "Q6_K,Q6_K", "Q4_K,Q6_K", "Q5_K,Q6_K", "Q3_K,Q5_K",
            "Q4_0,Q8_0", "F16,F32"})
    void gatheredSubsetAndFullSet(DType gu, DType dt) {
        long seed = 1000 + 31L * gu.ordinal() + dt.ordinal();
        try (Arena arena = Arena.ofShared()) {
            Mixed f = ffn(gu, dt, seed, arena);
            float[] x = input(seed + 1);
            MemorySegment xs = arena.allocate(DIM * 4L, 64), out = arena.allocate(DIM * 4L, 64);
            MemorySegment.copy(x, 0, xs, F32, 0, DIM);
            SplittableRandom r = new SplittableRandom(seed + 2);
            int[] idx = IntStream.range(0, N).filter(i -> r.nextInt(3) == 0).toArray();
            boolean[] keep = new boolean[N];
            for (int i : idx) {
                keep[i] = true;
            }
            boolean[] all = new boolean[N];
            Arrays.fill(all, true);
            float[] xr = rounded(x, gu);
            int[] every = IntStream.range(0, N).toArray();
            for (boolean exact : new boolean[] {true, false}) {
                String ctx = gu + "/" + dt + " exactDown=" + exact + " seed " + seed;
                try (SparseFfn s = sparse(Sparsity.hotNeurons(0.5), f, exact)) {
                    for (int[] set : new int[][] {idx, every}) { // every neuron: forced past the dense shortcut
                        s.useNeurons(0, set);
                        assertTrue(s.decode(0, xs, out));
                        double[] ref;
                        double tol;
                        if (dt == DType.F32 || dt == DType.F16) { // columns copied exactly; F16 rounds h through f16
                            ref = referenceGathered(f.ref, xr, set, dt == DType.F16 ? DType.F16 : null, 1);
                            tol = EXACT;
                        } else if (exact) { // f32 columns; h rounded through the down's own format when blocks fit
                            DType at = SparseFfn.activationFormat(dt);
                            ref = referenceGathered(f.ref, xr, set, set.length % at.blockSize() == 0 ? at : null, 1);
                            tol = EXACT;
                        } else { // Q8_0-requantized columns, h padded to 32 and rounded through Q8_0
                            ref = referenceGathered(f.ref, xr, set, DType.Q8_0, 32);
                            tol = REQUANT;
                        }
                        assertClose(ref, out, tol(gu, dt, tol), ctx + ", " + set.length + " neurons");
                    }
                }
            }
        }
    }

    /**
     * Q4_1/Q5_1 rows dot with Q8_1 activations, whose block sums s = d·Σq are stored as f16 (as ggml's) and multiply
     * the weights' block minimum: up to ~4e-3 of the largest output seen here (1e-4 for the gate/up alone).
     */
    static double tol(DType gu, DType dt, double tol) {
        return gu == DType.Q4_1 || gu == DType.Q5_1 || dt == DType.Q4_1 || dt == DType.Q5_1 ? Math.max(tol, 1e-2) : tol;
    }

    @ParameterizedTest(name = "gate/up {0}, down {1}")
    @CsvSource({"F32,F32", "F16,F16", "BF16,BF16", "Q8_0,Q8_0", "Q4_0,Q4_0", "Q4_1,Q4_1", "Q5_0,Q5_0", "Q5_1,Q5_1",
            "Q2_K,Q2_K", "Q3_K,Q3_K", "Q4_K,Q4_K", "Q5_K,Q5_K", "Q6_K,Q6_K", "Q4_K,Q6_K", "Q5_K,Q6_K", "Q3_K,Q5_K",
            "Q4_0,Q8_0", "F16,F32"})
    void thresholdRowsAndDenseDown(DType gu, DType dt) {
        long seed = 2000 + 31L * gu.ordinal() + dt.ordinal();
        try (Arena arena = Arena.ofShared()) {
            Mixed f = ffn(gu, dt, seed, arena);
            float[] x = input(seed + 1);
            MemorySegment xs = arena.allocate(DIM * 4L, 64), out = arena.allocate(DIM * 4L, 64);
            MemorySegment.copy(x, 0, xs, F32, 0, DIM);
            float[] xr = rounded(x, gu);
            double[] a = new double[N];
            for (int i = 0; i < N; i++) {
                double gi = 0;
                for (int j = 0; j < DIM; j++) {
                    gi += f.ref.g()[i][j] * xr[j];
                }
                a[i] = Math.abs(silu(gi));
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            // halfway between the two middle magnitudes: far from both compared to the kernels' rounding
            float thr = (float) ((sorted[N / 2 - 1] + sorted[N / 2]) / 2);
            boolean[] keep = new boolean[N];
            for (int i = 0; i < N; i++) {
                keep[i] = a[i] >= thr;
            }
            for (String mode : new String[] {"rows", "panels", "dense"}) {
                // rows: coefficients summed unrounded over exact (F32/F16, or exact) or Q8_0-requantized transposed
                // rows; dense: the dense down GEMV on the masked activations, rounded through its activation format
                // (panels: the same Q8_0 rows, laid out by column panels)
                double[] ref = reference(f.ref, xr, keep, mode.equals("dense") ? SparseFfn.activationFormat(dt) : null);
                for (boolean exact : new boolean[] {true, false}) {
                    double tol = exact || mode.equals("dense") || dt == DType.F32 || dt == DType.F16 ? EXACT : REQUANT;
                    String ctx = gu + "/" + dt + " down " + mode + " exactDown=" + exact + " seed " + seed;
                    System.setProperty("minnow.sparse.thresholdDown", mode.equals("panels") ? "rows" : mode);
                    System.setProperty("minnow.sparse.panels", mode.equals("panels") ? "on" : "off");
                    try (SparseFfn s = sparse(Sparsity.threshold(0.5), f, exact)) {
                        s.useThreshold(0, thr);
                        assertTrue(s.decode(0, xs, out), ctx);
                        assertClose(ref, out, tol(gu, dt, tol), ctx);
                        assertEquals(0.5, s.keptFraction(), 1e-9, ctx);
                    } finally {
                        System.clearProperty("minnow.sparse.thresholdDown");
                        System.clearProperty("minnow.sparse.panels");
                    }
                }
            }
        }
    }
}
