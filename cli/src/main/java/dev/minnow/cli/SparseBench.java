package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.LlamaSession;
import dev.minnow.models.sparse.SparseEval;
import dev.minnow.models.sparse.Sparsity;
import java.nio.file.Path;
import java.util.Locale;

/** {@code minnow bench -m M --sparse ...}: decode tok/s after a prefill, dense vs one sparse setting. */
final class SparseBench {
    private SparseBench() {}

    static void run(Path model, String method, double alpha, double beta, int promptTokens, int genTokens, int reps) {
        if (promptTokens < 2 || genTokens < 1) {
            throw new IllegalArgumentException("--sparse needs -p >= 2 (the prefill selects the neurons) and -n >= 1");
        }
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(promptTokens + genTokens + 1))) {
            LlamaSession s = lm.session();
            int vocab = lm.config().vocabSize();
            int[] prompt = SparseEval.randomTokens(promptTokens, vocab, 1234);
            int[] gen = SparseEval.randomTokens(genTokens, vocab, 5678);
            s.sparsity(null);
            double dense = SparseEval.decodeSpeed(s, prompt, gen, reps);
            Sparsity sp = SparseEval.parse(method, alpha, beta);
            SparseEval.install(s, sp, SparseEval.randomTokens(Math.min(1024, s.contextSize()), vocab, 99), s.contextSize());
            double sparse = SparseEval.decodeSpeed(s, prompt, gen, reps);
            double kept = s.sparseFfn() == null ? 1 : s.sparseFfn().keptFraction();
            System.out.printf(Locale.ROOT, "| %-24s | %7s | %-44s | %8s | %7s |%n", "model", "threads", "test", "t/s", "speedup");
            System.out.printf(Locale.ROOT, "| %-24s | %7d | %-44s | %8.2f | %7.2f |%n", model.getFileName(), Parallel.threads(),
                    "tg" + genTokens + " after pp" + promptTokens + " dense", dense, 1.0);
            System.out.printf(Locale.ROOT, "| %-24s | %7d | %-44s | %8.2f | %7.2f |%n", model.getFileName(), Parallel.threads(),
                    "tg" + genTokens + " " + method + " keep " + beta + String.format(Locale.ROOT, " (%.2f)", kept), sparse, sparse / dense);
        }
    }
}
