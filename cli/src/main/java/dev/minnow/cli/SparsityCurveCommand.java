package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.LlamaSession;
import dev.minnow.models.sparse.SparseEval;
import dev.minnow.models.sparse.Sparsity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow sparsity-curve}: decode speed and quality of sparse-activation decoding vs kept fraction. */
@Command(name = "sparsity-curve", mixinStandardHelpOptions = true,
        description = "Sparse-activation decoding curve: per method and kept FFN fraction, decode tok/s vs dense "
                + "(--speed-model) and top-1 agreement / KL / perplexity vs dense (-m with -f).")
final class SparsityCurveCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, description = "GGUF model for the quality curve")
    Path model;

    @Option(names = {"-f", "--file"}, description = "text for the quality curve (UTF-8)")
    Path file;

    @Option(names = "--speed-model", description = "GGUF model for the speed curve (e.g. from minnow synth)")
    Path speedModel;

    @Option(names = "--methods", defaultValue = "coreinfer,coreinfer-all,threshold,hot", split = ",",
            description = "methods (default ${DEFAULT-VALUE})")
    List<String> methods;

    @Option(names = "--keep", defaultValue = "0.1,0.2,0.3,0.5,1.0", split = ",",
            description = "kept fractions of the FFN neurons (default ${DEFAULT-VALUE})")
    List<Double> keep;

    @Option(names = "--alpha", defaultValue = "0.2", description = "CoreInfer token-wise alpha (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = {"-c", "--window"}, defaultValue = "256", description = "quality window tokens; first half prefilled (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--windows", defaultValue = "16", description = "quality windows from the start of the text (default ${DEFAULT-VALUE})")
    int windows;

    @Option(names = "--calib-tokens", defaultValue = "4096", description = "calibration tokens for threshold/hot, from the END of the text (default ${DEFAULT-VALUE})")
    int calibTokens;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "64", description = "speed: prompt tokens prefilled before decoding (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "32", description = "speed: decoded tokens timed (default ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "2", description = "speed: timed rounds (plus one warm-up round) (default ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--speed-calib", defaultValue = "256", description = "speed: random calibration tokens for threshold/hot (default ${DEFAULT-VALUE})")
    int speedCalib;

    @Override
    public Integer call() {
        if (speedModel == null && model == null) {
            throw new IllegalArgumentException("give --speed-model and/or -m with -f");
        }
        if (speedModel != null) {
            speed();
        }
        if (model != null) {
            if (file == null) {
                throw new IllegalArgumentException("-m needs -f (text for the quality curve)");
            }
            quality();
        }
        return 0;
    }

    private void speed() {
        int ctx = Math.max(promptTokens + genTokens + 1, 256);
        try (LanguageModel lm = LanguageModel.load(speedModel, LanguageModel.Options.defaults().contextSize(ctx))) {
            LlamaSession dense = lm.session();
            dense.sparsity(null);
            int vocab = lm.config().vocabSize();
            int[] prompt = SparseEval.randomTokens(promptTokens, vocab, 1);
            int[] gen = SparseEval.randomTokens(genTokens, vocab, 2);
            int[] calib = SparseEval.randomTokens(speedCalib, vocab, 3);
            System.out.printf(Locale.ROOT, "speed: %s, %d threads, prompt %d (untimed), decode %d tokens x %d rounds; dense and sparse "
                    + "sessions alternate token by token; tok/s = 1 / median token time%n", speedModel.getFileName(), Parallel.threads(), promptTokens, genTokens, reps);
            System.out.printf(Locale.ROOT, "| %-14s | %5s | %6s | %8s | %8s | %7s | %9s | %7s |%n", "method", "keep", "layers", "tok/s",
                    "dense", "speedup", "select ms", "load");
            for (String m : methods) {
                for (double k : keep) {
                    try (LlamaSession sparse = lm.model().newSession(ctx, dense.kvCacheType())) {
                        SparseEval.install(sparse, SparseEval.parse(m, alpha, k), calib, 256);
                        double selectMs = SparseEval.selectMillis(sparse, prompt);
                        double[] med = SparseEval.interleavedMedians(dense, sparse, prompt, gen, reps);
                        double bestDense = 1e9 / med[0], bestSparse = 1e9 / med[1];
                        double kept = sparse.sparseFfn() == null ? 1 : sparse.sparseFfn().keptFraction();
                        System.out.printf(Locale.ROOT, "| %-14s | %5.2f | %6.3f | %8.2f | %8.2f | %7.2f | %9.1f | %7s |%n", m, k, kept,
                                bestSparse, bestDense, bestSparse / bestDense, selectMs, loadAverage());
                    }
                }
            }
        }
    }

    /** The 1-minute load average (other processes share the machine), or "?" where there is no /proc/loadavg. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void quality() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(window))) {
            int[] ids = lm.tokenizer().encode(text, false);
            int used = windows * (window - 1);
            if (ids.length < used + calibTokens) {
                throw new IllegalArgumentException(file + " has " + ids.length + " tokens; need " + (used + calibTokens)
                        + " for " + windows + " windows and " + calibTokens + " calibration tokens");
            }
            int[] calib = Arrays.copyOfRange(ids, ids.length - calibTokens, ids.length);
            List<Sparsity> policies = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (String m : methods) {
                for (double k : keep) {
                    policies.add(SparseEval.parse(m, alpha, k));
                    labels.add(String.format(Locale.ROOT, "| %-14s | %5.2f |", m, k));
                }
            }
            System.out.printf(Locale.ROOT, "quality: %s on %s, %d windows of %d (first half prefilled dense, second half decoded and scored), "
                    + "calibration: last %d tokens%n", model.getFileName(), file.getFileName(), windows, window, calibTokens);
            List<SparseEval.Quality> q = SparseEval.quality(lm, ids, window, windows, policies, calib, null);
            System.out.printf(Locale.ROOT, "| %-14s | %5s | %6s | %6s | %8s | %8s | %8s |%n", "method", "keep", "layers", "top1", "KL", "ppl", "ppl +%");
            System.out.printf(Locale.ROOT, "| %-14s | %5s | %6s | %6.4f | %8.5f | %8.3f | %8.2f |%n", "dense", "1.00", "-", 1.0, 0.0,
                    q.get(0).densePpl(), 0.0);
            for (int i = 0; i < q.size(); i++) {
                SparseEval.Quality r = q.get(i);
                System.out.printf(Locale.ROOT, "%s %6.3f | %6.4f | %8.5f | %8.3f | %8.2f |%n", labels.get(i), r.kept(), r.top1(), r.kl(), r.ppl(),
                        100 * (r.ppl() / r.densePpl() - 1));
            }
            System.out.println("(layers: mean kept fraction over the sparsified layers; scored tokens " + q.get(0).scored() + ")");
        }
    }
}
