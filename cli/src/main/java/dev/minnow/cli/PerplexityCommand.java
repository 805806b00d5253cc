package dev.minnow.cli;

import dev.minnow.models.llm.KvCacheType;
import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.Perplexity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow perplexity}: llama-perplexity's estimate over a text file. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a text under a GGUF model, chunked as llama-perplexity does (BOS per chunk, second half scored).")
final class PerplexityCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, description = "text file (UTF-8)")
    Path file;

    @Option(names = {"-c", "--ctx"}, defaultValue = "256", description = "chunk size in tokens (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--chunks", defaultValue = "0", description = "evaluate only the first N chunks; 0 is all")
    int chunks;

    @Option(names = "--kv-type", defaultValue = "f16", description = "KV cache type: f32 or f16 (default ${DEFAULT-VALUE}, as llama.cpp)")
    String kvType;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Override
    public Integer call() {
        Timing.threads(threads);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(ctx)
                .batchSize(ctx).kvCacheType(KvCacheType.parse(kvType)))) {
            // the running estimate after each chunk, as llama-perplexity prints it: [1]12.3456,[2]11.9876,...
            Perplexity.Result r = Perplexity.evaluate(lm, text, ctx, chunks, (i, n, ppl) ->
                    System.err.printf(Locale.ROOT, "[%d]%.4f,%s", i + 1, ppl, (i + 1) % 8 == 0 || i + 1 == n ? "\n" : ""));
            System.out.printf(Locale.ROOT, "PPL = %.4f over %d chunks of %d (%d tokens scored, mean NLL %.5f) | %.1f s%n",
                    r.perplexity(), r.chunks(), ctx, r.tokens(), r.nll(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
