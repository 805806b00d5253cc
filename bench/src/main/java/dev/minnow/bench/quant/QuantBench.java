package dev.minnow.bench.quant;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.kernels.vector.MachineProbe;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Quantized GEMV and batched GEMM figures in one aligned table. GEMV: GB/s of weight bytes per call (activation
 * quantization included) at 1 thread and at {@link Parallel#threads()} threads, as % of the machine's read bandwidth
 * at the same thread count, and the scalar specification at 1 thread (first shape only). GEMM:
 * 128 activation rows, GOPS counting a multiply-add as 2 operations, as % of the f32 FMA peak (GFLOPS, same count).
 *
 * <p>Usage: {@code QuantBench [seconds-per-case] [Q8_0,Q4_0,...]}. Properties: {@code -Dminnow.threads=2} (the pool),
 * {@code -Dminnow.bench.clock=cpu} (1-thread timings by thread CPU time, which discounts time the OS gave to other
 * processes on a busy machine; multi-thread timings are always wall clock), {@code -Dminnow.bench.bandwidth=b1,b2}
 * (GB/s at 1 and 2 threads) and {@code -Dminnow.bench.fmaPeak=p1,p2} (GFLOPS), measured with
 * {@code dev.minnow.kernels.vector.MachineProbe}; when these are absent and that class is on the class path it is
 * called, otherwise the % columns are left empty. {@code -Dminnow.bench.shapes=256x2048,...} measures these GEMV
 * shapes (rows x cols) instead of the three; {@code -Dminnow.bench.gemm=false} leaves out the GEMM table. Q8_0,
 * Q4_0, Q4_K and Q6_K get a second GEMV row ("p") for the decode path's 16-row panels ({@code Q4Panels}).
 * {@code -Dminnow.bench.streamBytes=1000000000} rotates the GEMV over copies of its weights filling that many bytes, so
 * the weights come from memory on machines whose last-level cache holds one copy (the figures otherwise measure L3).
 */
public final class QuantBench {
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("minnow.bench.clock", "wall"));
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final int[][] SHAPES = {{2048, 5632}, {5632, 2048}, {32000, 2048}};
    static volatile float sink;

    private QuantBench() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        List<String> types = args.length > 1 ? Arrays.asList(args[1].split(","))
                : List.of("F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K");
        int threads = Parallel.threads();
        double[] bw = probe("minnow.bench.bandwidth", "readBandwidth", threads);
        double[] peak = probe("minnow.bench.fmaPeak", "fmaPeak", threads);
        QuantKernels vq = KernelProvider.quant();
        Kernels f32 = KernelProvider.get();
        System.out.printf("quant kernels %s, f32 kernels %s, pool %d threads, clock %s%n", vq.name(), f32.name(), threads,
                CPU_CLOCK ? "thread CPU time (1-thread rows), wall (multi-thread)" : "wall");
        System.out.printf("read bandwidth %s GB/s, f32 FMA peak %s GFLOPS (1 thread / %d threads)%n",
                pair(bw), pair(peak), threads);
        String head = String.format("%-5s %-13s %7s | %8s %5s | %8s %5s | %8s %7s", "type", "rows x cols", "MB",
                "1t GB/s", "%bw", threads + "t GB/s", "%bw", "scalar", "vec/sc");
        System.out.println();
        if (Long.getLong("minnow.bench.streamBytes", 0) > 0) {
            System.out.println("weights streamed from memory: each call reads another copy (" + Long.getLong("minnow.bench.streamBytes") / 1000000 + " MB of copies)");
        }
        System.out.println("GEMV (GB/s of weights per call; scalar at 1 thread; 'p' rows: the decode path's 16-row panels,"
                + " Q4Panels, MB = the repacked bytes)");
        System.out.println(head);
        SplittableRandom rnd = new SplittableRandom(1);
        int[][] shapes = SHAPES;
        String custom = System.getProperty("minnow.bench.shapes", "");
        if (!custom.isBlank()) { // e.g. 256x2048,2048x5632 (rows x cols)
            shapes = Arrays.stream(custom.split(",")).map(sh -> Arrays.stream(sh.trim().split("x")).mapToInt(Integer::parseInt).toArray())
                    .toArray(int[][]::new);
        }
        for (int[] shape : shapes) {
            for (String name : types) {
                DType t = DType.valueOf(name);
                gemvRow(t, shape[0], shape[1], seconds, bw, threads, vq, f32, rnd, shape == shapes[0] && custom.isBlank(), false);
                if (Q4Panels.supports(t)) {
                    gemvRow(t, shape[0], shape[1], seconds, bw, threads, vq, f32, rnd, false, true);
                }
            }
        }
        if ("false".equals(System.getProperty("minnow.bench.gemm"))) {
            return; // GEMV rows only
        }
        System.out.println();
        System.out.println("GEMM, 128 activation rows (GOPS, a multiply-add = 2 ops): the prefill path (WeightMatrix.gemm:"
                + " dequantized tiles + f32 GEMM), then the integer path (QuantKernels.gemm)");
        System.out.printf("%-5s %-13s | %8s %5s | %8s %5s | %8s %5s%n", "type", "n x k", "1t GOPS", "%peak", threads + "t GOPS",
                "%peak", "int 1t", "%peak");
        for (int[] shape : new int[][] {{2048, 5632}, {5632, 2048}}) {
            for (String name : types) {
                if ((name.equals("F32") || name.equals("F16")) && !Boolean.getBoolean("minnow.bench.f32gemm")) {
                    continue; // the f32 GEMM has its own bench (KernelBench); -Dminnow.bench.f32gemm=true adds it
                }
                gemmRow(DType.valueOf(name), 128, shape[0], shape[1], seconds, peak, threads, vq, f32, rnd);
            }
        }
    }

    private static String pair(double[] v) {
        return v == null ? "n/a" : String.format("%.1f / %.1f", v[0], v[1]);
    }

    /** {@code [1-thread, pool]} from the property, else MachineProbe by reflection, else null. */
    private static double[] probe(String property, String method, int threads) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            String[] s = p.split(",");
            double a = Double.parseDouble(s[0].trim());
            return new double[] {a, s.length > 1 ? Double.parseDouble(s[1].trim()) : a};
        }
        try {
            Class<?> c = Class.forName("dev.minnow.kernels.vector.MachineProbe");
            int bits = KernelProvider.quant().vectorBits() == 0 ? 256 : KernelProvider.quant().vectorBits();
            double[] out = new double[2];
            for (int i = 0; i < 2; i++) {
                int t = i == 0 ? 1 : threads;
                Object rate = method.equals("fmaPeak")
                        ? c.getMethod(method, int.class, int.class, int.class, int.class, boolean.class)
                                .invoke(null, bits, t, 300, 5, CPU_CLOCK && t == 1)
                        : c.getMethod(method, int.class, int.class, long.class, int.class)
                                .invoke(null, bits, t, 512L << 20, 3);
                out[i] = (double) rate.getClass().getMethod("value").invoke(rate);
            }
            return out;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static MemorySegment weights(Arena arena, DType t, int rows, int cols, SplittableRandom r) {
        long rowBytes = t == DType.F32 ? 4L * cols : t == DType.F16 ? 2L * cols : GgmlQuant.rowBytes(t, cols);
        MemorySegment w = arena.allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) r.nextGaussian();
            }
            if (t == DType.F32) {
                MemorySegment.copy(row, 0, w, ValueLayout.JAVA_FLOAT, rowBytes * i, cols);
            } else if (t == DType.F16) {
                for (int j = 0; j < cols; j++) {
                    w.set(ValueLayout.JAVA_SHORT_UNALIGNED, rowBytes * i + 2L * j, Float.floatToFloat16(row[j]));
                }
            } else {
                GgmlQuant.quantizeRow(t, row, 0, w, rowBytes * i, cols);
            }
        }
        return w;
    }

    private static MemorySegment floats(Arena arena, int n, SplittableRandom r) {
        MemorySegment x = arena.allocate(4L * n, 64);
        for (int j = 0; j < n; j++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, j, (float) r.nextGaussian());
        }
        return x;
    }

    private static void gemvRow(DType t, int rows, int cols, double seconds, double[] bw, int threads, QuantKernels vq,
                                Kernels f32, SplittableRandom r, boolean withScalar, boolean panels) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = weights(arena, t, rows, cols, r);
            MemorySegment x = floats(arena, cols, r);
            MemorySegment y = arena.allocate(4L * rows, 64);
            MemorySegment p0 = panels ? Q4Panels.pack(t, rows, cols, w, 0, arena) : w;
            double mb = p0.byteSize() / 1e6;
            // -Dminnow.bench.streamBytes=B: rotate over copies of the weights filling B bytes, so that each call reads
            // its weights from memory even where the last-level cache would hold one copy (300 MiB on the Xeon)
            long stream = Long.getLong("minnow.bench.streamBytes", 0);
            int copies = (int) Math.max(1, Math.min(256, stream / p0.byteSize()));
            MemorySegment all = copies == 1 ? p0 : arena.allocate(p0.byteSize() * copies, 4096);
            for (int c = 0; c < copies && copies > 1; c++) {
                MemorySegment.copy(p0, 0, all, c * p0.byteSize(), p0.byteSize());
            }
            long size = p0.byteSize();
            int[] next = {0};
            java.util.function.Supplier<MemorySegment> ws = copies == 1 ? () -> p0
                    : () -> all.asSlice((long) (next[0]++ % copies) * size, size);
            Runnable vec = panels ? () -> Q4Panels.gemv(vq, t, rows, cols, ws.get(), w, 0, x, 0, y, 0)
                    : t == DType.F32 ? () -> f32.gemv(rows, cols, ws.get(), 0, x, 0, y, 0)
                    : t == DType.F16 ? () -> f32.gemvF16(rows, cols, ws.get(), 0, x, 0, y, 0)
                    : () -> vq.gemv(t, rows, cols, ws.get(), 0, x, 0, y, 0);
            double s1 = oneThread(vec, seconds);
            double sN = threads > 1 ? best(vec, seconds, false) : s1;
            String scalar = "";
            String speedup = "";
            if (t != DType.F32 && t != DType.F16 && withScalar) {
                QuantKernels sc = ScalarQuantKernels.INSTANCE;
                double ss = oneThread(() -> sc.gemv(t, rows, cols, w, 0, x, 0, y, 0), seconds);
                scalar = String.format("%8.2f", mb / 1e3 / ss);
                speedup = String.format("%6.1fx", ss / s1);
            }
            System.out.printf("%-5s %-13s %7.1f | %8.2f %5s | %8.2f %5s | %8s %7s%n", panels ? t + "p" : t, rows + " x " + cols, mb,
                    mb / 1e3 / s1, pct(mb / 1e3 / s1, bw, 0), mb / 1e3 / sN, pct(mb / 1e3 / sN, bw, 1), scalar, speedup);
        }
    }

    private static void gemmRow(DType t, int m, int n, int k, double seconds, double[] peak, int threads,
                                QuantKernels vq, Kernels f32, SplittableRandom r) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = weights(arena, t, n, k, r);
            MemorySegment x = floats(arena, m * k, r);
            MemorySegment y = arena.allocate(4L * m * n, 64);
            dev.minnow.models.llm.WeightMatrix matrix = dev.minnow.models.llm.WeightMatrix.of("bench",
                    dev.minnow.tensor.Tensor.wrap(w, t, n, k), f32);
            Runnable op = () -> matrix.gemm(m, x, 0, y, 0);
            double ops = 2.0 * m * n * k / 1e9;
            // a GEMM call takes 30-100 ms: without a longer warm-up the first rows timed the f32 GEMM and the
            // dequantizers before C2 had compiled them (session 2's 41-77% spread for the same shapes)
            warmUp(op, Math.max(3.0, seconds));
            double s1 = oneThread(op, seconds);
            double sN = threads > 1 ? best(op, seconds, false) : s1;
            String intPath = "";
            if (t != DType.F32 && t != DType.F16) {
                double si = oneThread(() -> vq.gemm(t, m, n, k, w, 0, x, 0, y, 0), seconds);
                intPath = String.format("%8.1f %5s", ops / si, pct(ops / si, peak, 0));
            }
            System.out.printf("%-5s %-13s | %8.1f %5s | %8.1f %5s | %s%n", t, n + " x " + k, ops / s1, pct(ops / s1, peak, 0),
                    ops / sN, pct(ops / sN, peak, 1), intPath);
        }
    }

    private static String pct(double v, double[] ref, int i) {
        return ref == null ? "" : String.format("%4.0f%%", 100 * v / ref[i]);
    }

    /**
     * Seconds per call on one thread: the op runs inside a parallel loop body, where {@link Parallel} runs nested
     * loops inline on the calling thread (the other chunk is empty), timed by that thread's CPU time with
     * {@code minnow.bench.clock=cpu}.
     */
    private static double oneThread(Runnable op, double seconds) {
        if (Parallel.threads() == 1) {
            return best(op, seconds, CPU_CLOCK);
        }
        double[] out = new double[1];
        Parallel.forRange(2, 1, (from, to) -> {
            if (from == 0) {
                out[0] = best(op, seconds, CPU_CLOCK);
            }
        });
        return out[0];
    }

    private static void warmUp(Runnable op, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            op.run();
        }
    }

    /**
     * Warm-up until the JIT is quiet ({@link MachineProbe#warmUp}: at least a third of the budget and
     * {@link #WARMUP_S}, at most {@link #COMPILE_WAIT_S} more), then the best single call over the rest. The Q6_K panel
     * GEMV took 1–1.5 s to get its own C2 compile on the AVX2 machine: until then it ran code that boxed every vector
     * (about 100 MB a call, 73 bytes after) and then a C2 version compiled on loop entry (OSR) that allocated nothing
     * and still ran 10× slower. With a third of 0.5 s as warm-up, 2 of 5 runs timed those (0.2–0.6 GB/s against 3–4.6;
     * session 10), with this warm-up none of 5. The earlier "collapses" of single QuantBench runs were this.
     */
    private static double best(Runnable op, double seconds, boolean cpu) {
        double min = Math.max(seconds / 3, WARMUP_S);
        MachineProbe.warmUp(op, min, min + COMPILE_WAIT_S);
        long best = Long.MAX_VALUE;
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        int calls = 0;
        while (calls < 3 || System.nanoTime() < end) {
            long t0 = clock(cpu);
            op.run();
            best = Math.min(best, clock(cpu) - t0);
            calls++;
        }
        return Math.max(1, best) / 1e9;
    }

    /** Shortest warm-up per case, seconds ({@code -Dminnow.bench.warmupS}). */
    private static final double WARMUP_S = Double.parseDouble(System.getProperty("minnow.bench.warmupS", "2.5"));
    /** Longest warm-up beyond {@link #WARMUP_S} while the JIT is still compiling, seconds ({@code -Dminnow.bench.compileWaitS}). */
    private static final double COMPILE_WAIT_S = Double.parseDouble(System.getProperty("minnow.bench.compileWaitS", "20"));

    private static long clock(boolean cpu) {
        return cpu ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
