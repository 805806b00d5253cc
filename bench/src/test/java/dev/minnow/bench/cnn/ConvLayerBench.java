package dev.minnow.bench.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.Parallel;
import dev.minnow.nn.Buffers;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Pool2d;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Single-layer timings of the convolution kinds mobile CNNs spend their time in (MobileNetV2 1.0 / ResNet18 /
 * SqueezeNet shapes at 224²), best of several batches after warm-up (the best batch is the one other processes
 * disturbed least), inside {@link Buffers#recycling} as in a forward pass. One thread is timed by the calling thread's CPU
 * time (other processes' share of a busy machine does not count), two threads by wall time. Each case first runs for
 * {@code -Dminnow.bench.warmupMs} (default 3000) so that C2 has compiled its kernels: on a loaded machine the
 * compiler threads lag, and a short run times the C1 code, where every Vector API operation is a boxed call. Program, not a test:
 * {@code ConvLayerBench [--threads 1,2] [--peak GFLOPS] [--ab PROPERTY [--values A,B]] [filter]}; {@code --ab} alternates batches with a
 * system property false and true, or the two {@code --values} (for a switch the code reads per call), and prints both bests: on a shared
 * machine only such alternating comparisons in one process were reliable. {@code -Dminnow.bench.coldMb=N} times each call
 * after reading N MB of other memory (cold caches, as in a network).
 */
public final class ConvLayerBench {
    private ConvLayerBench() {}

    /** name, in, out, k, stride, groups, h (= w), activation. */
    private record Case(String name, int in, int out, int k, int stride, int groups, int size, Activation act) {}

    private static final Case[] CASES = {
        new Case("stem 3x3 s2 3->32 @224", 3, 32, 3, 2, 1, 224, Activation.RELU6),
        new Case("sq stem 3x3 s2 p0 3->64 @224", 3, 64, 3, 2, 1, 224, Activation.RELU),
        new Case("v3 stem 3x3 s2 3->16 @224", 3, 16, 3, 2, 1, 224, Activation.HARD_SWISH),
        new Case("x.5 pw 16->8 @112", 16, 8, 1, 1, 1, 112, null),
        new Case("x.5 pw 8->48 @112", 8, 48, 1, 1, 1, 112, Activation.RELU6),
        new Case("x.5 pw 48->16 @56", 48, 16, 1, 1, 1, 56, null),
        new Case("x.5 pw 16->96 @56", 16, 96, 1, 1, 1, 56, Activation.RELU6),
        new Case("x.5 dw3 s1 16 @112", 16, 16, 3, 1, 16, 112, Activation.RELU6),
        new Case("x.5 dw3 s2 48 @112", 48, 48, 3, 2, 48, 112, Activation.RELU6),
        new Case("x.5 dw3 s1 96 @56", 96, 96, 3, 1, 96, 56, Activation.RELU6),
        new Case("pw 16->96 @112", 16, 96, 1, 1, 1, 112, Activation.RELU6),
        new Case("pw 16->96 @112 noact", 16, 96, 1, 1, 1, 112, null),
        new Case("pw 96->24 @56", 96, 24, 1, 1, 1, 56, null),
        new Case("pw 32->16 @112", 32, 16, 1, 1, 1, 112, null),
        new Case("pw 144->32 @28", 144, 32, 1, 1, 1, 28, null),
        new Case("pw 144->24 @56", 144, 24, 1, 1, 1, 56, null),
        new Case("pw 24->144 @56", 24, 144, 1, 1, 1, 56, Activation.RELU6),
        new Case("pw 192->32 @28", 192, 32, 1, 1, 1, 28, null),
        new Case("pw 384->64 @14", 384, 64, 1, 1, 1, 14, null),
        new Case("pw 960->160 @7", 960, 160, 1, 1, 1, 7, null),
        new Case("pw 576->96 @14", 576, 96, 1, 1, 1, 14, null),
        new Case("pw 384->96 @14", 384, 96, 1, 1, 1, 14, null),
        new Case("pw 576->160 @7", 576, 160, 1, 1, 1, 7, null),
        new Case("pw 960->320 @7", 960, 320, 1, 1, 1, 7, null),
        new Case("pw 64->384 @14", 64, 384, 1, 1, 1, 14, Activation.RELU6),
        new Case("pw 96->576 @7 hs", 96, 576, 1, 1, 1, 7, Activation.HARD_SWISH),
        new Case("pw 96->576 @7", 96, 576, 1, 1, 1, 7, Activation.RELU6),
        new Case("pw 96->576 @14 hs", 96, 576, 1, 1, 1, 14, Activation.HARD_SWISH),
        new Case("pw 576->144 @1", 576, 144, 1, 1, 1, 1, Activation.RELU),
        new Case("pw 96->576 @14", 96, 576, 1, 1, 1, 14, Activation.RELU6),
        new Case("pw 320->1280 @7", 320, 1280, 1, 1, 1, 7, Activation.RELU6),
        new Case("dw3 s1 32 @112", 32, 32, 3, 1, 32, 112, Activation.RELU6),
        new Case("mv3s dw3 s1 88 @28", 88, 88, 3, 1, 88, 28, Activation.RELU),
        new Case("mv3s pw 88->24 @28", 88, 24, 1, 1, 1, 28, null),
        new Case("mv3s pw 72->24 @28", 72, 24, 1, 1, 1, 28, null),
        new Case("dw3 s2 96 @112", 96, 96, 3, 2, 96, 112, Activation.RELU6),
        new Case("dw3 s1 144 @56", 144, 144, 3, 1, 144, 56, Activation.RELU6),
        new Case("dw3 s2 144 @56", 144, 144, 3, 2, 144, 56, Activation.RELU6),
        new Case("dw3 s2 192 @28", 192, 192, 3, 2, 192, 28, Activation.RELU6),
        new Case("dw3 s2 576 @14", 576, 576, 3, 2, 576, 14, Activation.RELU6),
        new Case("dw5 s2 72 @56", 72, 72, 5, 2, 72, 56, Activation.RELU),
        new Case("dw5 s2 240 @28", 240, 240, 5, 2, 240, 28, Activation.RELU),
        new Case("dw5 s2 576 @14", 576, 576, 5, 2, 576, 14, Activation.RELU),
        new Case("dw3 s1 576 @14", 576, 576, 3, 1, 576, 14, Activation.RELU6),
        new Case("dw3 s1 960 @7", 960, 960, 3, 1, 960, 7, Activation.RELU6),
        new Case("dw5 s1 240 @28", 240, 240, 5, 1, 240, 28, Activation.RELU),
        new Case("dw5 s1 240 @14", 240, 240, 5, 1, 240, 14, Activation.HARD_SWISH),
        new Case("dw5 s1 576 @7", 576, 576, 5, 1, 576, 7, Activation.HARD_SWISH),
        new Case("3x3 s1 64->64 @56", 64, 64, 3, 1, 1, 56, Activation.RELU),
        new Case("3x3 s1 128->128 @28", 128, 128, 3, 1, 1, 28, Activation.RELU),
        new Case("3x3 s1 256->256 @14", 256, 256, 3, 1, 1, 14, Activation.RELU),
        new Case("3x3 s1 512->512 @7", 512, 512, 3, 1, 1, 7, Activation.RELU),
        new Case("3x3 s2 128->256 @28", 128, 256, 3, 2, 1, 28, Activation.RELU),
        new Case("3x3 s1 64->256 @13", 64, 256, 3, 1, 1, 13, Activation.RELU),
        new Case("3x3 s1 48->192 @13", 48, 192, 3, 1, 1, 13, Activation.RELU),
        new Case("3x3 s1 32->128 @27", 32, 128, 3, 1, 1, 27, Activation.RELU),
        new Case("7x7 s2 3->64 @224", 3, 64, 7, 2, 1, 224, Activation.RELU),
        new Case("3x3 s1 16->64 @55", 16, 64, 3, 1, 1, 55, Activation.RELU),
    };

    private static final long WARMUP_NANOS = Long.getLong("minnow.bench.warmupMs", 3000) * 1_000_000;
    private static final Tensor TINY = Tensor.of(new float[] {0f}, 1);
    /**
     * {@code -Dminnow.bench.coldMb=N}: before each timed call, read N MB of other memory (untimed), so that the layer's
     * weights and input come from memory or L3 as in a whole network rather than from the caches its last call left.
     */
    private static final java.lang.foreign.MemorySegment COLD = Long.getLong("minnow.bench.coldMb", 0) <= 0 ? null
            : java.lang.foreign.Arena.global().allocate(Long.getLong("minnow.bench.coldMb", 0) << 20, 64);
    private static long SINK;
    /** {@code --ab PROP}: batches alternate PROP=true / PROP=false (a switch the layer reads per call); both bests printed. */
    private static String ab;
    /** The two values {@code --ab} alternates: {@code --values A,B} (default false,true). */
    private static String[] abValues = {"false", "true"};

    public static void main(String[] args) {
        int[] threads = {1, 2};
        double peak = 0;
        String filter = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                case "--ab" -> ab = args[++i];
                case "--values" -> abValues = args[++i].split(",", 2);
                default -> filter = args[i];
            }
        }
        SplittableRandom r = new SplittableRandom(1);
        System.out.printf("%-24s %3s %10s %9s %7s%n", "layer", "thr", "best us", "GFLOP/s", "% peak");
        for (Case c : CASES) {
            if (!c.name.contains(filter)) {
                continue;
            }
            float[] w = new float[c.out * (c.in / c.groups) * c.k * c.k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian() * 0.1f;
            }
            float[] b = new float[c.out];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) r.nextGaussian() * 0.1f;
            }
            int pad = c.name.contains(" p0 ") ? 0 : c.k / 2;   // SqueezeNet's stem has no padding
            Conv2d conv = Conv2d.of(Tensor.of(w, c.out, c.in / c.groups, c.k, c.k), Tensor.of(b, c.out), c.stride, pad, 1, c.groups)
                    .withActivation(c.act);
            float[] xv = new float[c.in * c.size * c.size];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = (float) r.nextGaussian();
            }
            Tensor x = Tensor.of(xv, 1, c.in, c.size, c.size);
            // -Dminnow.bench.nchwc=i, o or io: the input and/or the output in the channel-blocked layout
            String io = System.getProperty("minnow.bench.nchwc", "");
            if (io.contains("i")) {
                x = dev.minnow.nn.Nchwc.fromNchw(x);
            }
            if (io.contains("o")) {
                conv = conv.withNchwcOutput(true);
            }
            run(c.name, conv, conv.macs(c.size, c.size), x, threads, peak);
        }
        if ("pool".contains(filter) || filter.isEmpty()) {
            float[] xv = new float[64 * 111 * 111];
            Tensor x = Tensor.of(xv, 1, 64, 111, 111);
            run("maxpool 3 s2 64 @111", Pool2d.max(3, 2, 0, true), 0, x, threads, peak);
        }
    }

    private static void run(String name, Layer l, long macs, Tensor x, int[] threads, double peak) {
        for (int t : threads) {
            Parallel.setActiveThreads(t);
            long best = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE;
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            int reps = (int) Math.max(1, Math.min(200, 20_000_000L / Math.max(1, macs)));
            long warm = System.nanoTime() + WARMUP_NANOS;   // until C2 has compiled the kernels (slow on a busy machine)
            while (System.nanoTime() < warm) {
                Buffers.recycling(() -> {
                    l.forward(x);
                    return TINY;
                });
            }
            long[] bestAb = {Long.MAX_VALUE, Long.MAX_VALUE};
            for (int batch = 0; batch < (ab == null ? 25 : 40); batch++) {
                if (ab != null) {
                    System.setProperty(ab, abValues[batch % 2]);
                }
                long wall, cpu;
                if (COLD == null) {
                    long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) {   // one recycling pass per call: its output buffer is reused, as in a network
                        Buffers.recycling(() -> {
                            l.forward(x);
                            return TINY;
                        });
                    }
                    wall = (System.nanoTime() - t0) / reps;
                    cpu = (mx.getCurrentThreadCpuTime() - c0) / reps;
                } else {   // each call after the caches were filled with other data, only the call timed
                    long w = 0, c = 0;
                    for (int i = 0; i < reps; i++) {
                        long sink = 0;
                        for (long b = 0; b < COLD.byteSize(); b += 64) {
                            sink += COLD.get(java.lang.foreign.ValueLayout.JAVA_BYTE, b);
                        }
                        SINK += sink;
                        long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
                        Buffers.recycling(() -> {
                            l.forward(x);
                            return TINY;
                        });
                        w += System.nanoTime() - t0;
                        c += mx.getCurrentThreadCpuTime() - c0;
                    }
                    wall = w / reps;
                    cpu = c / reps;
                }
                best = Math.min(best, wall);
                bestCpu = Math.min(bestCpu, cpu);
                if (ab != null) {
                    bestAb[batch % 2] = Math.min(bestAb[batch % 2], t == 1 ? cpu : wall);
                }
            }
            if (ab != null) {
                System.clearProperty(ab);
                System.out.printf("%-24s %3d %10.1f us with %s=%s, %10.1f us with %s (%.2fx)%n", name, t, bestAb[0] / 1e3, ab,
                        abValues[0], bestAb[1] / 1e3, abValues[1], (double) bestAb[0] / bestAb[1]);
                continue;
            }
            if (t == 1) {   // one thread: its CPU time discounts what other processes took on a shared machine
                best = bestCpu;
            }
            double gf = 2.0 * macs / best;
            System.out.printf("%-24s %3d %10.1f %9s %7s%n", name, t, best / 1e3, macs == 0 ? "" : String.format("%.1f", gf),
                    macs == 0 || peak <= 0 ? "" : String.format("%.0f%%", 100 * gf / (peak * t)));
        }
    }
}
