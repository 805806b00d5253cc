package dev.minnow.cli;

import dev.minnow.models.llm.Architecture;
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
        description = "Write a random-weight model (GGUF: llama, qwen2, stablelm or phi3) of a given shape, e.g. TinyLlama's: "
                + "--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632; Qwen2.5-0.5B's: --arch qwen2 --dim 896 "
                + "--layers 24 --heads 14 --kv-heads 2 --ffn 4864.")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "llama", description = "architecture: llama, qwen2, stablelm, phi3 (default ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--rope-dim", defaultValue = "0", description = "rotated dims per head (0: the whole head; stablelm a quarter)")
    int ropeDim;

    @Option(names = "--tied", negatable = true, description = "reuse the token embedding as the output matrix (default: qwen2 yes, others no)")
    Boolean tied;

    @Option(names = "--qkv-bias", negatable = true, description = "write Q/K/V biases (default: qwen2 and stablelm yes, others no)")
    Boolean qkvBias;

    @Option(names = "--parallel-residual", description = "stablelm: no ffn_norm, the FFN reads the attention's normed input")
    boolean parallelResidual;

    @Option(names = "--qk-norm", description = "stablelm: per-head Q/K LayerNorms (StableLM 2 12B)")
    boolean qkNorm;

    @Option(names = "--rope-factors", description = "llama: write rope_freqs (Llama 3.1 style); phi3: rope_factors_long/short")
    boolean ropeFactors;

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
        Architecture a = Architecture.of(arch);
        ModelSynth.Variant variant = ModelSynth.Variant.of(a).ropeDim(ropeDim).parallelResidual(parallelResidual)
                .ropeFactors(ropeFactors).qkNorms(qkNorm);
        if (tied != null) {
            variant = variant.tiedOutput(tied);
        }
        if (qkvBias != null) {
            variant = variant.qkvBiases(qkvBias);
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
        ModelSynth.write(output, spec, variant, vocab);
        long size;
        try {
            size = Files.size(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(Locale.ROOT, "%s: %s dim %d, %d layers, %d/%d heads, ffn %d, vocab %d, %s | %.1f MiB in %.1f s%n",
                output, a, dim, layers, heads, spec.kvHeads(), ffn, vocab.size(), t, size / 1048576.0, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
