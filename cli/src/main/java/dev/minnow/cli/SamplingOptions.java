package dev.minnow.cli;

import dev.minnow.models.llm.GenerationOptions;
import dev.minnow.models.llm.KvCacheType;
import dev.minnow.models.llm.LanguageModel;
import picocli.CommandLine.Option;

/** The sampling and context options {@code generate} and {@code chat} share (a picocli mixin). */
final class SamplingOptions {
    @Option(names = "--temp", defaultValue = "0", description = "temperature; 0 is greedy (default ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens; 0 is off")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling mass; 1 is off")
    float topP;

    @Option(names = "--min-p", defaultValue = "0", description = "drop tokens below min-p times the top probability; 0 is off")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1", description = "repetition penalty over the last 64 tokens; 1 is off")
    float repeatPenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0", description = "lower recent tokens' logits by this times their count; 0 is off")
    float frequencyPenalty;

    @Option(names = "--presence-penalty", defaultValue = "0", description = "lower recent tokens' logits by this; 0 is off")
    float presencePenalty;

    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ctx", defaultValue = "0", description = "context size; 0 is min(trained context, 2048)")
    int ctx;

    @Option(names = "--kv-type", defaultValue = "f32", description = "KV cache type: f32 or f16 (default ${DEFAULT-VALUE})")
    String kvType;

    @Option(names = "--batch", defaultValue = "128", description = "prompt tokens per batched step (default ${DEFAULT-VALUE})")
    int batch;

    /** Greedy at temperature 0, else sampling with the filters; penalties either way. */
    GenerationOptions generation(int maxTokens) {
        GenerationOptions o = temperature == 0 ? GenerationOptions.greedy()
                : GenerationOptions.sampling(temperature).topK(topK).topP(topP).minP(minP).seed(seed);
        return o.repetitionPenalty(repeatPenalty, 64).frequencyPresencePenalty(frequencyPenalty, presencePenalty)
                .maxTokens(maxTokens);
    }

    LanguageModel.Options load() {
        return LanguageModel.Options.defaults().contextSize(ctx).kvCacheType(KvCacheType.parse(kvType)).batchSize(batch);
    }
}
