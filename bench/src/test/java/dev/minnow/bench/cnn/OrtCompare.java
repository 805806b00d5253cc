package dev.minnow.bench.cnn;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import dev.minnow.models.onnx.OnnxGraph;
import dev.minnow.models.onnx.OnnxModel;
import dev.minnow.nn.Profile;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Minnow's {@link OnnxGraph} against ONNX Runtime (Java, CPU, all graph optimizations) on the same ONNX files and
 * inputs in one process, batch 1. ONNX Runtime is a test-scope dependency of the bench module only: this harness
 * lives in the test sources so nothing native reaches Minnow's run-time class path. Not a unit test (no assertion,
 * name without "Test"); run it as a program:
 *
 * <pre>java -Dminnow.threads=T --add-modules jdk.incubator.vector -cp (bench test class path) dev.minnow.bench.cnn.OrtCompare
 *     [--rounds N] [--warmup N] [--threads 1,2] [--minnow-int8] [--peak GFLOPS] [--engine both|minnow|ort] name=model.onnx:input.npy ...</pre>
 *
 * {@code --threads} runs every case at each listed thread count in this one process (capping Minnow's pool with
 * {@link Parallel#setActiveThreads}, a fresh ORT session per count; the pool needs {@code -Dminnow.threads} ≥ the
 * largest). With {@code -Dminnow.profile=true} each case is followed by Minnow's time per operator kind
 * ({@link Profile}), GFLOP/s as a percentage of {@code --peak} (the one-thread FMA peak, times the thread count); with
 * {@code -Dminnow.profile.best=true} also both engines' best pass per kind from alternating passes (see
 * {@link #bestPassProfile}).
 *
 * The two engines run alternately (one Minnow run, one ORT run per round) so machine load hits both alike. ORT gets
 * {@code intra_op_num_threads} = Minnow's thread count and one inter-op thread. Prints median and min per engine,
 * the Minnow/ORT ratio of the medians, and the max abs difference of the outputs.
 */
public final class OrtCompare {
    private OrtCompare() {}

    public static void main(String[] args) throws Exception {
        int rounds = 20, warmup = 10;
        boolean int8 = false;
        String engine = "both";
        double peak = 0;
        int[] threadList = {Parallel.threads()};
        List<String[]> cases = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--minnow-int8" -> int8 = true;
                case "--threads" -> threadList = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                case "--engine" -> engine = args[++i];
                default -> {
                    String[] nv = args[i].split("=", 2), mi = nv[1].split(":", 2);
                    cases.add(new String[] {nv[0], mi[0], mi[1]});
                }
            }
        }
        if (!engine.equals("both")) {
            single(engine, cases, threadList, rounds, warmup);
            return;
        }
        System.out.printf("kernels %s, threads %s, onnxruntime %s%n", KernelProvider.get().name(), Arrays.toString(threadList),
                OrtEnvironment.getEnvironment().getVersion());
        System.out.printf("%-22s %7s %12s %12s %12s %12s %8s %10s %10s%n", "model", "threads", "minnow med", "minnow min",
                "ort med", "ort min", "ratio", "max|diff|", "/max|ort|");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String[] c : cases) {
            Tensor x = Npy.read(Path.of(c[2]));
            float[] xv = x.toFloatArray();
            for (int threads : threadList) {
            Parallel.setActiveThreads(threads);
            try (OnnxModel m = OnnxModel.open(Path.of(c[1]));
                 OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                OnnxGraph graph = new OnnxGraph(m);
                java.util.function.UnaryOperator<Tensor> g = graph::run;
                if (int8) {   // Minnow's own int8 PTQ (calibrated on the input itself) against ORT in float
                    g = dev.minnow.models.cnn.Int8Ptq.int8(g, dev.minnow.models.cnn.Int8Ptq.calibrate(g, x, 8,
                            dev.minnow.nn.Int8Quantization.Range.MIN_MAX, 100));
                }
                opts.setIntraOpNumThreads(threads);
                opts.setInterOpNumThreads(1);
                opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s = env.createSession(c[1], opts)) {
                    String inName = s.getInputNames().iterator().next();
                    float[] mo = null, oo = null;
                    double[] tm = new double[rounds], to = new double[rounds], cm = new double[rounds], co = new double[rounds];
                    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                    jitQuiet(g, x);
                    for (int r = -warmup; r < rounds; r++) {
                        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                        Tensor y = g.apply(x);
                        long t1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
                        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(xv), x.shape());
                             OrtSession.Result res = s.run(Map.of(inName, in))) {
                            long t2 = System.nanoTime(), c2 = mx.getCurrentThreadCpuTime();
                            OnnxTensor out = (OnnxTensor) res.get(0);
                            FloatBuffer fb = out.getFloatBuffer();
                            oo = new float[fb.remaining()];
                            fb.get(oo);
                            if (r >= 0) {
                                tm[r] = (t1 - t0) / 1e6;
                                to[r] = (t2 - t1) / 1e6;
                                cm[r] = (c1 - c0) / 1e6;
                                co[r] = (c2 - c1) / 1e6;
                            }
                        }
                        mo = y.toFloatArray();
                    }
                    double diff = 0, maxOrt = 0;
                    for (int i = 0; i < Math.min(mo.length, oo.length); i++) {
                        diff = Math.max(diff, Math.abs(mo[i] - oo[i]));
                        maxOrt = Math.max(maxOrt, Math.abs(oo[i]));
                    }
                    Arrays.sort(tm);
                    Arrays.sort(to);
                    String label = c[0] + (int8 ? " (minnow int8)" : "");
                    System.out.printf("%-22s %7d %9.2f ms %9.2f ms %9.2f ms %9.2f ms %8.2f %10.2e %10.2e%n", label, threads, tm[rounds / 2], tm[0],
                            to[rounds / 2], to[0], tm[rounds / 2] / to[rounds / 2], diff, diff / Math.max(maxOrt, 1e-30));
                    if (threads == 1) {
                        // one thread: both engines compute on this thread (ORT with intra_op_num_threads = 1 runs on the
                        // caller), so its CPU time compares them without the time other processes took on a busy machine
                        Arrays.sort(cm);
                        Arrays.sort(co);
                        System.out.printf("%-22s %7s %9.2f ms %9.2f ms %9.2f ms %9.2f ms %8.2f  (thread CPU time)%n", "", "cpu",
                                cm[rounds / 2], cm[0], co[rounds / 2], co[0], cm[rounds / 2] / co[rounds / 2]);
                    }
                    if (Profile.ENABLED) {   // -Dminnow.profile=true: where Minnow's time goes, per operator kind
                        Profile.reset();
                        int passes = Math.max(5, rounds);
                        for (int p = 0; p < passes; p++) {
                            g.apply(x);
                        }
                        Profile.print(System.out, passes, peak * threads);
                        ortProfile(env, c[1], xv, x.shape(), threads, passes, peak * threads, null);
                        if (Boolean.getBoolean("minnow.profile.best")) {
                            bestPassProfile(env, c[1], g, x, xv, threads, Math.max(20, 2 * rounds), peak * threads);
                        }
                    }
                }
            }
            }
        }
    }
    /**
     * ONNX Runtime's own per-node profile over {@code passes} passes (a fresh session with profiling on), summed under
     * the labels {@link Profile} gives Minnow's steps: "conv pw", "conv dw3 s1", … (with {@code -Dminnow.profile.shapes}
     * also "in->out @H"), other nodes by op type. ORT's graph optimizer fuses and reorders (NCHWc): its activations and
     * adds mostly disappear into the convolutions, and "ReorderInput"/"ReorderOutput" are its layout changes.
     */
    private static java.util.TreeMap<String, double[][]> ortProfile(OrtEnvironment env, String model, float[] xv, long[] shape, int threads,
            int passes, double peakGflops, Runnable between) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ortprof");
        java.util.TreeMap<String, double[]> totals = new java.util.TreeMap<>();
        java.util.TreeMap<String, double[][]> perPass = new java.util.TreeMap<>();   // kind → [pass] {µs, macs, calls}
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.enableProfiling(dir.resolve("p").toString());
            try (OrtSession s = env.createSession(model, o)) {
                String inName = s.getInputNames().iterator().next();
                for (int p = -3; p < passes; p++) {   // the first passes allocate: left out below by count
                    if (between != null && p >= 0) {
                        between.run();
                    }
                    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(xv), shape);
                         OrtSession.Result res = s.run(Map.of(inName, in))) {
                        res.get(0);
                    }
                }
                String json = java.nio.file.Files.readString(Path.of(s.endProfiling()));
                java.util.regex.Pattern num = java.util.regex.Pattern.compile("\\[([0-9,]+)\\]");
                java.util.Map<String, Integer> seen = new java.util.HashMap<>();
                for (String ev : json.split("\\{\\s*\"cat\"")) {
                    if (!ev.contains("\"Node\"") || !ev.contains("_kernel_time")) {
                        continue;
                    }
                    String name = ev.replaceAll("(?s).*?\"name\"\\s*:\\s*\"([^\"]*)\".*", "$1");
                    int pass = seen.merge(name, 1, Integer::sum) - 4;
                    if (pass < 0 || pass >= passes) {
                        continue;   // the three untimed passes
                    }
                    double dur = Double.parseDouble(ev.replaceAll("(?s).*?\"dur\"\\s*:\\s*([0-9.]+).*", "$1"));
                    String op = ev.replaceAll("(?s).*?\"op_name\"\\s*:\\s*\"([^\"]*)\".*", "$1");
                    String label = op;
                    long macs = 0;
                    int ii = ev.indexOf("input_type_shape"), oi = ev.indexOf("output_type_shape");
                    if (op.equals("Conv") || op.equals("FusedConv")) {
                        java.util.regex.Matcher mi = num.matcher(ev.substring(ii, oi > ii ? oi : ev.length()));
                        java.util.regex.Matcher mo = num.matcher(ev.substring(oi));
                        if (mi.find()) {
                            long[] xs = Arrays.stream(mi.group(1).split(",")).mapToLong(Long::parseLong).toArray();
                            long[] ws = mi.find() ? Arrays.stream(mi.group(1).split(",")).mapToLong(Long::parseLong).toArray() : null;
                            long[] ys = mo.find() ? Arrays.stream(mo.group(1).split(",")).mapToLong(Long::parseLong).toArray() : null;
                            if (ws != null && ys != null && ws.length == 4 && xs.length == 4 && ys.length == 4) {
                                long cin = xs[1], cout = ws[0], k = ws[2], stride = Math.max(1, xs[2] / ys[2]);
                                boolean dw = ws[1] == 1 && cout == cin && cin > 1;
                                label = dw ? "conv dw" + k + " s" + stride
                                        : k == 1 && stride == 1 ? "conv pw" : "conv " + k + "x" + ws[3] + " s" + stride;
                                if (Profile.SHAPES) {
                                    label += " " + cin + "->" + cout + " @" + xs[2];
                                }
                                macs = ws[0] * ws[1] * ws[2] * ws[3] * ys[2] * ys[3];
                            }
                        }
                    }
                    double[] t = totals.computeIfAbsent(label, q -> new double[3]);
                    t[0] += dur;
                    t[1] += macs;
                    t[2]++;
                    double[] tp = perPass.computeIfAbsent(label, q -> new double[passes][3])[pass];
                    tp[0] += dur;
                    tp[1] += macs;
                    tp[2]++;
                }
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
        if (between != null) {
            return perPass;
        }
        double all = totals.values().stream().mapToDouble(t -> t[0]).sum();
        System.out.printf("ONNX Runtime per node kind (its profiler, %d passes):%n", passes);
        System.out.printf("%-22s %6s %10s %6s %9s %7s%n", "kind", "calls", "ms/pass", "share", "GFLOP/s", "% peak");
        for (var e : totals.entrySet()) {
            double[] t = e.getValue();
            double ms = t[0] / 1e3 / passes, gf = t[1] > 0 ? 2 * t[1] / (t[0] * 1e3) : 0;
            System.out.printf("%-22s %6d %10.3f %5.1f%% %9s %7s%n", e.getKey(), (long) t[2] / passes, ms, 100 * t[0] / all,
                    gf > 0 ? String.format("%.1f", gf) : "", gf > 0 && peakGflops > 0 ? String.format("%.0f%%", 100 * gf / peakGflops) : "");
        }
        System.out.printf("%-22s %6s %10.3f%n", "total", "", all / 1e3 / passes);
        return perPass;
    }

    /**
     * {@code -Dminnow.profile.best=true}: one Minnow pass before each ONNX Runtime pass (profiled session), so both see
     * the same phases of a shared machine, then per kind each engine's best pass (the least disturbed) side by side:
     * on the development VM the per-kind means of two separate profiling runs differed by up to 2× with the machine's
     * phase, so the means alone could not say which layers lose to ONNX Runtime.
     */
    private static void bestPassProfile(OrtEnvironment env, String model, java.util.function.UnaryOperator<Tensor> g, Tensor x,
                                        float[] xv, int threads, int passes, double peakGflops) throws Exception {
        List<Map<String, long[]>> mine = new ArrayList<>();
        Runnable minnowPass = () -> {
            Map<String, long[]> before = Profile.snapshot();
            g.apply(x);
            Map<String, long[]> after = Profile.snapshot(), delta = new java.util.TreeMap<>();
            after.forEach((k, v) -> {
                long[] b = before.getOrDefault(k, new long[3]);
                delta.put(k, new long[] {v[0] - b[0], v[1] - b[1], v[2] - b[2]});
            });
            mine.add(delta);
        };
        java.util.TreeMap<String, double[][]> ort = ortProfile(env, model, xv, x.shape(), threads, passes, peakGflops, minnowPass);
        System.out.printf("Best pass per kind, %d alternating passes (Minnow pass, then ONNX Runtime pass):%n", passes);
        System.out.printf("%-30s %10s %9s %10s %9s %7s%n", "kind", "minnow ms", "GFLOP/s", "ort ms", "GFLOP/s", "ratio");
        java.util.TreeSet<String> kinds = new java.util.TreeSet<>(ort.keySet());
        mine.forEach(m -> kinds.addAll(m.keySet()));
        double sumM = 0, sumO = 0;
        for (String k : kinds) {
            double bm = Double.MAX_VALUE, macsM = 0, bo = Double.MAX_VALUE, macsO = 0;
            for (Map<String, long[]> m : mine) {
                long[] v = m.get(k);
                if (v != null && v[2] > 0 && v[0] / 1e6 < bm) {
                    bm = v[0] / 1e6;
                    macsM = v[1];
                }
            }
            for (double[] v : ort.getOrDefault(k, new double[0][])) {
                if (v[2] > 0 && v[0] / 1e3 < bo) {
                    bo = v[0] / 1e3;
                    macsO = v[1];
                }
            }
            boolean hasM = bm < Double.MAX_VALUE, hasO = bo < Double.MAX_VALUE;
            sumM += hasM ? bm : 0;
            sumO += hasO ? bo : 0;
            System.out.printf("%-30s %10s %9s %10s %9s %7s%n", k, hasM ? String.format("%.3f", bm) : "",
                    hasM && macsM > 0 ? String.format("%.1f", 2 * macsM / (bm * 1e6)) : "", hasO ? String.format("%.3f", bo) : "",
                    hasO && macsO > 0 ? String.format("%.1f", 2 * macsO / (bo * 1e6)) : "",
                    hasM && hasO ? String.format("%.2f", bm / bo) : "");
        }
        System.out.printf("%-30s %10.3f %9s %10.3f %9s %7.2f%n", "sum of bests", sumM, "", sumO, "", sumM / sumO);
    }

    /**
     * Runs Minnow's forward pass until the JIT has been quiet (MachineProbe.warmUp: at least 2 s, at most
     * {@code -Dminnow.bench.warmupMaxS}, default 30 s) before the counted warm-up rounds: a network's rarer kernels
     * (one layer of a kind per pass) reach C2 only after hundreds of passes, and until then run as C1 code whose Vector
     * API calls allocate — with 40 passes MobileNetV3-Small's one 3×3 stride-1 depthwise layer still ran 10× slower
     * than its steady state (session 6), which made the ratios to ONNX Runtime (no JIT) pessimistic.
     */
    private static void jitQuiet(java.util.function.UnaryOperator<Tensor> g, Tensor x) {
        double max = Double.parseDouble(System.getProperty("minnow.bench.warmupMaxS", "30"));
        dev.minnow.kernels.vector.MachineProbe.warmUp(() -> g.apply(x), Math.min(2.0, max), max);
    }

    /**
     * {@code --engine minnow} or {@code --engine ort}: times one engine alone in this process (no other engine's threads
     * spinning beside it: ORT's idle workers spin-wait and took cores from Minnow's two-thread runs in the same process).
     * Prints {@code model threads engine median min} per case and thread count, wall time, plus a {@code cpu} line for
     * one thread; run once per engine and join the lines (scripts/bench-all.sh does).
     */
    private static void single(String engine, List<String[]> cases, int[] threadList, int rounds, int warmup) throws Exception {
        if (!engine.equals("minnow") && !engine.equals("ort")) {
            throw new IllegalArgumentException("--engine must be both, minnow or ort, got " + engine);
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.printf("engine %s alone, %s, threads %s%n", engine, engine.equals("ort")
                ? "onnxruntime " + OrtEnvironment.getEnvironment().getVersion() : "kernels " + KernelProvider.get().name(),
                Arrays.toString(threadList));
        for (String[] c : cases) {
            Tensor x = Npy.read(Path.of(c[2]));
            float[] xv = x.toFloatArray();
            for (int threads : threadList) {
                double[] wall = new double[rounds], cpu = new double[rounds];
                if (engine.equals("minnow")) {
                    Parallel.setActiveThreads(threads);
                    try (OnnxModel m = OnnxModel.open(Path.of(c[1]))) {
                        OnnxGraph graph = new OnnxGraph(m);
                        jitQuiet(graph::run, x);
                        for (int r = -warmup; r < rounds; r++) {
                            long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                            graph.run(x);
                            long t1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
                            if (r >= 0) {
                                wall[r] = (t1 - t0) / 1e6;
                                cpu[r] = (c1 - c0) / 1e6;
                            }
                        }
                        if (Profile.ENABLED) {   // -Dminnow.profile=true: Minnow's time per operator kind, alone in the process
                            Profile.reset();
                            int passes = Math.max(5, rounds);
                            for (int p = 0; p < passes; p++) {
                                graph.run(x);
                            }
                            Profile.print(System.out, passes, 0);
                        }
                    }
                } else {
                    OrtEnvironment env = OrtEnvironment.getEnvironment();
                    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                        opts.setIntraOpNumThreads(threads);
                        opts.setInterOpNumThreads(1);
                        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                        try (OrtSession s = env.createSession(c[1], opts)) {
                            String inName = s.getInputNames().iterator().next();
                            for (int r = -warmup; r < rounds; r++) {
                                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(xv), x.shape())) {
                                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                                    try (OrtSession.Result res = s.run(Map.of(inName, in))) {
                                        long t1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
                                        if (r >= 0) {
                                            wall[r] = (t1 - t0) / 1e6;
                                            cpu[r] = (c1 - c0) / 1e6;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Arrays.sort(wall);
                Arrays.sort(cpu);
                System.out.printf("%-22s %7d %-7s %9.2f ms %9.2f ms%n", c[0], threads, engine, wall[rounds / 2], wall[0]);
                if (threads == 1) {
                    System.out.printf("%-22s %7s %-7s %9.2f ms %9.2f ms  (thread CPU time)%n", c[0], "cpu", engine, cpu[rounds / 2], cpu[0]);
                }
            }
        }
    }
}
