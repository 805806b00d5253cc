package dev.minnow.bench.cnn;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import dev.minnow.models.lightfield.Camera;
import dev.minnow.models.lightfield.LightField;
import dev.minnow.models.lightfield.LightFieldDemo;
import dev.minnow.models.lightfield.RgbImage;
import dev.minnow.tensor.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * MobileR2L rendering latency with random weights at the published configuration (width 256, 29 body blocks, SR
 * tail 64/64/16; LLFF 63×84 rays ×12 → 756×1008, Blender 100×100 ×8 → 800×800) and a small configuration for
 * 400×300. Threads come from {@code -Dminnow.threads}. Prints ms/frame (median and min), MACs/frame and GFLOP/s
 * (2 FLOPs per MAC). Warm-up runs at least {@code --warmup} frames and 5 seconds.
 *
 * <p>{@code --ab} times the fused NHWC float path against the layer-by-layer NCHW path
 * ({@link dev.minnow.models.lightfield.MobileR2L#forwardLayers}, the path before the fused one and the one int8
 * plans use), alternating frame by frame in one process, and prints both medians (network only, rays encoded once).
 *
 * <pre>java -Dminnow.threads=1 --add-modules jdk.incubator.vector -cp ... dev.minnow.bench.cnn.LightFieldBench [config...] [--frames N] [--warmup N] [--int8] [--ab]</pre>
 */
public final class LightFieldBench {
    private LightFieldBench() {}

    record Config(String name, int width, int blocks, int[][] stages, int raysH, int raysW) {}

    static final Config[] CONFIGS = {
        new Config("llff-1008x756", 256, 29, new int[][] {{64, 4}, {64, 4}, {16, 3}}, 63, 84),
        new Config("blender-800x800", 256, 29, new int[][] {{64, 4}, {64, 4}, {16, 4}}, 100, 100),
        new Config("small-400x300", 64, 4, new int[][] {{32, 4}, {16, 4}}, 75, 100),
        new Config("tiny-400x300", 32, 2, new int[][] {{16, 4}, {8, 4}}, 75, 100),
    };

    private static void abCompare(Config c, LightField lf, int frames) {
        dev.minnow.tensor.Tensor rays = dev.minnow.models.lightfield.Rays.encode(
                Camera.orbit(4, 30, 15, c.raysH, c.raysW, c.raysW * 0.9, 2, 6, 8, 6));
        dev.minnow.models.lightfield.MobileR2L net = lf.network();
        long warmStart = System.nanoTime();
        for (int i = 0; i < 2 || System.nanoTime() - warmStart < 5_000_000_000L; i++) {
            net.forward(rays);
            net.forwardLayers(rays);
        }
        double[] fused = new double[frames], layers = new double[frames], fusedCpu = new double[frames], layersCpu = new double[frames];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int f = 0; f < frames; f++) {
            long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            net.forward(rays);
            long c1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime();
            net.forwardLayers(rays);
            long c2 = mx.getCurrentThreadCpuTime(), t2 = System.nanoTime();
            fused[f] = (t1 - t0) / 1e6;
            layers[f] = (t2 - t1) / 1e6;
            fusedCpu[f] = (c1 - c0) / 1e6;
            layersCpu[f] = (c2 - c1) / 1e6;
        }
        Arrays.sort(fused);
        Arrays.sort(layers);
        Arrays.sort(fusedCpu);
        Arrays.sort(layersCpu);
        double macs = (double) net.macsPerRay() * c.raysH * c.raysW;
        int mid = frames / 2;
        System.out.printf("%-16s %s A/B (%d frames each, alternating): fused NHWC %.1f ms median (%.1f GFLOP/s), layers %.1f ms (%.1f GFLOP/s), %.2fx%n",
                c.name, net, frames, fused[mid], 2 * macs / fused[mid] / 1e6, layers[mid], 2 * macs / layers[mid] / 1e6, layers[mid] / fused[mid]);
        if (dev.minnow.kernels.Parallel.threads() == 1) { // all work on this thread: its CPU time is the work, whatever the load
            System.out.printf("%-16s   calling-thread CPU time: fused %.1f ms (%.1f GFLOP/s), layers %.1f ms (%.1f GFLOP/s), %.2fx%n",
                    c.name, fusedCpu[mid], 2 * macs / fusedCpu[mid] / 1e6, layersCpu[mid], 2 * macs / layersCpu[mid] / 1e6, layersCpu[mid] / fusedCpu[mid]);
        }
    }

    public static void main(String[] args) throws Exception {
        int frames = 5, warmup = 2;
        boolean int8 = false, ab = false;
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--frames")) {
                frames = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--int8")) {
                int8 = true;
            } else if (args[i].equals("--ab")) {
                ab = true;
            } else if (args[i].equals("--warmup")) {
                warmup = Integer.parseInt(args[++i]);
            } else {
                names.add(args[i]);
            }
        }
        System.out.printf("kernels %s, threads %d%n", KernelProvider.get().name(), Parallel.threads());
        for (Config c : CONFIGS) {
            if (!names.isEmpty() && !names.contains(c.name)) {
                continue;
            }
            Path dir = Files.createTempDirectory("minnow-lf-bench");
            Path file = dir.resolve("m.safetensors");
            SafetensorsWriter.write(file, LightFieldDemo.randomStateDict(c.width, c.blocks, c.stages, 1), Map.of("format", "pt"));
            try (LightField lf = LightField.load(file)) {
                Camera cam = Camera.orbit(4, 30, 15, c.raysH, c.raysW, c.raysW * 0.9, 2, 6, 8, 6);
                if (ab) {
                    abCompare(c, lf, frames);
                    continue;
                }
                java.util.function.Function<Camera, RgbImage> render = lf::render;
                if (int8) {   // convolutions in int8, calibrated on one other view (ConvTranspose2d tail stays float)
                    dev.minnow.nn.Int8Quantization.Plan plan = lf.quantizeInt8(
                            java.util.List.of(Camera.orbit(4, 200, 15, c.raysH, c.raysW, c.raysW * 0.9, 2, 6, 8, 6)),
                            dev.minnow.nn.Int8Quantization.Range.MIN_MAX, 100);
                    render = v -> lf.render(v, plan);
                }
                // warm-up: at least `warmup` frames and 5 s, so C2 has compiled the kernels (with two frames of a small
                // configuration the JIT is still interpreting, and the figures are 10x too slow)
                RgbImage img = null;
                long warmStart = System.nanoTime();
                for (int i = 0; i < warmup || System.nanoTime() - warmStart < 5_000_000_000L; i++) {
                    img = render.apply(cam);
                }
                dev.minnow.nn.Profile.reset();
                double[] ms = new double[frames];
                for (int f = 0; f < frames; f++) {
                    long t0 = System.nanoTime();
                    img = render.apply(Camera.orbit(4, 30 + 10 * f, 15, c.raysH, c.raysW, c.raysW * 0.9, 2, 6, 8, 6));
                    ms[f] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                if (dev.minnow.nn.Profile.ENABLED) {
                    dev.minnow.nn.Profile.print(System.out, frames, 0);
                }
                double macs = (double) lf.network().macsPerRay() * c.raysH * c.raysW;
                double med = ms[frames / 2];
                System.out.printf("%-16s %s%s: %dx%d, %.1f ms/frame median, %.1f min (%d frames), %.2f GMAC/frame, %.1f GFLOP/s (median)%n",
                        c.name, lf.network(), int8 ? " int8" : "", img.width(), img.height(), med, ms[0], frames, macs / 1e9, 2 * macs / med / 1e6);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        }
    }
}
