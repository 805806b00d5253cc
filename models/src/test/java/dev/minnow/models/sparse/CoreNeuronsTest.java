package dev.minnow.models.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Selections against plain full-sort references written in the test; the gathered FFN against the dense one. */
class CoreNeuronsTest {

    /** Plain reference: sort all positive entries of a row by (value desc, index asc), take k. */
    static int[] naiveTokenCore(float[] acts, int t, int n, int k) {
        return IntStream.range(0, n).filter(i -> acts[t * n + i] > 0).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -acts[t * n + i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    static int[] naiveSentenceCore(float[] acts, int tokens, int n, double alpha, double beta) {
        long pos = 0;
        for (float v : acts) {
            if (v > 0) {
                pos++;
            }
        }
        int k = tokens == 0 ? 0 : (int) (alpha * pos / tokens);
        int[] counts = new int[n];
        for (int t = 0; t < tokens; t++) {
            for (int i : naiveTokenCore(acts, t, n, k)) {
                counts[i]++;
            }
        }
        return IntStream.range(0, n).boxed()
                .sorted(Comparator.<Integer>comparingInt(i -> -counts[i]).thenComparingInt(i -> i))
                .limit((int) Math.floor(beta * n)).mapToInt(Integer::intValue).sorted().toArray();
    }

    static float[] activations(SplittableRandom r, int tokens, int n) {
        float[] a = new float[tokens * n];
        for (int i = 0; i < a.length; i++) {
            // quantised values make ties common; some neurons are "hot" for every token
            a[i] = (r.nextInt(9) - 4) / 2f + ((i % n) % 7 == 0 ? 2f : 0f);
        }
        return a;
    }

    @ParameterizedTest(name = "tokens={0} neurons={1} alpha={2} beta={3}")
    @CsvSource({"1,1,1.0,1.0", "3,7,0.4,0.2", "5,33,0.2,0.4", "16,257,0.4,0.1", "9,1000,0.3,0.3", "2,64,1.0,1.0", "0,16,0.5,0.5"})
    void sentenceCoreMatchesPlainReference(int tokens, int n, double alpha, double beta) {
        long seed = Gen.seed("core/" + tokens + "/" + n + "/" + alpha + "/" + beta);
        float[] acts = activations(new SplittableRandom(seed), tokens, n);
        assertArrayEquals(naiveSentenceCore(acts, tokens, n, alpha, beta), CoreNeurons.sentenceCore(acts, tokens, n, alpha, beta),
                "seed=" + seed);
        int k = CoreNeurons.tokenLimit(acts, tokens, n, alpha);
        for (int t = 0; t < tokens; t++) {
            assertArrayEquals(naiveTokenCore(acts, t, n, k), CoreNeurons.tokenCore(acts, t, n, k, new long[n]), "token " + t + " seed=" + seed);
        }
    }

    @Test
    void mostFrequentBreaksTiesToLowerIndex() {
        assertArrayEquals(new int[] {0, 1}, CoreNeurons.mostFrequent(new int[] {3, 5, 3, 3}, 2));
        assertArrayEquals(new int[] {1, 3}, CoreNeurons.mostFrequent(new int[] {3, 5, 2, 4}, 2));
        assertArrayEquals(new int[] {0, 1, 2, 3}, CoreNeurons.mostFrequent(new int[] {3, 5, 3, 3}, 4));
        assertArrayEquals(new int[0], CoreNeurons.mostFrequent(new int[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> CoreNeurons.mostFrequent(new int[] {1}, 2));
        assertEquals(1.0, CoreNeurons.jaccard(new int[] {1, 4}, new int[] {1, 4}));
        assertEquals(1 / 3.0, CoreNeurons.jaccard(new int[] {1, 4}, new int[] {1, 5}), 1e-12);
    }

    @Test
    void gatheredFfnAtFullWidthEqualsDenseAndElsewhereZeroesTheRest() {
        int dim = 33, n = 70;
        long seed = Gen.seed("gathered-ffn");
        SplittableRandom r = new SplittableRandom(seed);
        Kernels k = KernelProvider.get();
        try (Tensor gate = Tensor.of(Gen.floats(r, n * dim), n, dim); Tensor up = Tensor.of(Gen.floats(r, n * dim), n, dim);
             Tensor down = Tensor.of(Gen.floats(r, dim * n), dim, n); Tensor x = Tensor.of(Gen.floats(r, dim))) {
            int[] all = IntStream.range(0, n).toArray();
            int[] some = IntStream.range(0, n).filter(i -> i % 3 != 1).toArray();
            for (int[] keep : new int[][] {all, some, new int[0]}) {
                float[] want = denseWithMask(gate, up, down, x.toFloatArray(), keep, dim, n);
                try (GatheredFfn ffn = new GatheredFfn(gate, up, down, keep); Tensor out = Tensor.allocate(dev.minnow.tensor.DType.F32, dim)) {
                    ffn.forward(k, x.segment(), 0, out.segment(), 0);
                    float[] got = out.toFloatArray();
                    for (int i = 0; i < dim; i++) {
                        assertEquals(want[i], got[i], 1e-5, "kept " + keep.length + " at " + i + " seed=" + seed);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> new GatheredFfn(gate, up, down, new int[] {3, 2}));
            assertThrows(IllegalArgumentException.class, () -> new GatheredFfn(gate, up, down, new int[] {n}));
        }
    }

    /** The dense FFN in double precision with neurons outside {@code keep} set to zero. */
    static float[] denseWithMask(Tensor gate, Tensor up, Tensor down, float[] x, int[] keep, int dim, int n) {
        boolean[] on = new boolean[n];
        for (int i : keep) {
            on[i] = true;
        }
        double[] a = new double[n];
        for (int j = 0; j < n; j++) {
            if (!on[j]) {
                continue;
            }
            double g = 0, u = 0;
            for (int c = 0; c < dim; c++) {
                g += gate.getFloat(j, c) * x[c];
                u += up.getFloat(j, c) * x[c];
            }
            a[j] = ScalarKernels.activation(Activation.SILU, (float) g) * u;
        }
        float[] out = new float[dim];
        for (int r = 0; r < dim; r++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += down.getFloat(r, j) * a[j];
            }
            out[r] = (float) s;
        }
        return out;
    }

    @Test
    void coreInferLayerBoundsFollowTheReferenceProportions() {
        var c = (Sparsity.CoreInfer) Sparsity.coreInfer(0.2, 0.4);
        // 32 layers: the reference sparsifies 6..26
        assertEquals(false, c.sparsifies(5, 32));
        assertEquals(true, c.sparsifies(6, 32));
        assertEquals(true, c.sparsifies(26, 32));
        assertEquals(false, c.sparsifies(27, 32));
        assertThrows(IllegalArgumentException.class, () -> Sparsity.coreInfer(0, 0.4));
        assertThrows(IllegalArgumentException.class, () -> Sparsity.threshold(1.5));
        assertEquals(Arrays.toString(new int[0]), Arrays.toString(CoreNeurons.tokenCore(new float[] {-1, 0}, 0, 2, 5, new long[2])));
    }
}
