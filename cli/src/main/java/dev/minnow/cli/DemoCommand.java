package dev.minnow.cli;

import dev.minnow.bench.KernelBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code minnow demo}: a short tour on models Minnow builds itself (grows with each model family). */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the built-in demo: kernel bench, then each model family.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("== kernels ==");
        KernelBench.run(System.out, true);
        return 0;
    }
}
