package dev.minnow.models.llm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits by {@link GenerationOptions}: repetition, frequency and presence penalties,
 * then greedy argmax at temperature 0, otherwise top-k, top-p, min-p, temperature and a seeded draw.
 * Deterministic for a seed. Its buffers are sized on first use and reused, so sampling a token allocates nothing.
 */
public final class Sampler {
    private final GenerationOptions options;
    private final SplittableRandom random;
    private long[] keys = new long[0];   // candidates sorted by (logit descending, id ascending)
    private double[] p = new double[0];
    private int[] counts = new int[0];   // occurrences in the penalty window, per token id

    public Sampler(GenerationOptions options) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
    }

    /**
     * The next token. {@code logits} is modified (penalties); {@code history} holds the tokens so far, of which the
     * first {@code historyLength} are valid.
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        penalize(logits, history, historyLength);
        if (options.temperature() == 0f) {
            return argmax(logits);
        }
        int v = logits.length;
        if (keys.length < v) {
            keys = new long[v];
            p = new double[v];
        }
        int nans = 0;
        for (int i = 0; i < v; i++) {
            keys[i] = (long) ~orderable(logits[i]) << 32 | i; // ascending key = descending logit, then lower id
            if (Float.isNaN(logits[i])) {
                nans++;
            }
        }
        Arrays.sort(keys, 0, v);
        int n = v - nans; // NaNs sort last and are never candidates
        if (n == 0 || logits[id(0)] == Float.NEGATIVE_INFINITY) {
            return argmax(logits);
        }
        if (options.topK() > 0) {
            n = Math.min(n, options.topK());
        }
        // probabilities at temperature 1 for the top-p and min-p filters (as llama.cpp's chain does)
        double max = logits[id(0)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[id(i)] - max);
            sum += p[i];
        }
        if (options.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < n; i++) {
                cum += p[i] / sum;
                if (cum >= options.topP()) {
                    n = i + 1;
                    break;
                }
            }
        }
        if (options.minP() > 0f) {
            int keep = 1;
            while (keep < n && p[keep] >= options.minP() * p[0]) {
                keep++;
            }
            n = keep;
        }
        double t = options.temperature();
        double total = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[id(i)] - max) / t);
            total += p[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= p[i];
            if (r < 0) {
                return id(i);
            }
        }
        return id(n - 1);
    }

    private int id(int rank) {
        return (int) keys[rank];
    }

    /** A float's bits as an int that orders like the float; NaN below −inf, so it is never a candidate before a number. */
    private static int orderable(float f) {
        if (Float.isNaN(f)) {
            return Integer.MIN_VALUE;
        }
        int b = Float.floatToIntBits(f);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /**
     * llama.cpp's penalties sampler over the last {@code repeatLastN} tokens: each distinct recent token's logit is
     * divided (positive) or multiplied (not positive) by the repetition penalty, then lowered by
     * frequency · count + presence.
     */
    private void penalize(float[] logits, int[] history, int historyLength) {
        float rep = options.repetitionPenalty();
        float freq = options.frequencyPenalty();
        float pres = options.presencePenalty();
        if (options.repeatLastN() == 0 || rep == 1f && freq == 0f && pres == 0f) {
            return;
        }
        if (counts.length < logits.length) {
            counts = new int[logits.length];
        }
        int from = Math.max(0, historyLength - options.repeatLastN());
        for (int i = from; i < historyLength; i++) {
            int tok = history[i];
            if (tok >= 0 && tok < logits.length) {
                counts[tok]++;
            }
        }
        for (int i = from; i < historyLength; i++) {
            int tok = history[i];
            if (tok < 0 || tok >= logits.length || counts[tok] == 0) {
                continue;
            }
            int c = counts[tok];
            counts[tok] = 0; // each distinct token once; also leaves counts all zero for the next call
            float l = logits[tok];
            l = l <= 0 ? l * rep : l / rep;
            logits[tok] = l - c * freq - pres;
        }
    }

    /** Index of the largest logit; ties to the lowest index; NaN never wins. */
    public static int argmax(float[] logits) {
        int best = -1;
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isNaN(logits[i]) && (best < 0 || logits[i] > logits[best])) {
                best = i;
            }
        }
        return Math.max(best, 0);
    }
}
