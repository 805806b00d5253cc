package dev.minnow.models.llm;

import dev.minnow.tensor.DType;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The LLM part of {@code minnow demo}: trains a tiny byte-level BPE vocabulary, writes a random-weight llama
 * model to a temporary GGUF file, loads it back through {@link LanguageModel#load} and generates with timing.
 * Needs no downloads. The text is nonsense (the weights are random); the point is the whole path.
 */
public final class LlmDemo {
    private LlmDemo() {}

    /** Runs the demo, printing to {@code out}; returns the generation result. */
    public static GenerationResult run(PrintStream out) {
        Path dir;
        try {
            dir = Files.createTempDirectory("minnow-llm-demo");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = dir.resolve("tiny-llama.gguf");
        try {
            long t0 = System.nanoTime();
            var vocab = ModelSynth.byteLevelVocabulary(200);
            var spec = new ModelSynth.Spec(128, 4, 8, 2, 384, 256, DType.F16, 7);
            ModelSynth.writeLlama(file, spec, vocab);
            long synthMs = (System.nanoTime() - t0) / 1_000_000;
            out.printf(Locale.ROOT, "synthesised %s: llama dim %d, %d layers, %d/%d heads, ffn %d, %s weights, vocab %d (%d KiB, %d ms)%n",
                    file.getFileName(), spec.dim(), spec.layers(), spec.heads(), spec.kvHeads(), spec.ffnDim(),
                    spec.weightType(), vocab.size(), Files.size(file) / 1024, synthMs);
            try (LanguageModel lm = LanguageModel.load(file, LanguageModel.Options.defaults().contextSize(128))) {
                String prompt = "Once upon a time";
                out.print(prompt);
                GenerationResult r = lm.generate(prompt, GenerationOptions.sampling(0.8f).topP(0.95f).seed(1).maxTokens(48),
                        s -> out.print(printable(s)));
                out.println();
                out.println(statsLine(r, lm.loadNanos()));
                return r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** Random weights emit stray bytes: show broken UTF-8 and control characters as a middle dot. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(cp == 0xFFFD || Character.isISOControl(cp) ? '·' : cp));
        return sb.toString();
    }

    /** The closing line of a generation: prompt tokens, prefill and decode speed, load time. */
    public static String statsLine(GenerationResult r, long loadNanos) {
        return String.format(Locale.ROOT, "prompt %d tok | prefill %.1f tok/s | decode %.1f tok/s (%d tok) | load %.0f ms",
                r.promptIds().length, r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), r.generatedIds().length,
                loadNanos / 1e6);
    }
}
