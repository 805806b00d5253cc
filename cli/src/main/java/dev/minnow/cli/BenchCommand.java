package dev.minnow.cli;

import dev.minnow.bench.KernelBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minnow bench kernels}: kernel figures against the measured peak and bandwidth. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: 'kernels' (FMA peak, bandwidth, kernels).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "kernels", description = "What to benchmark: kernels")
    String what;

    @Override
    public Integer call() {
        if (!what.equals("kernels")) {
            throw new IllegalArgumentException("unknown benchmark '" + what + "' (known: kernels)");
        }
        KernelBench.run(System.out, false);
        return 0;
    }
}
