package dev.minnow.models.sparse;

import static dev.minnow.models.sparse.SparseFfnTest.F32;
import static dev.minnow.models.sparse.SparseFfnTest.assertClose;
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
 * The gathered gate+up rows of Q8_0/Q4_0/Q4_K/Q6_K models through 16-row panels ({@code SparseFfn.panels}, each half
 * padded to a multiple of 16 rows) against the row dots and the dense FFN. Panels and row dots form the same integer
 * block sums and differ only in the order their scaled f32 terms are added, so the bound is the one of the
 * every-neuron-gathered test of {@link SparseFfnTest}: 1e-5 of the largest output. The down is the exact f32 copy
 * there, so gate and up are what is compared (with the Q8_0-requantized down the f32 reassociation can flip a
 * rounding of h in the down's activation quantization).
 */
class SparsePanelsTest {
    static final int DIM = 256, N = 512;
    static final double REASSOCIATION = 1e-5;

    static SparseFfn sparse(SparseFormatsTest.Mixed f, boolean exactDown, boolean panels) {
        SparseFfn s = new SparseFfn(Sparsity.hotNeurons(0.3), SparseFfnTest.K, DIM, N, new WeightMatrix[] {f.gate()},
                new WeightMatrix[] {f.up()}, new WeightMatrix[] {f.down()}, exactDown);
        s.panels = panels;
        return s;
    }

    /** A random ascending set of ⌊0.3·N⌋ = 153 neurons (odd, not a multiple of 16). */
    static int[] subset(long seed) {
        int k = (int) Math.floor(0.3 * N);
        assertTrue(k % 2 == 1 && k % 16 != 0, "K = " + k);
        int[] perm = IntStream.range(0, N).toArray();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = N - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] idx = Arrays.copyOf(perm, k);
        Arrays.sort(idx);
        return idx;
    }

    /** Every neuron gathered (forced past the dense shortcut), panels on and off, against the dense FFN. */
    @ParameterizedTest(name = "gate/up {0}, down {1}, panels {2}")
    @CsvSource({"Q4_0,Q4_0,true", "Q4_0,Q4_0,false", "Q4_K,Q4_K,true", "Q4_K,Q4_K,false", "Q6_K,Q6_K,true",
            "Q6_K,Q6_K,false", "Q4_K,Q6_K,true", "Q8_0,Q8_0,true", "Q8_0,Q8_0,false"})
    void everyNeuronGatheredEqualsDense(DType gu, DType dt, boolean panels) {
        long seed = 5000 + 31L * gu.ordinal() + dt.ordinal();
        try (Arena arena = Arena.ofShared()) {
            SparseFormatsTest.Mixed f = SparseFormatsTest.ffn(gu, dt, seed, arena);
            MemorySegment x = arena.allocate(4L * DIM, 64), out = arena.allocate(4L * DIM, 64);
            MemorySegment.copy(SparseFormatsTest.input(seed + 1), 0, x, F32, 0, DIM);
            MemorySegment dense = SparseFfnTest.denseFfn(f.ref(), x, DIM, N, arena);
            double[] ref = new double[DIM];
            for (int i = 0; i < DIM; i++) {
                ref[i] = dense.getAtIndex(F32, i);
            }
            try (SparseFfn s = sparse(f, true, panels)) {
                s.useNeurons(0, IntStream.range(0, N).toArray());
                assertEquals(panels, s.gatheredPanels(0), "panels in use");
                assertTrue(s.decode(0, x, out));
                assertClose(ref, out, REASSOCIATION, gu + "/" + dt + " panels=" + panels + " seed " + seed);
            }
        }
    }

    /**
     * Keep 0.3 of 512 neurons (K = 153: odd, each half padded by 7 zero rows): panels on and off agree within the
     * reassociation bound (exact down), and with the requantized down both match the zeroed reference within its
     * Q8_0 bound.
     */
    @ParameterizedTest(name = "gate/up {0}, down {1}")
    @CsvSource({"Q4_0,Q4_0", "Q4_K,Q4_K", "Q6_K,Q6_K", "Q4_K,Q6_K", "Q4_0,Q8_0", "Q8_0,Q8_0"})
    void panelsAgreeWithRowDotsOnAnOddSubset(DType gu, DType dt) {
        long seed = 6000 + 31L * gu.ordinal() + dt.ordinal();
        try (Arena arena = Arena.ofShared()) {
            SparseFormatsTest.Mixed f = SparseFormatsTest.ffn(gu, dt, seed, arena);
            float[] xf = SparseFormatsTest.input(seed + 1);
            MemorySegment x = arena.allocate(4L * DIM, 64);
            MemorySegment.copy(xf, 0, x, F32, 0, DIM);
            int[] idx = subset(seed + 2);
            int k = idx.length;
            String ctx = gu + "/" + dt + " K " + k + " seed " + seed;
            MemorySegment on = arena.allocate(4L * DIM, 64), off = arena.allocate(4L * DIM, 64);
            try (SparseFfn a = sparse(f, true, true); SparseFfn b = sparse(f, true, false)) {
                a.useNeurons(0, idx);
                b.useNeurons(0, idx);
                assertTrue(a.gatheredPanels(0) && !b.gatheredPanels(0), ctx + ": panels on/off");
                assertTrue(a.decode(0, x, on) && b.decode(0, x, off), ctx);
                double[] rowDots = new double[DIM];
                for (int i = 0; i < DIM; i++) {
                    rowDots[i] = off.getAtIndex(F32, i);
                }
                assertClose(rowDots, on, REASSOCIATION, ctx + ": panels vs row dots");
            }
            // requantized down: h padded to 32 and rounded through Q8_0, both layouts against the reference
            double[] ref = SparseFormatsTest.referenceGathered(f.ref(), SparseFormatsTest.rounded(xf, gu), idx, DType.Q8_0, 32);
            for (boolean panels : new boolean[] {true, false}) {
                MemorySegment out = panels ? on : off;
                try (SparseFfn s = sparse(f, false, panels)) {
                    s.useNeurons(0, idx);
                    assertTrue(s.decode(0, x, out), ctx);
                    assertClose(ref, out, SparseFormatsTest.REQUANT, ctx + " requantized down, panels=" + panels);
                }
            }
        }
    }

    /**
     * The opt-in Q4_0 down ({@code minnow.sparse.down=q4_0}): the kept columns padded to 32 and requantized to Q4_0,
     * against the FFN in double on exactly those requantized weights with h rounded through Q8_0 (Q4_0's activation
     * format) — the bound of the exact-weight paths; gate+up through panels and through the row dots.
     */
    @ParameterizedTest(name = "gate/up {0}, down {1}")
    @CsvSource({"Q4_0,Q4_0", "Q4_K,Q6_K", "Q6_K,Q8_0"})
    void q4_0DownMatchesItsRequantizedWeights(DType gu, DType dt) {
        long seed = 7000 + 31L * gu.ordinal() + dt.ordinal();
        try (Arena arena = Arena.ofShared()) {
            SparseFormatsTest.Mixed f = SparseFormatsTest.ffn(gu, dt, seed, arena);
            float[] xf = SparseFormatsTest.input(seed + 1);
            float[] xr = SparseFormatsTest.rounded(xf, gu);
            MemorySegment x = arena.allocate(4L * DIM, 64), out = arena.allocate(4L * DIM, 64);
            MemorySegment.copy(xf, 0, x, F32, 0, DIM);
            int[] idx = subset(seed + 2);
            int k = idx.length, kDown = (k + 31) / 32 * 32;
            float[] h = new float[kDown];
            for (int j = 0; j < k; j++) {
                double gi = 0, ui = 0;
                for (int c = 0; c < DIM; c++) {
                    gi += f.ref().g()[idx[j]][c] * xr[c];
                    ui += f.ref().u()[idx[j]][c] * xr[c];
                }
                h[j] = (float) (SparseFfnTest.silu(gi) * ui);
            }
            float[] hr = SparseFormatsTest.through(h, DType.Q8_0);
            double[] ref = new double[DIM];
            MemorySegment q = MemorySegment.ofArray(new byte[(int) DType.Q4_0.byteSize(kDown)]);
            for (int r = 0; r < DIM; r++) {
                float[] col = new float[kDown];
                for (int j = 0; j < k; j++) {
                    col[j] = f.ref().d()[r][idx[j]];
                }
                GgmlQuant.quantizeRow(DType.Q4_0, col, 0, q, 0, kDown);
                GgmlQuant.dequantizeRow(DType.Q4_0, q, 0, col, 0, kDown);
                for (int j = 0; j < kDown; j++) {
                    ref[r] += (double) col[j] * hr[j];
                }
            }
            for (boolean panels : new boolean[] {true, false}) {
                String ctx = gu + "/" + dt + " Q4_0 down, panels=" + panels + " seed " + seed;
                try (SparseFfn s = sparse(f, false, panels)) {
                    s.requantDown = DType.Q4_0;
                    s.useNeurons(0, idx);
                    assertTrue(s.decode(0, x, out), ctx);
                    assertClose(ref, out, SparseFormatsTest.EXACT, ctx);
                }
            }
        }
    }
}
