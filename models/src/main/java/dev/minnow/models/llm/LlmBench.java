package dev.minnow.models.llm;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * llama-bench's two figures for a GGUF model: prompt processing ({@code ppN}: N tokens in batches from an empty
 * cache) and text generation ({@code tgN}: N single-token steps from an empty cache), in tokens per second, mean
 * and standard deviation over repetitions after one warm-up run. Token ids are seeded random draws.
 */
public final class LlmBench {
    private LlmBench() {}

    /** One line of the table. */
    public record Row(String test, double tokensPerSecond, double stdDev) {}

    public static List<Row> run(Path model, int promptTokens, int genTokens, int repetitions, KvCacheType kv, PrintStream out) {
        if (promptTokens < 0 || genTokens < 0 || repetitions < 1) {
            throw new IllegalArgumentException("need pp >= 0, tg >= 0 and repetitions >= 1");
        }
        int ctx = Math.max(1, Math.max(promptTokens, genTokens));
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(ctx).kvCacheType(kv))) {
            LlamaConfig c = lm.config();
            LlamaSession s = lm.session();
            SplittableRandom r = new SplittableRandom(1234);
            int[] prompt = r.ints(promptTokens, 0, c.vocabSize()).toArray();
            int[] gen = r.ints(genTokens, 0, c.vocabSize()).toArray();
            List<Row> rows = new ArrayList<>();
            if (promptTokens > 0) {
                rows.add(measure("pp" + promptTokens, promptTokens, repetitions, () -> {
                    s.reset();
                    s.forward(prompt);
                }));
            }
            if (genTokens > 0) {
                rows.add(measure("tg" + genTokens, genTokens, repetitions, () -> {
                    s.reset();
                    for (int t : gen) {
                        s.forward(t);
                    }
                }));
            }
            long size;
            try {
                size = Files.size(model);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String type = lm.model().layers[0].wq().type().toString();
            long params = paramCount(c);
            String header = String.format(Locale.ROOT, "| %-24s | %10s | %8s | %-5s | %-12s | %7s | %-6s | %16s |",
                    "model", "size", "params", "type", "kernels", "threads", "test", "t/s");
            out.println(header);
            out.println(header.replaceAll("[^|]", "-"));
            for (Row row : rows) {
                out.printf(Locale.ROOT, "| %-24s | %6.2f GiB | %6.2f B | %-5s | %-12s | %7d | %-6s | %8.2f ± %5.2f |%n",
                        trim(model.getFileName().toString(), 24), size / (double) (1L << 30), params / 1e9, type,
                        KernelProvider.get().name(), Parallel.threads(), row.test(), row.tokensPerSecond(), row.stdDev());
            }
            return rows;
        }
    }

    private static String trim(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static long paramCount(LlamaConfig c) {
        long perLayer = 2L * c.dim() + (long) c.dim() * c.qDim() * 2 + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.ffnDim();
        return 2L * c.vocabSize() * c.dim() + c.dim() + perLayer * c.layers();
    }

    private static Row measure(String name, int tokens, int reps, Runnable body) {
        body.run(); // warm-up
        double[] tps = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            tps[i] = tokens * 1e9 / (System.nanoTime() - t0);
        }
        double mean = 0;
        for (double v : tps) {
            mean += v;
        }
        mean /= reps;
        double var = 0;
        for (double v : tps) {
            var += (v - mean) * (v - mean);
        }
        return new Row(name, mean, reps > 1 ? Math.sqrt(var / (reps - 1)) : 0);
    }
}
