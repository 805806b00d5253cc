package dev.minnow.models.llm;

/**
 * What {@link LanguageModel#generate} did: the ids, the text, why it stopped, and timings.
 *
 * @param promptIds      the prompt's token ids (with BOS when the vocabulary adds one)
 * @param generatedIds   the generated ids (stop tokens excluded)
 * @param text           the generated text
 * @param stopReason     why generation ended
 * @param prefillNanos   time to run the prompt and produce the first logits
 * @param decodeNanos    time for the remaining generated tokens
 */
public record GenerationResult(int[] promptIds, int[] generatedIds, String text, StopReason stopReason,
                               long prefillNanos, long decodeNanos) {
    /** Why generation ended. */
    public enum StopReason { MAX_TOKENS, END_OF_GENERATION, STOP_TOKEN, STOP_STRING }

    /** Prompt tokens per second. */
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptIds.length * 1e9 / prefillNanos;
    }

    /** Generated tokens per second after the first (each needs one forward pass). */
    public double decodeTokensPerSecond() {
        int steps = Math.max(0, generatedIds.length - 1);
        return decodeNanos == 0 ? 0 : steps * 1e9 / decodeNanos;
    }
}
