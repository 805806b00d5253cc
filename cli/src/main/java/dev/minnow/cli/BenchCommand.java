package dev.minnow.cli;

import dev.minnow.bench.KernelBench;
import dev.minnow.models.llm.KvCacheType;
import dev.minnow.models.llm.LlmBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minnow bench kernels}: kernel figures against the measured peak and bandwidth. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: 'kernels' (FMA peak, bandwidth, f32 kernels), 'gemm' (FMA peak and the f32 GEMM rows only), 'quant' (quantized GEMV/GEMM per format), or -m MODEL.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "kernels", description = "What to benchmark: kernels, gemm or quant")
    String what;

    @Option(names = {"-m", "--model"}, description = "benchmark this GGUF language model instead (llama-bench's pp/tg table)")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "128", description = "with -m: prompt tokens (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", description = "with -m: generated tokens (default ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "with -m: repetitions (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-t", "--threads"}, split = ",", description = "with -m: thread counts, e.g. 1,2 (default: the pool size)")
    int[] threads;

    @Option(names = "--bandwidth", description = "with -m: probe the read bandwidth at each thread count and show decode GB/s as a share of it")
    boolean bandwidth;

    @Option(names = "--kv-type", defaultValue = "f32", description = "with -m: KV cache type f32 or f16")
    String kvType;

    @Option(names = "--sparse", description = "with -m: also decode with sparse FFNs after a prompt of -p tokens: "
            + "coreinfer, coreinfer-all, threshold or hot")
    String sparse;

    @Option(names = "--alpha", defaultValue = "0.2", description = "with --sparse coreinfer: token-wise alpha (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.5", description = "with --sparse: kept FFN fraction (default ${DEFAULT-VALUE}, chosen from the curve in models/SPARSE-NOTES.md)")
    double beta;

    @Override
    public Integer call() throws Exception {
        if (model != null && sparse != null) {
            SparseBench.run(model, sparse, alpha, beta, promptTokens, genTokens, repetitions);
            return 0;
        }
        if (model != null) {
            int[] t = threads != null ? threads : new int[] {dev.minnow.kernels.Parallel.threads()};
            LlmBench.run(model, promptTokens, genTokens, repetitions, KvCacheType.parse(kvType), t, bandwidth, System.out);
            return 0;
        }
        if (what.equals("quant")) {
            dev.minnow.bench.quant.QuantBench.main(new String[] {"1.0"});
            return 0;
        }
        if (!what.equals("kernels") && !what.equals("gemm")) {
            throw new IllegalArgumentException("unknown benchmark '" + what + "' (known: kernels, gemm, quant)");
        }
        KernelBench.run(System.out, false, what.equals("gemm"));
        return 0;
    }
}
