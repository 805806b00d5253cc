package dev.minnow.models.llm;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Parallel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * llama-bench's two figures for a GGUF model: prompt processing ({@code ppN}: N tokens in batches from an empty
 * cache) and text generation ({@code tgN}: N single-token steps from an empty cache), in tokens per second, mean
 * and standard deviation over repetitions after warm-up runs (llama-bench does one; a JIT compiles while it runs, so
 * here they repeat while a run is still more than 3% faster than the one before or allocates more than compiled code
 * does ({@link #SETTLED_BYTES_PER_TOKEN}), up to {@link #MAX_WARMUP} runs or {@link #MAX_WARMUP_SECONDS}). Token
 * ids are seeded random draws.
 */
public final class LlmBench {
    private LlmBench() {}

    /**
     * One line of the table; {@code bytesPerToken}: heap bytes allocated per token (all threads) in the last
     * repetition, i.e. in steady state, -1 if unknown.
     */
    public record Row(String test, double tokensPerSecond, double stdDev, long bytesPerToken) {}

    public static List<Row> run(Path model, int promptTokens, int genTokens, int repetitions, KvCacheType kv, PrintStream out) {
        return run(model, promptTokens, genTokens, repetitions, kv, new int[] {Parallel.threads()}, false, out);
    }

    /**
     * The pp/tg table at each thread count in {@code threads} (each ≤ the pool size). With {@code bandwidth}, the
     * machine's streaming read bandwidth is probed at each thread count in the same run, before and after its rows (the
     * higher figure counts), and every decode row also
     * shows the weight stream it implies (file bytes × tokens/s) as a share of it, the decode roofline.
     */
    public static List<Row> run(Path model, int promptTokens, int genTokens, int repetitions, KvCacheType kv,
                                int[] threads, boolean bandwidth, PrintStream out) {
        if (promptTokens < 0 || genTokens < 0 || repetitions < 1) {
            throw new IllegalArgumentException("need pp >= 0, tg >= 0 and repetitions >= 1");
        }
        if (threads.length == 0) {
            throw new IllegalArgumentException("need at least one thread count");
        }
        for (int t : threads) {
            if (t < 1 || t > Parallel.poolSize()) {
                throw new IllegalArgumentException("thread count " + t + " is outside 1.." + Parallel.poolSize()
                        + " (the pool size; set -Dminnow.threads for a larger pool)");
            }
        }
        long size;
        try {
            size = Files.size(model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int ctx = Math.max(1, Math.max(promptTokens, genTokens));
        try (LanguageModel lm = LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(ctx).kvCacheType(kv))) {
            LlamaConfig c = lm.config();
            LlamaSession s = lm.session();
            SplittableRandom r = new SplittableRandom(1234);
            int[] prompt = r.ints(promptTokens, 0, c.vocabSize()).toArray();
            int[] gen = r.ints(genTokens, 0, c.vocabSize()).toArray();
            String type = lm.model().layers[0].wq().type().toString();
            long params = paramCount(c);
            String kfmt = "%-" + Math.max(12, KernelProvider.get().name().length()) + "s";   // the kernels column fits the name
            String header = String.format(Locale.ROOT, "| %-24s | %10s | %8s | %-5s | " + kfmt + " | %7s | %-6s | %16s | %9s |%s",
                    "model", "size", "params", "type", "kernels", "threads", "test", "t/s", "alloc/tok",
                    bandwidth ? String.format(Locale.ROOT, " %8s | %8s | %6s |", "GB/s", "read bw", "% bw") : "");
            out.println(header);
            out.println(header.replaceAll("[^|]", "-"));
            List<Row> rows = new ArrayList<>();
            for (int t : threads) {
                double before = bandwidth ? probe(t) : 0;
                List<Row> mine = new ArrayList<>();
                Parallel.withThreads(t, () -> {
                    if (promptTokens > 0) {
                        mine.add(measure("pp" + promptTokens, promptTokens, repetitions, () -> {
                            s.reset();
                            s.forward(prompt);
                        }));
                    }
                    if (genTokens > 0) {
                        float[] logits = new float[c.vocabSize()];
                        mine.add(measure("tg" + genTokens, genTokens, repetitions, () -> {
                            s.reset();
                            for (int g : gen) {
                                s.forwardInto(logits, g);
                            }
                        }));
                    }
                });
                // probed again after the rows: the higher of the two (this VM's probe moved by up to a quarter between
                // runs, session 18), so a low probe does not inflate the % column
                double bw = bandwidth ? Math.max(before, probe(t)) : 0;
                for (Row row : mine) {
                    String extra = "";
                    if (bandwidth) {
                        boolean decode = row.test().startsWith("tg");
                        double gbs = size * row.tokensPerSecond() / 1e9;
                        extra = decode
                                ? String.format(Locale.ROOT, " %8.2f | %8.2f | %5.0f%% |", gbs, bw, 100 * gbs / bw)
                                : String.format(Locale.ROOT, " %8s | %8.2f | %6s |", "", bw, "");
                    }
                    out.printf(Locale.ROOT, "| %-24s | %6.2f GiB | %6.2f B | %-5s | " + kfmt + " | %7d | %-6s | %8.2f ± %5.2f | %9s |%s%n",
                            trim(model.getFileName().toString(), 24), size / (double) (1L << 30), params / 1e9, type,
                            KernelProvider.get().name(), t, row.test(), row.tokensPerSecond(), row.stdDev(),
                            bytes(row.bytesPerToken()), extra);
                }
                rows.addAll(mine);
            }
            return rows;
        }
    }

    /** The streaming read bandwidth at {@code threads} threads, GB/s (best of 3 passes over 512 MiB at most). */
    private static double probe(int threads) {
        return dev.minnow.kernels.vector.MachineProbe.readBandwidth(Math.max(128, KernelProvider.get().vectorBits()), threads,
                Math.min(512L << 20, dev.minnow.kernels.vector.MachineProbe.defaultBandwidthBytes()), 3).value();
    }

    private static String trim(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static long paramCount(LlamaConfig c) {
        long perLayer = 2L * c.dim() + (long) c.dim() * c.qDim() * 2 + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.ffnDim();
        return 2L * c.vocabSize() * c.dim() + c.dim() + perLayer * c.layers();
    }

    /**
     * Most warm-up runs per test. One was not enough where the first thread count's prompt processing ran while C2 was
     * still compiling: 1-thread pp128 26.2 tok/s measured first in the process, 37.6 after the 2-thread rows (session 21).
     */
    static final int MAX_WARMUP = 10;

    /** Most seconds of warm-up per test: the runs stop at {@link #MAX_WARMUP} or once they have taken this long. */
    static final double MAX_WARMUP_SECONDS = 60;

    /**
     * Most heap bytes per token a warm-up run may allocate and still end the warm-up. Compiled kernels allocate a few
     * kB per token (2–10 kB in session 24's table); a kernel still running as C1 code, whose Vector API calls box
     * every vector, allocates hundreds of kB. Session 25 caught that state in a Q8_0 process: the decode-panel kernel's
     * C2 code for its loop was thrown away by an uncommon trap, and for the next 5.5 s, while C2 worked through its
     * queue, the prompt's one matrix-vector product (the output layer) ran in C1 code, at 4 MB a prompt token; the
     * runs were within 3% of each other, so the warm-up stopped and the table recorded that state.
     */
    static final long SETTLED_BYTES_PER_TOKEN = 32 << 10;

    static Row measure(String name, int tokens, int reps, Runnable body) {
        long prev = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int w = 0; w < MAX_WARMUP && System.nanoTime() - start < MAX_WARMUP_SECONDS * 1e9; w++) {
            // warm-up: until a run is no longer 3% faster than the one before and allocates no more than compiled
            // code does (both: the JIT has settled)
            long alloc0 = allocatedBytes();
            long t0 = System.nanoTime();
            body.run();
            long t = System.nanoTime() - t0;
            long alloc1 = allocatedBytes();
            boolean quiet = alloc0 < 0 || alloc1 < 0 || (alloc1 - alloc0) / Math.max(1, tokens) <= SETTLED_BYTES_PER_TOKEN;
            if (t > prev * 0.97 && quiet) {
                break;
            }
            prev = Math.min(prev, t);
        }
        double[] tps = new double[reps];
        long perToken = -1;
        for (int i = 0; i < reps; i++) {
            // allocation is read over the last repetition: earlier ones include code that the JIT has not compiled
            // yet, whose Vector API calls allocate (a 1-thread pp128 after one warm-up: 5.6 MB/token, then ~0)
            long alloc0 = allocatedBytes();
            long t0 = System.nanoTime();
            body.run();
            tps[i] = tokens * 1e9 / (System.nanoTime() - t0);
            long alloc1 = allocatedBytes();
            perToken = alloc0 < 0 || alloc1 < 0 ? -1 : (alloc1 - alloc0) / tokens;
        }
        double mean = 0;
        for (double v : tps) {
            mean += v;
        }
        mean /= reps;
        double var = 0;
        for (double v : tps) {
            var += (v - mean) * (v - mean);
        }
        return new Row(name, mean, reps > 1 ? Math.sqrt(var / (reps - 1)) : 0, perToken);
    }

    /** Heap bytes allocated so far by all live threads (HotSpot's per-thread counters), or -1. */
    static long allocatedBytes() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported() || !mx.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    private static String bytes(long b) {
        if (b < 0) {
            return "n/a";
        }
        return b < 10_000 ? b + " B" : b < 10_000_000 ? b / 1000 + " kB" : b / 1_000_000 + " MB";
    }
}
