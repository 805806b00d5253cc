package dev.minnow.models.llm;

/**
 * Perplexity the way {@code llama-perplexity} computes it: the text is tokenized once (with BOS), cut into chunks
 * of {@code ctx} tokens, the first token of each chunk is replaced by BOS, each chunk runs from an empty cache, and
 * the negative log-likelihood of the next token is averaged over the second half of every chunk.
 */
public final class Perplexity {
    private Perplexity() {}

    /** The estimate after {@code chunks} chunks of {@code ctx} tokens ({@code tokens} scored). */
    public record Result(double perplexity, int chunks, long tokens, double nll) {}

    /** Told after each chunk: its index (from 0), how many chunks there are, and the estimate over those so far. */
    @FunctionalInterface
    public interface Progress {
        void chunk(int index, int chunks, double runningPerplexity);
    }

    /**
     * Evaluates up to {@code maxChunks} chunks (0: all); {@code onChunk} (may be null) hears after each one with the
     * running estimate, as llama-perplexity prints it. The model's context must hold {@code ctx} tokens.
     */
    public static Result evaluate(LanguageModel lm, String text, int ctx, int maxChunks, Progress onChunk) {
        if (ctx < 4 || ctx > lm.contextSize()) {
            throw new IllegalArgumentException("chunk size " + ctx + " must be in 4.." + lm.contextSize() + " (the loaded context)");
        }
        int[] ids = lm.tokenizer().encode(text, true);
        int chunks = ids.length / ctx;
        if (maxChunks > 0) {
            chunks = Math.min(chunks, maxChunks);
        }
        if (chunks == 0) {
            throw new IllegalArgumentException("text has " + ids.length + " tokens, fewer than one chunk of " + ctx);
        }
        int bos = lm.tokenizer().vocabulary().bos();
        double nll = 0;
        long count = 0;
        int first = ctx / 2;
        LlamaSession s = lm.session();
        for (int i = 0; i < chunks; i++) {
            int[] chunk = java.util.Arrays.copyOfRange(ids, i * ctx, (i + 1) * ctx);
            if (bos >= 0 && lm.tokenizer().vocabulary().addBos()) {
                chunk[0] = bos;
            }
            s.reset();
            float[][] logits = s.forwardAll(chunk);
            for (int j = first; j < ctx - 1; j++) {
                nll -= logSoftmax(logits[j], ids[i * ctx + j + 1]);
                count++;
            }
            if (onChunk != null) {
                onChunk.chunk(i, chunks, Math.exp(nll / count));
            }
        }
        return new Result(Math.exp(nll / count), chunks, count, nll / count);
    }

    /** log softmax(logits)[target], in double. */
    static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return logits[target] - max - Math.log(sum);
    }
}
