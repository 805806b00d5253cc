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
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(promptTokens + genTokens + 1));
             LlamaSession sparseSession = lm.model().newSession(lm.session().contextSize(), lm.session().kvCacheType())) {
            LlamaSession dense = lm.session();
            dense.sparsity(null);
            int vocab = lm.config().vocabSize();
            int[] prompt = SparseEval.randomTokens(promptTokens, vocab, 1234);
            int[] gen = SparseEval.randomTokens(genTokens, vocab, 5678);
            Sparsity sp = SparseEval.parse(method, alpha, beta);
            SparseEval.install(sparseSession, sp, SparseEval.randomTokens(Math.min(256, dense.contextSize()), vocab, 99),
                    dense.contextSize());
            double bestDense = 0, bestSparse = 0;
            for (int r = 0; r <= reps; r++) { // dense and sparse rounds alternate (the load drifts); round 0 warms up
                double d = SparseEval.decodeRound(dense, prompt, gen);
                double x = SparseEval.decodeRound(sparseSession, prompt, gen);
                if (r > 0) {
                    bestDense = Math.max(bestDense, d);
                    bestSparse = Math.max(bestSparse, x);
                }
            }
            double kept = sparseSession.sparseFfn() == null ? 1 : sparseSession.sparseFfn().keptFraction();
            System.out.printf(Locale.ROOT, "| %-24s | %7s | %-44s | %8s | %7s |%n", "model", "threads", "test", "t/s", "speedup");
            System.out.printf(Locale.ROOT, "| %-24s | %7d | %-44s | %8.2f | %7.2f |%n", model.getFileName(), Parallel.threads(),
                    "tg" + genTokens + " after pp" + promptTokens + " dense", bestDense, 1.0);
            System.out.printf(Locale.ROOT, "| %-24s | %7d | %-44s | %8.2f | %7.2f |%n", model.getFileName(), Parallel.threads(),
                    "tg" + genTokens + " " + method + " keep " + beta + String.format(Locale.ROOT, " (%.2f)", kept), bestSparse,
                    bestSparse / bestDense);
        }
    }
}
