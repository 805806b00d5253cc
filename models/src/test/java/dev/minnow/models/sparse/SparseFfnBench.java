package dev.minnow.models.sparse;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.SparseKernels;
import dev.minnow.models.llm.WeightMatrix;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where sparse decode time goes: the FFNs of every layer of a GGUF model (one decode token's worth), dense against
 * gathered (CoreInfer/hot: a random neuron subset of the kept fraction, packed) and threshold (a per-layer threshold
 * that keeps that fraction of a fixed input), measured alternately A/B/C so all see the same machine load; plus the
 * kernels alone on the same bytes (dense GEMV of the format, row-sparse GEMV on packed rows and on indexed rows,
 * the Q8_0 column-sparse down). Not a test: a main, run from the test classes.
 *
 * <pre>
 * CP=tensor/target/classes:kernels/target/classes:quant/target/classes:models/target/classes:models/target/test-classes
 * java $VECTOR_API -Dminnow.threads=2 -cp $CP dev.minnow.models.sparse.SparseFfnBench \
 *      /tmp/tl-q4_0-mix.gguf 0.3,0.5 [iterations]
 * </pre>
 * where {@code $VECTOR_API} is the flag that adds the incubator Vector API module (as the pom's test argLine does).
 * On a busy machine add {@code -Dminnow.threads=1 -Dbench.cpu=true} (this thread's CPU time instead of wall time).
 * Where the gathered gate+up go through 16-row panels ({@code -Dminnow.decode.panels=true}, or by default at 512
 * bits) a fourth case runs the same gathered FFN through the row dots (the dense FFN follows the same property).
 */
public final class SparseFfnBench {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SparseFfnBench() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        double[] keeps = Arrays.stream(args[1].split(",")).mapToDouble(Double::parseDouble).toArray();
        int iters = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Kernels k = KernelProvider.get();
        try (GgufFile f = GgufFile.open(path); Arena arena = Arena.ofShared()) {
            int layers = 0;
            while (f.hasTensor("blk." + layers + ".ffn_down.weight")) {
                layers++;
            }
            WeightMatrix[] g = new WeightMatrix[layers], u = new WeightMatrix[layers], d = new WeightMatrix[layers];
            for (int l = 0; l < layers; l++) {
                g[l] = WeightMatrix.of("gate", f.tensor("blk." + l + ".ffn_gate.weight"), k);
                u[l] = WeightMatrix.of("up", f.tensor("blk." + l + ".ffn_up.weight"), k);
                d[l] = WeightMatrix.of("down", f.tensor("blk." + l + ".ffn_down.weight"), k);
            }
            int dim = g[0].cols(), ffn = g[0].rows();
            long denseBytes = 0;
            for (int l = 0; l < layers; l++) {
                denseBytes += g[l].data().byteSize() + u[l].data().byteSize() + d[l].data().byteSize();
            }
            System.out.printf(Locale.ROOT, "%s: %d layers, dim %d, ffn %d, gate/up %s, down %s, FFN %.1f MB per token; %s, threads %s, load %s%n",
                    path.getFileName(), layers, dim, ffn, g[0].type(), d[0].type(), denseBytes / 1e6,
                    KernelProvider.sparse().name(), System.getProperty("minnow.threads", "all"),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            MemorySegment[] xs = new MemorySegment[4];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < xs.length; i++) {
                xs[i] = arena.allocate(dim * 4L, 64);
                for (int j = 0; j < dim; j++) {
                    xs[i].setAtIndex(F32, j, (float) r.nextGaussian());
                }
            }
            MemorySegment out = arena.allocate(dim * 4L, 64);
            MemorySegment h1 = arena.allocate(ffn * 4L, 64), h2 = arena.allocate(ffn * 4L, 64);
            for (double keep : keeps) {
                int kk = (int) Math.floor(keep * ffn);
                try (SparseFfn gathered = new SparseFfn(Sparsity.hotNeurons(keep), k, dim, ffn, g, u, d);
                     SparseFfn rowDots = new SparseFfn(Sparsity.hotNeurons(keep), k, dim, ffn, g, u, d);
                     SparseFfn thr = new SparseFfn(Sparsity.threshold(1 - keep), k, dim, ffn, g, u, d)) {
                    rowDots.panels = false; // the gathered gate+up through the row dots, when the first uses panels
                    for (int l = 0; l < layers; l++) {
                        int[] all = new int[ffn];
                        for (int i = 0; i < ffn; i++) {
                            all[i] = i;
                        }
                        for (int i = ffn - 1; i > 0; i--) { // random subset of kk neurons, ascending
                            int j = r.nextInt(i + 1);
                            int t = all[i];
                            all[i] = all[j];
                            all[j] = t;
                        }
                        int[] sel = Arrays.copyOf(all, kk);
                        Arrays.sort(sel);
                        gathered.useNeurons(l, sel);
                        if (gathered.panels) {
                            rowDots.useNeurons(l, sel);
                        }
                        g[l].gemv(xs[0], 0, h1, 0);
                        k.activate(Activation.SILU, ffn, h1, 0);
                        float[] a = new float[ffn];
                        for (int i = 0; i < ffn; i++) {
                            a[i] = Math.abs(h1.getAtIndex(F32, i));
                        }
                        Arrays.sort(a);
                        thr.useThreshold(l, a[Math.min(ffn - 1, ffn - kk)]);
                    }
                    final int fl = layers;
                    Runnable dense = () -> {
                        for (int l = 0; l < fl; l++) {
                            MemorySegment x = xs[l & 3];
                            g[l].gemv(x, 0, h1, 0);
                            u[l].gemv(x, 0, h2, 0);
                            k.activate(Activation.SILU, ffn, h1, 0);
                            k.mul(ffn, h1, 0, h2, 0, h1, 0);
                            d[l].gemv(h1, 0, out, 0);
                        }
                    };
                    Runnable gat = () -> {
                        for (int l = 0; l < fl; l++) {
                            gathered.decode(l, xs[l & 3], out);
                        }
                    };
                    Runnable th = () -> {
                        for (int l = 0; l < fl; l++) {
                            thr.decode(l, xs[l & 3], out);
                        }
                    };
                    Runnable gatRows = () -> {
                        for (int l = 0; l < fl; l++) {
                            rowDots.decode(l, xs[l & 3], out);
                        }
                    };
                    double[] med = gathered.panels ? alternate(iters, dense, gat, th, gatRows) : alternate(iters, dense, gat, th);
                    double kept = thr.keptFraction();
                    System.out.printf(Locale.ROOT, "keep %.2f: FFN per token (%d layers) dense %.2f ms (%.2f GB/s), gathered %.2f ms (%.2fx), threshold %.2f ms (%.2fx, kept %.3f)%n",
                            keep, layers, med[0] / 1e6, denseBytes / med[0], med[1] / 1e6, med[0] / med[1], med[2] / 1e6, med[0] / med[2], kept);
                    if (gathered.panels) {
                        System.out.printf(Locale.ROOT, "  gathered gate+up in panels %.2f ms, in GGML rows (row dots) %.2f ms: panels %.3fx%n",
                                med[1] / 1e6, med[3] / 1e6, med[3] / med[1]);
                    }
                }
                if (Boolean.getBoolean("bench.select")) {
                    select(k, g, u, d, keep, layers);
                }
                if (!Boolean.getBoolean("bench.noKernels")) {
                    kernels(k, g, u, d, xs[0], kk, iters, arena);
                }
            }
        }
    }

    /**
     * CoreInfer's per-prompt work on 32 prompt tokens of random activations: the selection (sentence core) of every
     * layer, then the packing of every layer's kept weights (3 rounds, each line one round).
     */
    private static void select(Kernels k, WeightMatrix[] g, WeightMatrix[] u, WeightMatrix[] d, double keep, int layers) {
        int dim = g[0].cols(), ffn = g[0].rows(), tokens = 32;
        SplittableRandom r = new SplittableRandom(5);
        float[] acts = new float[tokens * ffn];
        for (int i = 0; i < acts.length; i++) {
            acts[i] = (float) r.nextGaussian();
        }
        for (int round = 0; round < 3; round++) {
            try (SparseFfn sf = new SparseFfn(new Sparsity.CoreInfer(0.2, keep, 0, 0), k, dim, ffn, g, u, d)) {
                long t0 = System.nanoTime();
                int[][] sel = new int[layers][];
                for (int l = 0; l < layers; l++) {
                    sel[l] = CoreNeurons.sentenceCore(acts, tokens, ffn, 0.2, keep);
                }
                long t1 = System.nanoTime();
                for (int l = 0; l < layers; l++) {
                    sf.useNeurons(l, sel[l]);
                }
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "  select %d layers (%d tokens): sentence core %.1f ms, packing %.1f ms%n",
                        layers, tokens, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        }
    }

    /** The kernels alone on the first layer's weights, per layer, GB/s of weight bytes. */
    private static void kernels(Kernels k, WeightMatrix[] g, WeightMatrix[] u, WeightMatrix[] d, MemorySegment x, int kk,
                                int iters, Arena arena) {
        SparseKernels sk = KernelProvider.sparse();
        QuantKernels qk = KernelProvider.quant();
        int layers = g.length, dim = g[0].cols(), ffn = g[0].rows();
        DType t = g[0].type();
        long rowBytes = t.byteSize(dim);
        MemorySegment y = arena.allocate(ffn * 8L, 64);
        MemorySegment hx = arena.allocate(ffn * 4L, 64);
        for (int i = 0; i < ffn; i++) {
            hx.setAtIndex(F32, i, (float) Math.sin(i));
        }
        int[] idx = new int[2 * kk];
        for (int j = 0; j < 2 * kk; j++) {
            idx[j] = (int) ((long) j * ffn / (2 * kk)) ; // spread over the matrix (ffn rows of gate)
        }
        List<Runnable> cases = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> bytes = new ArrayList<>();
        names.add("dense GEMV " + t + " " + 2 * kk + "x" + dim);
        bytes.add(2L * kk * rowBytes * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                if (2 * kk <= ffn) {
                    qk(qk, k, t, 2 * kk, dim, g[l].data(), x, y);
                }
            }
        });
        names.add("gemvRows packed");
        bytes.add(2L * kk * rowBytes * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                if (2 * kk <= ffn) {
                    sk.gemvRows(t, 2 * kk, null, dim, g[l].data(), 0, x, 0, y, 0);
                }
            }
        });
        int[] ident = new int[kk];
        for (int j = 0; j < kk; j++) {
            ident[j] = j;
        }
        names.add("gemvRows indexed (identity)");
        bytes.add((long) kk * rowBytes * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                sk.gemvRows(t, kk, ident, dim, g[l].data(), 0, x, 0, y, 0);
            }
        });
        names.add("gemvRows indexed (random, same density)");
        bytes.add((long) kk * rowBytes * layers);
        int[] rnd = new int[kk];
        {
            SplittableRandom rr = new SplittableRandom(11);
            int m = 0;
            for (int i = 0; i < ffn && m < kk; i++) {
                if (rr.nextInt(ffn - i) < kk - m) {
                    rnd[m++] = i;
                }
            }
        }
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                sk.gemvRows(t, kk, rnd, dim, g[l].data(), 0, x, 0, y, 0);
            }
        });
        names.add("gemvRows indexed (half density)");
        bytes.add(2L * kk * rowBytes * layers / 2);
        int[] half = new int[kk];
        for (int j = 0; j < kk; j++) {
            half[j] = (int) ((long) j * ffn / kk);
        }
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                sk.gemvRows(t, kk, half, dim, g[l].data(), 0, x, 0, y, 0);
            }
        });
        DType dt = d[0].type();
        names.add("dense down GEMV " + dt + " " + dim + "x" + ffn);
        bytes.add(d[0].data().byteSize() * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                d[l].gemv(hx, 0, y, 0);
            }
        });
        // the threshold method's down: kk rows of a transposed Q8_0 W_down (ffn rows of dim), summed with axpyRows
        long tRow = DType.Q8_0.byteSize(dim);
        MemorySegment tq = arena.allocate(ffn * tRow, 64);
        SplittableRandom r = new SplittableRandom(3);
        for (long o = 0; o < ffn * tRow; o += 34) {
            tq.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, Float.floatToFloat16(0.01f));
            for (int i = 0; i < 32; i++) {
                tq.set(ValueLayout.JAVA_BYTE, o + 2 + i, (byte) (r.nextInt(255) - 127));
            }
        }
        float[] coef = new float[kk];
        for (int j = 0; j < kk; j++) {
            coef[j] = (float) r.nextGaussian();
        }
        names.add("axpyRows Q8_0 (transposed down, random rows)");
        bytes.add(kk * tRow * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                sk.axpyRows(DType.Q8_0, kk, rnd, coef, dim, tq, 0, y, 0);
            }
        });
        names.add("axpyPanelsQ8_0 (transposed down, random rows)");
        bytes.add(kk * tRow * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                sk.axpyPanelsQ8_0(kk, rnd, coef, dim, ffn, tq, 0, y, 0);
            }
        });
        if (Q4Panels.supports(t)) { // the gathered gate+up through 16-row panels (each half padded to 16 rows)
            int rowsP = Math.min(ffn / 16 * 16, 2 * ((kk + 15) / 16 * 16));
            MemorySegment[] p = new MemorySegment[layers];
            for (int l = 0; l < layers; l++) {
                p[l] = Q4Panels.pack(t, rowsP, dim, g[l].data(), 0, arena);
            }
            names.add("Q4Panels GEMV " + t + " " + rowsP + "x" + dim);
            bytes.add(Q4Panels.packedBytes(t, rowsP, dim) * layers);
            cases.add(() -> {
                for (int l = 0; l < layers; l++) {
                    Q4Panels.gemv(qk, t, rowsP, dim, p[l], MemorySegment.NULL, 0, x, 0, y, 0);
                }
            });
        }
        // the gathered down: a requantized Q8_0 [dim x kDown] matrix per layer (random levels), the row-dot GEMV
        int kDown = (kk + 31) / 32 * 32;
        long dRow = DType.Q8_0.byteSize(kDown);
        MemorySegment[] gd = new MemorySegment[layers];
        byte[] rb = new byte[(int) (dim * dRow)];
        for (int i = 0; i < rb.length; i++) {
            rb[i] = (byte) (i % 34 == 1 ? 0x20 : i % 34 == 0 ? 0 : r.nextInt(255) - 127); // f16 scale 0x2000 = 2^-7
        }
        for (int l = 0; l < layers; l++) {
            gd[l] = arena.allocate(dim * dRow, 64);
            MemorySegment.copy(MemorySegment.ofArray(rb), 0, gd[l], 0, rb.length);
        }
        names.add("gathered down GEMV Q8_0 " + dim + "x" + kDown);
        bytes.add(dim * dRow * layers);
        cases.add(() -> {
            for (int l = 0; l < layers; l++) {
                qk.gemv(DType.Q8_0, dim, kDown, gd[l], 0, hx, 0, y, 0);
            }
        });
        double[] med = alternate(iters, cases.toArray(new Runnable[0]));
        for (int i = 0; i < med.length; i++) {
            System.out.printf(Locale.ROOT, "  %-40s %8.3f ms/token %7.2f GB/s%n", names.get(i), med[i] / 1e6, bytes.get(i) / med[i]);
        }
    }

    private static void qk(QuantKernels qk, Kernels k, DType t, int rows, int cols, MemorySegment w, MemorySegment x, MemorySegment y) {
        if (t == DType.F32) {
            k.gemv(rows, cols, w, 0, x, 0, y, 0);
        } else if (t.isQuantized()) {
            qk.gemv(t, rows, cols, w, 0, x, 0, y, 0);
        }
    }

    /** -Dbench.cpu=true: this thread's CPU time (with -Dminnow.threads=1: robust to other processes on the machine). */
    private static final boolean CPU = Boolean.getBoolean("bench.cpu");
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Runs the cases in rotating order, {@code iters} times after 3 warm-up rounds; median ns per case. */
    static double[] alternate(int iters, Runnable... cases) {
        long[][] t = new long[cases.length][iters];
        for (int it = -3; it < iters; it++) {
            for (int c0 = 0; c0 < cases.length; c0++) {
                int c = (c0 + Math.max(it, 0)) % cases.length;
                long t0 = now();
                cases[c].run();
                long dt = now() - t0;
                if (it >= 0) {
                    t[c][it] = dt;
                }
            }
        }
        double[] med = new double[cases.length];
        for (int c = 0; c < cases.length; c++) {
            long[] s = t[c].clone();
            Arrays.sort(s);
            med[c] = iters % 2 == 1 ? s[iters / 2] : (s[iters / 2 - 1] + s[iters / 2]) / 2.0;
        }
        return med;
    }
}
