package dev.minnow.models.sparse;

import java.util.Arrays;

/**
 * CoreInfer's neuron selections, deterministic: every "top" is by value descending with ties to the lower index.
 *
 * <p>Activations are row-major [T tokens × N neurons] (for SwiGLU, SiLU(gate)·up: the input of the down
 * projection). Selection uses an O(N) quickselect on packed (value, index) keys, not a sort.
 */
public final class CoreNeurons {
    private CoreNeurons() {}

    /**
     * The reference code's per-token count for Llama: {@code int(alpha · #positive entries of the T×N matrix / T)},
     * the same k for every token.
     */
    public static int tokenLimit(float[] acts, int tokens, int neurons, double alpha) {
        checkShape(acts, tokens, neurons);
        if (tokens == 0) {
            return 0;
        }
        long positive = 0;
        for (int i = 0; i < tokens * neurons; i++) {
            if (acts[i] > 0f) {
                positive++;
            }
        }
        return (int) (alpha * positive / tokens);
    }

    /**
     * Token-wise core neurons: the {@code k} largest positive activations of row {@code t} (fewer when the row has
     * fewer positive entries), as ascending indices.
     */
    public static int[] tokenCore(float[] acts, int t, int neurons, int k, long[] scratch) {
        long[] keys = scratch.length >= neurons ? scratch : new long[neurons];
        int m = 0;
        int base = t * neurons;
        for (int i = 0; i < neurons; i++) {
            float v = acts[base + i];
            if (v > 0f) { // positive floats order like their bit patterns
                keys[m++] = ((long) Float.floatToRawIntBits(v) << 32) | (0xFFFFFFFFL - i);
            }
        }
        return topIndices(keys, m, Math.min(k, m));
    }

    /**
     * Sentence-wise core neurons (stability-guided CoreInfer): per token its top {@link #tokenLimit} positive
     * neurons, counted over the tokens; the {@code floor(beta·N)} most frequent neurons, ties to the lower index,
     * as ascending indices.
     */
    public static int[] sentenceCore(float[] acts, int tokens, int neurons, double alpha, double beta) {
        int k = tokenLimit(acts, tokens, neurons, alpha);
        int[] counts = new int[neurons];
        long[] scratch = new long[neurons];
        for (int t = 0; t < tokens; t++) {
            for (int i : tokenCore(acts, t, neurons, k, scratch)) {
                counts[i]++;
            }
        }
        return mostFrequent(counts, (int) Math.floor(beta * neurons));
    }

    /** The {@code keep} neurons with the highest counts, ties to the lower index, as ascending indices. */
    public static int[] mostFrequent(int[] counts, int keep) {
        int n = counts.length;
        if (keep < 0 || keep > n) {
            throw new IllegalArgumentException("keep " + keep + " is outside 0.." + n);
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("negative count at " + i);
            }
            keys[i] = ((long) counts[i] << 32) | (0xFFFFFFFFL - i);
        }
        return topIndices(keys, n, keep);
    }

    /** The indices packed in the k largest of keys[0..n) (low 32 bits hold 0xFFFFFFFF − index), ascending. */
    private static int[] topIndices(long[] keys, int n, int k) {
        selectTop(keys, n, k);
        int[] idx = new int[k];
        for (int j = 0; j < k; j++) {
            idx[j] = (int) (0xFFFFFFFFL - (keys[j] & 0xFFFFFFFFL));
        }
        Arrays.sort(idx);
        return idx;
    }

    /** Jaccard similarity of two ascending index sets (for the stability curve). */
    public static double jaccard(int[] a, int[] b) {
        int i = 0, j = 0, inter = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        int union = a.length + b.length - inter;
        return union == 0 ? 1.0 : (double) inter / union;
    }

    /** Rearranges keys[0..n) so that keys[0..k) are the k largest (in no particular order). Expected O(n). */
    static void selectTop(long[] keys, int n, int k) {
        int lo = 0, hi = n - 1;
        if (k <= 0 || k >= n) {
            return;
        }
        long seed = 0x9E3779B97F4A7C15L;
        while (lo < hi) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int p = lo + (int) Long.remainderUnsigned(seed, hi - lo + 1);
            long pivot = keys[p];
            // three-way partition, larger keys first
            int lt = lo, gt = hi, i = lo;
            while (i <= gt) {
                if (keys[i] > pivot) {
                    swap(keys, lt++, i++);
                } else if (keys[i] < pivot) {
                    swap(keys, i, gt--);
                } else {
                    i++;
                }
            }
            if (k <= lt) {
                hi = lt - 1;
            } else if (k > gt + 1) {
                lo = gt + 1;
            } else {
                return;
            }
        }
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void checkShape(float[] acts, int tokens, int neurons) {
        if (tokens < 0 || neurons < 0 || (long) tokens * neurons != acts.length) {
            throw new IllegalArgumentException("activations hold " + acts.length + " values, not " + tokens + " tokens x "
                    + neurons + " neurons");
        }
    }
}
