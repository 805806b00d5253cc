package dev.minnow.cli;

import dev.minnow.models.llm.ModelSynth;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow synth}: write a seeded random-weight model as GGUF. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight llama model (GGUF) of a given shape, e.g. TinyLlama's: "
                + "--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632.")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "llama", description = "architecture (supported: llama)")
    String arch;

    @Option(names = "--dim", required = true, description = "embedding width")
    int dim;

    @Option(names = "--layers", required = true, description = "transformer blocks")
    int layers;

    @Option(names = "--heads", required = true, description = "query heads")
    int heads;

    @Option(names = "--kv-heads", description = "key/value heads (default: heads)")
    Integer kvHeads;

    @Option(names = "--ffn", required = true, description = "feed-forward width")
    int ffn;

    @Option(names = "--ctx", defaultValue = "2048", description = "trained context to record (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--vocab-from", description = "copy the tokenizer of this GGUF file (default: a small byte-level BPE vocabulary)")
    Path vocabFrom;

    @Option(names = "--type", defaultValue = "f32", description = "2-D weight type: f32, f16, bf16, q8_0, q4_0, ... (default ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, description = "output .gguf")
    Path output;

    @Override
    public Integer call() {
        if (!arch.equals("llama")) {
            throw new IllegalArgumentException("unsupported architecture '" + arch + "'; supported: llama");
        }
        DType t;
        try {
            t = DType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight type '" + type + "'; try f32, f16, bf16, q8_0, q4_0, q4_k, q6_k");
        }
        long t0 = System.nanoTime();
        Vocabulary vocab = vocabFrom != null ? ModelSynth.vocabularyFrom(vocabFrom) : ModelSynth.byteLevelVocabulary(200);
        var spec = new ModelSynth.Spec(dim, layers, heads, kvHeads == null ? heads : kvHeads, ffn, ctx, t, seed);
        ModelSynth.writeLlama(output, spec, vocab);
        long size;
        try {
            size = Files.size(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(Locale.ROOT, "%s: llama dim %d, %d layers, %d/%d heads, ffn %d, vocab %d, %s | %.1f MiB in %.1f s%n",
                output, dim, layers, heads, spec.kvHeads(), ffn, vocab.size(), t, size / 1048576.0, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
