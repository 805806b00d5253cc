package dev.minnow.bench.cnn;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import dev.minnow.models.onnx.OnnxGraph;
import dev.minnow.models.onnx.OnnxModel;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A/B of switches the CNN code reads per call (several comma-separated: all set together) (e.g. {@code minnow.cnn.packedPointwise}) on whole ONNX
 * networks in one process: rounds alternate the property false / true (or the two
 * values of {@code --values A,B}; {@code unset} clears it, leaving the code's default), so machine load hits both alike (on the shared
 * development VM only such alternating comparisons were reliable). One thread is timed by thread CPU time, more by wall
 * time. Prints median and min per setting, the ratio of the medians (first / second: above 1 means the second is faster),
 * and the max abs difference of the two outputs. Program, not a test:
 *
 * <pre>java -Dminnow.threads=T --add-modules jdk.incubator.vector -cp (bench test class path) dev.minnow.bench.cnn.CnnAb
 *     --prop NAME[,NAME...] [--values A,B] [--rounds N] [--warmup N] name=model.onnx:input.npy ...</pre>
 */
public final class CnnAb {
    private CnnAb() {}

    public static void main(String[] args) throws Exception {
        int rounds = 20, warmup = 20;
        String prop = null;
        String[] values = {"false", "true"};
        java.util.List<String[]> cases = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--prop" -> prop = args[++i];
                case "--values" -> values = args[++i].split(",", 2);
                default -> {
                    String[] nv = args[i].split("=", 2), mi = nv[1].split(":", 2);
                    cases.add(new String[] {nv[0], mi[0], mi[1]});
                }
            }
        }
        if (prop == null) {
            throw new IllegalArgumentException("--prop NAME is required");
        }
        int threads = Parallel.threads();
        System.out.printf("kernels %s, threads %d, A/B of %s (%s time)%n", KernelProvider.get().name(), threads, prop,
                threads == 1 ? "thread CPU" : "wall");
        System.out.printf("%-22s %12s %12s %12s %12s %8s %10s%n", "model", values[0] + " med", values[0] + " min", values[1] + " med",
                values[1] + " min", "1st/2nd", "max|diff|");
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String[] c : cases) {
            Tensor x = Npy.read(Path.of(c[2]));
            try (OnnxModel m = OnnxModel.open(Path.of(c[1]))) {
                OnnxGraph g = new OnnxGraph(m);
                double[][] t = new double[2][rounds];
                float[][] out = new float[2][];
                for (int r = -warmup; r < rounds; r++) {
                    for (int side = 0; side < 2; side++) {
                        for (String name : prop.split(",")) {
                            if (values[side].equals("unset")) {
                                System.clearProperty(name);
                            } else {
                                System.setProperty(name, values[side]);
                            }
                        }
                        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                        Tensor y = g.run(x);
                        long c1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime();
                        if (r >= 0) {
                            t[side][r] = (threads == 1 ? c1 - c0 : t1 - t0) / 1e6;
                        }
                        out[side] = y.toFloatArray();
                    }
                }
                for (String name : prop.split(",")) {
                    System.clearProperty(name);
                }
                double diff = 0;
                for (int i = 0; i < out[0].length; i++) {
                    diff = Math.max(diff, Math.abs(out[0][i] - out[1][i]));
                }
                Arrays.sort(t[0]);
                Arrays.sort(t[1]);
                System.out.printf("%-22s %9.2f ms %9.2f ms %9.2f ms %9.2f ms %8.2f %10.2e%n", c[0], t[0][rounds / 2], t[0][0],
                        t[1][rounds / 2], t[1][0], t[0][rounds / 2] / t[1][rounds / 2], diff);
            }
        }
    }
}
