package dev.minnow.bench;

import java.io.PrintStream;

/**
 * {@code minnow bench kernels}: measures this machine's FMA peak and read bandwidth, then each kernel against
 * them, in one run, and prints one table.
 */
public final class KernelBench {
    private KernelBench() {}

    /** Runs the kernel benchmark; {@code quick} trims repetitions for the demo. */
    public static void run(PrintStream out, boolean quick) {
        out.println("kernel bench: not yet implemented");
    }
}
