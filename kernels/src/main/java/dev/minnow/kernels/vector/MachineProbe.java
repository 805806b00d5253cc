package dev.minnow.kernels.vector;

import dev.minnow.kernels.Parallel;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures what this machine can do, so kernel figures can be read as fractions of it: the f32 FMA peak (a
 * register-only loop of 12 independent FMA chains, enough to cover FMA latency × FMA ports on current x86 and
 * ARM cores) and the streaming read bandwidth (a 4-accumulator sum over a native buffer much larger than the
 * last-level cache). Both run on {@link Parallel}'s pool at the requested thread count; each figure is the best
 * of a few repetitions, since other processes only ever make a run slower.
 */
public final class MachineProbe {
    /** Independent accumulator chains in the FMA loop: ≥ latency (4) × ports (2) with room to spare. */
    static final int CHAINS = 12;

    private MachineProbe() {}

    /**
     * Runs {@code op} repeatedly for at least {@code minSeconds} and then until the JIT has been quiet (no compilation
     * finished) for the last quarter of the time spent, and for 0.2 s at least, or until {@code maxSeconds} have
     * passed; returns whether the JIT went quiet (false: {@code maxSeconds} ran out first). A timing taken after a
     * quiet warm-up measures C2's code, not the interpreter's or C1's (a vector kernel before C2 runs 100× slower; on a
     * loaded machine C2's queue can take seconds to drain).
     */
    public static boolean warmUp(Runnable op, double minSeconds, double maxSeconds) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long lastChange = start;
        long calls = 0;
        long compiled = monitored ? jit.getTotalCompilationTime() : 0;
        while (true) {
            op.run();
            calls++;
            long now = System.nanoTime();
            long c = monitored ? jit.getTotalCompilationTime() : compiled;
            if (c != compiled) {
                compiled = c;
                lastChange = now;
            }
            double elapsed = (now - start) / 1e9;
            double quiet = (now - lastChange) / 1e9;
            if (elapsed >= minSeconds && calls >= 3 && quiet >= Math.max(0.2, elapsed / 4)) {
                return true;
            }
            if (elapsed >= maxSeconds) {
                return false;
            }
        }
    }

    /** A measured rate: {@code value} in GFLOPS or GB/s (10⁹), at {@code threads} threads with a {@code bits}-bit species. */
    public record Rate(double value, int threads, int bits) {}

    /**
     * f32 FMA peak in GFLOPS (2 flops per lane per FMA) at {@code threads} threads (capped at the pool size), using
     * the {@code bits}-bit species, each repetition lasting about {@code millis} ms; best of {@code reps}.
     */
    public static Rate fmaPeak(int bits, int threads, int millis, int reps) {
        return fmaPeak(bits, threads, millis, reps, false);
    }

    /**
     * As {@link #fmaPeak(int, int, int, int)}; with {@code cpuClock} each thread's share is timed by that thread's
     * CPU time instead of the wall clock, which discounts time the OS gave to other processes (for a busy machine).
     */
    public static Rate fmaPeak(int bits, int threads, int millis, int reps, boolean cpuClock) {
        VectorF32 loops = loops(bits);
        int lanes = bits / 32;
        int t = Math.min(threads, Parallel.poolSize());
        // warm up until C2 has compiled the loop, then size each repetition to about `millis` ms per thread
        long iters = 1 << 16;
        warmUp(() -> loops.fmaChains(1 << 16), 0.2, Math.max(1, Math.min(5, reps * millis / 250.0)));
        double rate = 0;
        for (int i = 0; i < 3; i++) { // fastest of three: a call slowed by other processes must not shrink the reps
            long c0 = System.nanoTime();
            loops.fmaChains(iters);
            rate = Math.max(rate, iters / (double) Math.max(1, System.nanoTime() - c0));
        }
        iters = Math.max(1, (long) (rate * millis * 1e6));
        long perThread = iters;
        double best = 0;
        float[] sink = new float[t];
        for (int r = 0; r < reps; r++) {
            long[] ns = new long[t];
            // all t threads start together (so one thread cannot run two shares in a row); the slowest one counts
            CyclicBarrier start = new CyclicBarrier(t);
            Parallel.withThreads(t, () -> Parallel.forChunks(t, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    await(start);
                    long t0 = clock(cpuClock);
                    sink[i] += loops.fmaChains(perThread);
                    ns[i] = clock(cpuClock) - t0;
                }
            }));
            long slowest = 1;
            for (long v : ns) {
                slowest = Math.max(slowest, v);
            }
            double flops = (double) perThread * CHAINS * lanes * 2 * t;
            best = Math.max(best, flops / slowest);
        }
        if (Float.isNaN(sink[0])) {
            throw new AssertionError("FMA probe diverged");
        }
        return new Rate(best, t, bits);
    }

    /** Nanoseconds: the calling thread's CPU time, or the wall clock. */
    public static long clock(boolean cpu) {
        if (cpu) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (mx.isCurrentThreadCpuTimeSupported()) {
                return mx.getCurrentThreadCpuTime();
            }
        }
        return System.nanoTime();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("FMA probe interrupted", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("FMA probe: a pool thread did not start", e);
        }
    }

    /**
     * Default probe buffer: {@code minnow.probe.bytes} if set, else 1 GiB, shrunk to a quarter of the available
     * memory (Linux MemAvailable) when memory is short; at least 64 MiB.
     */
    public static long defaultBandwidthBytes() {
        String p = System.getProperty("minnow.probe.bytes");
        if (p != null && !p.isBlank()) {
            try {
                long v = Long.parseLong(p.trim());
                if (v >= (1 << 20)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw new IllegalArgumentException("minnow.probe.bytes must be an integer ≥ 1048576, got '" + p + "'");
        }
        long want = 1L << 30;
        long avail = memAvailable();
        if (avail > 0 && avail / 4 < want) {
            want = Math.max(64L << 20, avail / 4);
        }
        return want;
    }

    private static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no hint
        }
        return -1;
    }

    /**
     * Streaming read bandwidth in GB/s over a fresh {@code bytes}-byte native buffer (filled first, so every page is
     * mapped), at {@code threads} threads (capped at the pool size), each thread summing its contiguous share with 4
     * vector accumulators, both as one sequential stream and as four concurrent streams (the way a GEMV reads several
     * weight rows); the best of {@code reps} passes of each. With one stream only, the probe said 40–44 GB/s on the
     * 2-vCPU Zen 5 machine where an F32 GEMV streamed its weights at 47 GB/s (session 12), so the % of bandwidth
     * columns could pass 100%.
     */
    public static Rate readBandwidth(int bits, int threads, long bytes, int reps) {
        VectorF32 loops = loops(bits);
        int lanes = bits / 32;
        int t = Math.min(threads, Parallel.poolSize());
        int block = 4 * bits / 8;
        long size = Math.max(block, bytes / (block * 64L) * block * 64L);
        double best = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(size, 4096);
            buf.fill((byte) 0x3c);
            long chunks = 64L * t; // work units for the pool: contiguous blocks
            long per = size / chunks;
            float[] sink = new float[(int) chunks];
            long quarter = per / (4L * block) * block; // four streams over a chunk's first 4·quarter bytes
            warmUp(() -> sink[0] += loops.streamSum(buf, 0, Math.min(size, 1 << 20)), 0.05, 2);
            warmUp(() -> sink[0] += loops.streamSum4(buf, 0, Math.min(quarter, 1 << 18)), 0.05, 2);
            for (int streams : new int[] {1, 4}) {
                long read = streams == 1 ? per : 4 * quarter;
                for (int r = 0; r < reps + 1; r++) { // first pass is a warm-up
                    long[] ns = new long[1];
                    Parallel.withThreads(t, () -> {
                        long t0 = System.nanoTime();
                        Parallel.forChunks((int) chunks, 4, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                sink[i] += streams == 1 ? loops.streamSum(buf, i * per, per)
                                        : loops.streamSum4(buf, i * per, quarter);
                            }
                        });
                        ns[0] = System.nanoTime() - t0;
                    });
                    if (r > 0) {
                        best = Math.max(best, (double) (read * chunks) / ns[0]);
                    }
                }
            }
            if (Float.isNaN(sink[0])) {
                throw new AssertionError("bandwidth probe read NaN");
            }
        }
        return new Rate(best, t, bits);
    }

    private static VectorF32 loops(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        return Specializer.instance(F32Kernels.class, VectorF32.class, bits, true, GemmMicro.forWidth(bits).ordinal());
    }
}
