package dev.minnow.cli;

import dev.minnow.models.llm.GenerationOptions;
import dev.minnow.models.llm.GenerationResult;
import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.LlmDemo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow generate}: stream a continuation of a prompt, then one line of figures. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text with a GGUF language model (llama, qwen2, stablelm, phi3), streaming tokens.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @picocli.CommandLine.Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = {"-p", "--prompt"}, required = true, description = "prompt text (BOS is added when the model asks)")
    String prompt;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "128", description = "tokens to generate (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--stop", description = "stop when this text appears (repeatable); it is not printed")
    java.util.List<String> stop = new java.util.ArrayList<>();

    @Option(names = "--ids", description = "print token ids instead of text")
    boolean ids;

    @Option(names = "--sparse", defaultValue = "dense",
            description = "sparse FFN decoding: dense, coreinfer, coreinfer-all, threshold or hot (default ${DEFAULT-VALUE})")
    String sparse;

    @Option(names = "--alpha", defaultValue = "0.2", description = "coreinfer: token-wise fraction of positive activations (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.5", description = "sparse: kept fraction of the FFN neurons (default ${DEFAULT-VALUE}, chosen from the curve in models/SPARSE-NOTES.md)")
    double beta;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--calib", description = "threshold/hot: calibration text file (its first 4096 tokens)")
    Path calib;

    @Override
    public Integer call() {
        Timing.threads(threads);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        GenerationOptions options = sampling.generation(maxTokens).stopStrings(stop.toArray(String[]::new));
        LanguageModel.Options load = sampling.load();
        try (LanguageModel lm = LanguageModel.load(model, load)) {
            int[] promptIds = lm.tokenizer().encode(prompt, true);
            dev.minnow.models.sparse.Sparsity sp = dev.minnow.models.sparse.SparseEval.parse(sparse, alpha, beta);
            options = options.sparsity(sp);
            dev.minnow.models.sparse.SparseEval.install(lm.session(), sp, calibTokens(lm), 256);
            GenerationResult r;
            if (ids) {
                out.print(join(promptIds) + " |");
                r = lm.generate(promptIds, options, s -> { });
                out.println(" " + join(r.generatedIds()));
            } else {
                out.print(prompt);
                r = lm.generate(promptIds, options, out::print);
                out.println();
            }
            out.println(LlmDemo.statsLine(r, lm.loadNanos()));
        }
        return 0;
    }

    private int[] calibTokens(LanguageModel lm) {
        if (calib == null) {
            return null;
        }
        try {
            int[] all = lm.tokenizer().encode(java.nio.file.Files.readString(calib, StandardCharsets.UTF_8), true);
            return java.util.Arrays.copyOf(all, Math.min(all.length, 4096)); // the first 4096 tokens calibrate
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String join(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : " ").append(ids[i]);
        }
        return sb.toString();
    }
}
