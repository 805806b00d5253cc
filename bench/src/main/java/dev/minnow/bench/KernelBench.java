package dev.minnow.bench;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.vector.MachineProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code minnow bench kernels}: measures this machine's FMA peak and read bandwidth, then each kernel against
 * them, in one run, and prints one table. Every figure is the best of several timed batches (other processes
 * only ever slow a batch down); compute-bound kernels are read against the FMA peak at the same thread count,
 * memory-bound ones (dot, GEMV) against the read bandwidth at the same thread count.
 */
public final class KernelBench {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelBench() {}

    /** One benchmark row. {@code ratio} is the % column; {@code speedup} vector/scalar or NaN. */
    record Row(String kernel, String shape, int threads, double seconds, double rate, String unit, double ratio,
               String ratioOf, double speedup) {}

    /** Runs the kernel benchmark; {@code quick} trims sizes and repetitions for the demo (under 25 s). */
    public static void run(PrintStream out, boolean quick) {
        run(out, quick, false);
    }

    /**
     * As {@link #run(PrintStream, boolean)}; {@code gemmOnly} measures the FMA peak and the GEMM rows alone (for tuning
     * the GEMM blocking, e.g. with {@code -Dminnow.gemm.micro}, {@code -Dminnow.gemm.mc}, {@code -Dminnow.gemm.kc}).
     */
    public static void run(PrintStream out, boolean quick, boolean gemmOnly) {
        long start = System.nanoTime();
        unwarmed = 0;
        Kernels vec = KernelProvider.get();
        Kernels scalar = KernelProvider.scalar();
        int bits = vec.vectorBits() > 0 ? vec.vectorBits() : 256;
        int pool = Parallel.poolSize();
        List<Integer> threadCounts = new ArrayList<>(List.of(1));
        if (pool >= 2) {
            threadCounts.add(2);
        }
        if (pool > 2) {
            threadCounts.add(pool);
        }
        out.printf(Locale.ROOT, "machine  %s, %d threads in pool, JDK %s%n", cpuModel(),
                pool, Runtime.version());
        out.printf(Locale.ROOT, "load     %s (1/5/15-min load average before the run; other processes skew the figures)%n", loadAverage());
        out.printf(Locale.ROOT, "clock    %s%n", CPU_CLOCK
                ? "thread CPU time (minnow.bench.clock=cpu): per timing the busiest pool thread's, spin-waits included, i.e. "
                        + "the wall time on idle cores; the bandwidth probe stays on the wall clock"
                : "wall clock (-Dminnow.bench.clock=cpu times by thread CPU time, for busy machines)");
        out.printf(Locale.ROOT, "kernels  %s (%s); preferred species %d bits%n", vec.name(), KernelProvider.reason(),
                KernelProvider.preferredVectorBits());
        if (vec.vectorBits() == 0) {
            out.println("kernels are scalar: the probes and the table still use the Vector API where noted");
        }

        // ---- the machine ----
        long probeBytes = quick ? Math.min(128L << 20, MachineProbe.defaultBandwidthBytes()) : MachineProbe.defaultBandwidthBytes();
        double[] peak = new double[pool + 1];
        double[] bw = new double[pool + 1];
        for (int t : threadCounts) {
            peak[t] = MachineProbe.fmaPeak(bits, t, quick ? 60 : 250, quick ? 3 : 5, CPU_CLOCK).value();
        }
        for (int t : threadCounts) {
            bw[t] = gemmOnly ? Double.NaN : MachineProbe.readBandwidth(bits, t, probeBytes, quick ? 2 : 5).value();
        }
        StringBuilder p = new StringBuilder("probe    FMA peak (" + bits + "-bit, 12 chains):");
        for (int t : threadCounts) {
            p.append(String.format(Locale.ROOT, " %.1f GFLOPS @%dt", peak[t], t));
        }
        if (!gemmOnly) {
            p.append(String.format(Locale.ROOT, "; read bandwidth (%d MiB stream):", probeBytes >> 20));
            for (int t : threadCounts) {
                p.append(String.format(Locale.ROOT, " %.1f GB/s @%dt", bw[t], t));
            }
        }
        out.println(p);

        // ---- the kernels ----
        List<Row> rows = new ArrayList<>();
        double budget = quick ? 0.08 : 0.5; // seconds of timing per row (plus warm-up)
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(42);
            // dot: L1-resident, single call on one thread; vector at each width against the scalar specification
            if (!gemmOnly) {
                int n = 4096;
                MemorySegment a = random(arena, rnd, n), b = random(arena, rnd, n);
                double ts = time(() -> scalar.dot(a, 0, b, 0, n), budget);
                double flops = 2.0 * n;
                for (int w : new int[] {128, 256, 512}) {
                    Kernels kw = w == vec.vectorBits() ? vec : KernelProvider.vector(w);
                    if (quick && w != bits) {
                        continue; // other widths: full run only
                    }
                    double tv = time(() -> kw.dot(a, 0, b, 0, n), budget);
                    String note = w > KernelProvider.preferredVectorBits() ? " (emulated)" : "";
                    rows.add(new Row("dot " + w + "-bit" + note, "4096", 1, tv, flops / tv / 1e9, "GFLOPS",
                            100 * flops / tv / 1e9 / peak[1], "peak", ts / tv));
                }
                rows.add(new Row("dot scalar", "4096", 1, ts, flops / ts / 1e9, "GFLOPS", 100 * flops / ts / 1e9 / peak[1], "peak", 1));
            }
            // the pool's cost for a tiny job: one fork/join over as many empty chunks as threads
            for (int t : gemmOnly ? List.<Integer>of() : threadCounts) {
                if (t > 1) {
                    double tf = timeAt(t, () -> Parallel.forChunks(t, 1, (from, to) -> { }), budget);
                    rows.add(new Row("fork/join (empty)", t + " chunks", t, tf, Double.NaN, "", Double.NaN, "", Double.NaN));
                }
            }
            // GEMV (decode): W rows × cols, memory bound
            int[][] gemvShapes = gemmOnly ? new int[0][] : quick ? new int[][] {{2048, 2048}, {5632, 2048}}
                    : new int[][] {{2048, 2048}, {5632, 2048}, {2048, 5632}, {32000, 2048}};
            for (int[] s : gemvShapes) {
                int r = s[0], c = s[1];
                MemorySegment w = random(arena, rnd, (long) r * c), x = random(arena, rnd, c);
                MemorySegment y = arena.allocate(4L * r, 64);
                double bytes = 4.0 * ((long) r * c + c + r);
                double ts = Double.NaN;
                if ((long) r * c <= 2048L * 2048) {
                    ts = time1(() -> scalar.gemv(r, c, w, 0, x, 0, y, 0), budget);
                }
                for (int t : threadCounts) {
                    double tv = timeAt(t, () -> vec.gemv(r, c, w, 0, x, 0, y, 0), budget);
                    double gbs = bytes / tv / 1e9;
                    rows.add(new Row("gemv", r + "x" + c, t, tv, gbs, "GB/s", 100 * gbs / bw[t], "bw",
                            t == 1 ? ts / tv : Double.NaN));
                }
            }
            // GEMM: square (both B layouts) and pointwise-conv shapes (pixels × out-ch × in-ch, weights [out, in])
            record G(int m, int n, int k, boolean bT, String label) {}
            List<G> gemms = new ArrayList<>();
            if (quick) {
                gemms.add(new G(768, 768, 768, true, "768x768x768 B^T"));
            } else {
                gemms.add(new G(2048, 2048, 2048, true, "2048x2048x2048 B^T"));
                gemms.add(new G(2048, 2048, 2048, false, "2048x2048x2048"));
                gemms.add(new G(128, 5632, 2048, true, "128x5632x2048 B^T"));
            }
            gemms.add(new G(12544, 16, 32, true, "12544x16x32 B^T"));
            gemms.add(new G(3136, 24, 144, true, "3136x24x144 B^T"));
            for (G g : gemms) {
                MemorySegment a = random(arena, rnd, (long) g.m * g.k);
                MemorySegment b = random(arena, rnd, (long) g.n * g.k);
                MemorySegment c = arena.allocate(4L * g.m * g.n, 64);
                int ldb = g.bT ? g.k : g.n;
                double flops = 2.0 * g.m * g.n * g.k;
                for (int t : threadCounts) {
                    double tv = timeAt(t, () -> vec.gemm(g.m, g.n, g.k, a, 0, g.k, b, 0, ldb, g.bT, c, 0, g.n, false), budget);
                    double gf = flops / tv / 1e9;
                    rows.add(new Row("gemm", g.label, t, tv, gf, "GFLOPS", 100 * gf / peak[t], "peak", Double.NaN));
                }
            }
        }
        print(out, rows);
        if (unwarmed > 0) {
            out.printf(Locale.ROOT, "note: %d timings were taken while the JIT was still compiling (busy machine); "
                    + "those figures are pessimistic: rerun on a quiet machine or use the full bench%n", unwarmed);
        }
        out.printf(Locale.ROOT, "(time: best of timed batches; %% peak: of the FMA probe at the same thread count%s)%n",
                gemmOnly ? "" : "; % bw: of the read-bandwidth probe at the same thread count; ×scalar: vector/scalar speedup, 1 thread");
        out.printf(Locale.ROOT, "kernel bench took %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void print(PrintStream out, List<Row> rows) {
        String[] head = {"kernel", "shape", "thr", "time", "rate", "unit", "% of", "×scalar"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Row r : rows) {
            cells.add(new String[] {r.kernel(), r.shape(), Integer.toString(r.threads()), formatTime(r.seconds()),
                Double.isNaN(r.rate()) ? "" : String.format(Locale.ROOT, "%.1f", r.rate()), r.unit(),
                Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.0f%% %s", r.ratio(), r.ratioOf()),
                Double.isNaN(r.speedup()) ? "" : String.format(Locale.ROOT, "%.1fx", r.speedup())});
        }
        int[] width = new int[head.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean left = i <= 1 || i == 5;
                String f = "%" + (left ? "-" : "") + width[i] + "s";
                sb.append(String.format(f, row[i])).append(i + 1 < row.length ? "  " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String formatTime(double s) {
        if (s < 1e-3) {
            return String.format(Locale.ROOT, "%.2f us", s * 1e6);
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.2f ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    private static double timeAt(int threads, Runnable op, double budget) {
        double[] r = new double[1];
        Parallel.withThreads(threads, () -> r[0] = time1(op, budget));
        return r[0];
    }

    /** Float-returning op: keeps the result alive. */
    interface FloatOp {
        float run();
    }

    static volatile float sink;

    /**
     * {@code -Dminnow.bench.clock=cpu}: time each batch by the CPU time of the busiest active pool thread, and the FMA
     * probe by each thread's CPU time, which discounts time the OS gave to other processes (for measuring on a busy
     * machine; memory bandwidth is still shared with them); default: wall clock.
     */
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("minnow.bench.clock", "wall"));

    /** Timings taken before the JIT went quiet (the warm-up ran out of time): pessimistic figures. */
    private static int unwarmed;

    private static double time(FloatOp op, double budget) {
        return time1(() -> sink += op.run(), budget);
    }

    /**
     * Seconds per call, best batch: warm-up until the JIT is quiet ({@link MachineProbe#warmUp}, at least a third of
     * the budget), then batches of about a tenth of the budget each, at least 3, for two thirds of it; the fastest
     * batch wins (other processes only ever slow a batch down).
     */
    static double time1(Runnable op, double budget) {
        if (!MachineProbe.warmUp(op, budget / 3, Math.max(0.6, 8 * budget))) {
            unwarmed++;
        }
        double perCall = batch(op, 1);
        int batch = (int) Math.max(1, Math.min(1_000_000, budget / 10 / perCall));
        double best = Double.MAX_VALUE;
        long end = System.nanoTime() + (long) (budget * 2 / 3 * 1e9);
        int batches = 0;
        while (batches < 3 || System.nanoTime() < end) {
            best = Math.min(best, batch(op, batch));
            batches++;
        }
        return best;
    }

    private static double batch(Runnable op, int calls) {
        if (!CPU_CLOCK) {
            long b0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                op.run();
            }
            return (System.nanoTime() - b0) / 1e9 / calls;
        }
        // CPU clock: the busiest of the active pool threads (caller included; its spin-waits count), which is the
        // wall time the batch would take on otherwise idle cores
        long[] ids = poolThreadIds(Parallel.threads());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] before = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            before[i] = mx.getThreadCpuTime(ids[i]);
        }
        for (int i = 0; i < calls; i++) {
            op.run();
        }
        long busiest = 1;
        for (int i = 0; i < ids.length; i++) {
            busiest = Math.max(busiest, mx.getThreadCpuTime(ids[i]) - before[i]);
        }
        return busiest / 1e9 / calls;
    }

    /** Thread ids of the caller and of pool workers 1 .. threads − 1 (named minnow-worker-N by Parallel). */
    private static long[] poolThreadIds(int threads) {
        long[] ids = new long[threads];
        ids[0] = Thread.currentThread().threadId();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("minnow-worker-")) {
                int n = Integer.parseInt(name.substring("minnow-worker-".length()));
                if (n < threads) {
                    ids[n] = t.threadId();
                }
            }
        }
        return ids;
    }

    static MemorySegment random(Arena arena, SplittableRandom r, long n) {
        MemorySegment s = arena.allocate(4 * n, 64);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(F32, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    String model = line.substring(line.indexOf(':') + 1).trim();
                    String flags = "";
                    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                        if (l.startsWith("flags")) {
                            String f = " " + l + " ";
                            flags = (f.contains(" avx512f ") ? "avx512f " : "") + (f.contains(" avx2 ") ? "avx2 " : "")
                                    + (f.contains(" fma ") ? "fma" : "");
                            break;
                        }
                    }
                    return model + " (" + flags.trim() + ")";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
