package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import java.util.Arrays;
import java.util.function.Supplier;

/** Warm-up then timed repetitions; reports the median. */
final class Timing {
    private Timing() {}

    record Result<T>(T value, double medianMs, double minMs, int runs) {}

    static <T> Result<T> measure(int warmup, int runs, Supplier<T> body) {
        T v = null;
        for (int i = 0; i < warmup; i++) {
            v = body.get();
        }
        double[] ms = new double[Math.max(1, runs)];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            v = body.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new Result<>(v, ms[ms.length / 2], ms[0], ms.length);
    }

    /**
     * Applies {@code --threads}: the size of the kernel thread pool when it has not started yet (a fresh process), and
     * the threads its loops use either way (at most the pool's size, when it started earlier in this JVM).
     */
    static void threads(Integer n) {
        if (n != null) {
            if (n < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + n);
            }
            System.setProperty("minnow.threads", Integer.toString(n));
            Parallel.setActiveThreads(Math.min(n, Parallel.poolSize()));
        }
    }
}
