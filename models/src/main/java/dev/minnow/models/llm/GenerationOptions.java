package dev.minnow.models.llm;

import java.util.Arrays;

/**
 * How to generate: length, sampling and stopping. Immutable; each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * GenerationOptions.greedy().maxTokens(64)
 * GenerationOptions.sampling(0.8f).topP(0.95f).seed(42).maxTokens(128)
 * }</pre>
 *
 * Sampling applies, in llama.cpp's order: repetition, frequency and presence penalties over the last
 * {@code repeatLastN} tokens, top-k,
 * top-p, min-p, then temperature and a draw from a {@link java.util.SplittableRandom} seeded with {@code seed}.
 * Temperature 0 is greedy (argmax, ties to the lowest id).
 */
public final class GenerationOptions {
    private int maxTokens = 128;
    private float temperature;
    private int topK;
    private float topP = 1f;
    private float minP;
    private float repetitionPenalty = 1f;
    private float frequencyPenalty;
    private float presencePenalty;
    private int repeatLastN = 64;
    private String[] stopStrings = new String[0];
    private long seed = 42;
    private boolean stopAtEndOfGeneration = true;
    private int[] stopTokens = new int[0];
    private dev.minnow.models.sparse.Sparsity sparsity = dev.minnow.models.sparse.Sparsity.dense();

    private GenerationOptions() {}

    private GenerationOptions copy() {
        GenerationOptions o = new GenerationOptions();
        o.maxTokens = maxTokens;
        o.temperature = temperature;
        o.topK = topK;
        o.topP = topP;
        o.minP = minP;
        o.repetitionPenalty = repetitionPenalty;
        o.frequencyPenalty = frequencyPenalty;
        o.presencePenalty = presencePenalty;
        o.repeatLastN = repeatLastN;
        o.stopStrings = stopStrings;
        o.seed = seed;
        o.stopAtEndOfGeneration = stopAtEndOfGeneration;
        o.stopTokens = stopTokens;
        o.sparsity = sparsity;
        return o;
    }

    /** Argmax decoding, 128 tokens, stop at end-of-generation tokens. */
    public static GenerationOptions greedy() { return new GenerationOptions(); }

    /** Sampling at {@code temperature} (other filters off). */
    public static GenerationOptions sampling(float temperature) { return greedy().temperature(temperature); }

    public GenerationOptions maxTokens(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, got " + n);
        }
        GenerationOptions o = copy();
        o.maxTokens = n;
        return o;
    }

    public GenerationOptions temperature(float t) {
        if (!(t >= 0) || !Float.isFinite(t)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + t);
        }
        GenerationOptions o = copy();
        o.temperature = t;
        return o;
    }

    /** Keep only the k most likely tokens (0: off). */
    public GenerationOptions topK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topK must be >= 0, got " + k);
        }
        GenerationOptions o = copy();
        o.topK = k;
        return o;
    }

    /** Keep the most likely tokens whose probabilities add up to p (1: off). */
    public GenerationOptions topP(float p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + p);
        }
        GenerationOptions o = copy();
        o.topP = p;
        return o;
    }

    /** Drop tokens less likely than p times the most likely one (0: off). */
    public GenerationOptions minP(float p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1), got " + p);
        }
        GenerationOptions o = copy();
        o.minP = p;
        return o;
    }

    /** Divide positive (multiply negative) logits of recent tokens by {@code penalty} (1: off). */
    public GenerationOptions repetitionPenalty(float penalty, int lastN) {
        if (!(penalty > 0) || !Float.isFinite(penalty) || lastN < 0) {
            throw new IllegalArgumentException("repetition penalty must be finite and > 0 and lastN >= 0, got "
                    + penalty + ", " + lastN);
        }
        GenerationOptions o = copy();
        o.repetitionPenalty = penalty;
        o.repeatLastN = lastN;
        return o;
    }

    /**
     * OpenAI-style penalties over the last {@code repeatLastN} tokens, as llama.cpp applies them after the repetition
     * penalty: logit −= frequency · count + presence · [count &gt; 0] (0: off).
     */
    public GenerationOptions frequencyPresencePenalty(float frequency, float presence) {
        if (!Float.isFinite(frequency) || !Float.isFinite(presence)) {
            throw new IllegalArgumentException("frequency and presence penalties must be finite, got " + frequency + ", " + presence);
        }
        GenerationOptions o = copy();
        o.frequencyPenalty = frequency;
        o.presencePenalty = presence;
        return o;
    }

    /** Texts that end generation when they appear in the output (they and what follows are not emitted). */
    public GenerationOptions stopStrings(String... texts) {
        for (String t : texts) {
            if (t == null || t.isEmpty()) {
                throw new IllegalArgumentException("stop strings must be non-empty");
            }
        }
        GenerationOptions o = copy();
        o.stopStrings = texts.clone();
        return o;
    }

    public GenerationOptions seed(long s) {
        GenerationOptions o = copy();
        o.seed = s;
        return o;
    }

    /** Whether the vocabulary's end-of-generation tokens (EOS, EOT, ...) stop generation (default true). */
    public GenerationOptions stopAtEndOfGeneration(boolean stop) {
        GenerationOptions o = copy();
        o.stopAtEndOfGeneration = stop;
        return o;
    }

    /** Extra token ids that stop generation (not emitted). */
    public GenerationOptions stopTokens(int... ids) {
        GenerationOptions o = copy();
        o.stopTokens = ids.clone();
        return o;
    }

    public int maxTokens() { return maxTokens; }

    public float temperature() { return temperature; }

    public int topK() { return topK; }

    public float topP() { return topP; }

    public float minP() { return minP; }

    public float repetitionPenalty() { return repetitionPenalty; }

    public int repeatLastN() { return repeatLastN; }

    public float frequencyPenalty() { return frequencyPenalty; }

    public float presencePenalty() { return presencePenalty; }

    public java.util.List<String> stopStrings() { return java.util.List.of(stopStrings); }

    public long seed() { return seed; }

    public boolean stopAtEndOfGeneration() { return stopAtEndOfGeneration; }

    public int[] stopTokens() { return stopTokens.clone(); }

    /** Sparse-activation decoding of the FFNs (dense by default); see {@link dev.minnow.models.sparse.SparseFfn}. */
    public GenerationOptions sparsity(dev.minnow.models.sparse.Sparsity s) {
        GenerationOptions o = copy();
        o.sparsity = java.util.Objects.requireNonNull(s, "sparsity");
        return o;
    }

    public dev.minnow.models.sparse.Sparsity sparsity() { return sparsity; }

    boolean isStopToken(int id) {
        for (int s : stopTokens) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "GenerationOptions[maxTokens=" + maxTokens + (temperature == 0 ? ", greedy" : ", temperature=" + temperature
                + ", topK=" + topK + ", topP=" + topP + ", minP=" + minP + ", seed=" + seed)
                + (repetitionPenalty != 1 ? ", repetitionPenalty=" + repetitionPenalty + "/" + repeatLastN : "")
                + (frequencyPenalty != 0 || presencePenalty != 0 ? ", frequencyPenalty=" + frequencyPenalty
                        + ", presencePenalty=" + presencePenalty : "")
                + (stopStrings.length > 0 ? ", stopStrings=" + Arrays.toString(stopStrings) : "")
                + (stopTokens.length > 0 ? ", stopTokens=" + Arrays.toString(stopTokens) : "") + "]";
    }
}
