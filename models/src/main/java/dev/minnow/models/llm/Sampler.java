package dev.minnow.models.llm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits by {@link GenerationOptions}: repetition penalty, then greedy argmax at
 * temperature 0, otherwise top-k, top-p, min-p, temperature and a seeded draw. Deterministic for a seed.
 */
public final class Sampler {
    private final GenerationOptions options;
    private final SplittableRandom random;

    public Sampler(GenerationOptions options) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
    }

    /**
     * The next token. {@code logits} is modified (penalties); {@code history} holds the tokens so far, of which the
     * last {@code historyLength} are valid.
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        float penalty = options.repetitionPenalty();
        if (penalty != 1f && options.repeatLastN() > 0) {
            boolean[] seen = new boolean[logits.length];
            for (int i = Math.max(0, historyLength - options.repeatLastN()); i < historyLength; i++) {
                int t = history[i];
                if (t >= 0 && t < logits.length && !seen[t]) {
                    seen[t] = true;
                    logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
                }
            }
        }
        if (options.temperature() == 0f) {
            return argmax(logits);
        }
        // candidates sorted by logit, descending (ties: lower id first)
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int n = order.length;
        if (options.topK() > 0) {
            n = Math.min(n, options.topK());
        }
        // probabilities at temperature 1 for the top-p and min-p filters (as llama.cpp's chain does)
        double max = logits[order[0]];
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[order[i]] - max);
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
            p[i] = Math.exp((logits[order[i]] - max) / t);
            total += p[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= p[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[n - 1];
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
