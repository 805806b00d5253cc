package dev.minnow.models.sparse;

import dev.minnow.models.llm.LanguageModel;
import dev.minnow.models.llm.LlamaSession;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Setting up and measuring sparse decoding: parsing the CLI's method names, calibrating the static policies, decode
 * speed after a prefill, and quality against dense decoding (top-1 agreement, KL divergence, perplexity).
 */
public final class SparseEval {
    private SparseEval() {}

    /** Methods the CLI names. */
    public static final List<String> METHODS = List.of("coreinfer", "coreinfer-all", "threshold", "hot");

    /**
     * The policy for a CLI method name at kept fraction {@code keep}: CoreInfer (beta = keep; "coreinfer-all"
     * sparsifies every layer, "coreinfer" the reference code's layer range), CATS threshold (target = 1 − keep), hot
     * neurons (keep). "dense" ignores alpha and keep.
     */
    public static Sparsity parse(String method, double alpha, double keep) {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "dense", "none" -> Sparsity.dense();
            case "coreinfer" -> Sparsity.coreInfer(alpha, keep);
            case "coreinfer-all" -> new Sparsity.CoreInfer(alpha, keep, 0, 0);
            case "threshold", "cats" -> new Sparsity.Threshold(1 - keep);
            case "hot" -> new Sparsity.HotNeurons(keep);
            default -> throw new IllegalArgumentException("unknown sparsity method '" + method
                    + "' (known: dense, coreinfer, coreinfer-all, threshold, hot)");
        };
    }

    /**
     * Installs {@code s} on the session; static policies are calibrated on {@code calibration} (dense runs of up to
     * {@code window} tokens each, the cache reset before each). Throws when a static policy gets no calibration tokens.
     */
    public static void install(LlamaSession session, Sparsity s, int[] calibration, int window) {
        session.sparsity(s);
        SparseFfn sf = session.sparseFfn();
        if (sf == null || !sf.needsCalibration()) {
            return;
        }
        if (calibration == null || calibration.length < 2) {
            throw new IllegalArgumentException(s + " needs calibration text (--calib FILE)");
        }
        int w = Math.max(2, Math.min(window, session.contextSize()));
        sf.calibrate(true);
        try {
            for (int i = 0; i + 1 < calibration.length; i += w) {
                session.reset();
                session.forward(Arrays.copyOfRange(calibration, i, Math.min(calibration.length, i + w)));
            }
        } finally {
            sf.calibrate(false);
            session.reset();
        }
    }

    /**
     * Decode speed: {@code prompt} prefilled and the sparse selection done (neither timed; see {@link #selectMillis}),
     * then {@code gen} single tokens timed; best of reps after one warm-up round, tok/s.
     */
    public static double decodeSpeed(LlamaSession s, int[] prompt, int[] gen, int reps) {
        double best = 0;
        for (int r = 0; r <= reps; r++) { // the first round warms up
            double tps = decodeRound(s, prompt, gen);
            if (r > 0) {
                best = Math.max(best, tps);
            }
        }
        return best;
    }

    /** One round: reset, prefill {@code prompt} and select (untimed), then decode {@code gen}; tok/s of the decode. */
    public static double decodeRound(LlamaSession s, int[] prompt, int[] gen) {
        s.reset();
        s.forward(prompt);
        if (s.sparseFfn() != null) {
            s.sparseFfn().prepare();
        }
        long t0 = System.nanoTime();
        for (int t : gen) {
            s.forward(t);
        }
        return gen.length * 1e9 / (System.nanoTime() - t0);
    }

    /**
     * Decode token times of two sessions measured alternately, token by token (so both see the same machine load):
     * per round both prefill {@code prompt} and select (untimed), then each token of {@code gen} is fed to
     * {@code a} and then to {@code b}. The first round warms up. Returns the median nanoseconds per token of a and
     * of b over the other {@code rounds} rounds.
     */
    public static double[] interleavedMedians(LlamaSession a, LlamaSession b, int[] prompt, int[] gen, int rounds) {
        long[] ta = new long[gen.length * rounds], tb = new long[gen.length * rounds];
        int n = 0;
        for (int r = 0; r <= rounds; r++) {
            for (LlamaSession s : new LlamaSession[] {a, b}) {
                s.reset();
                s.forward(prompt);
                if (s.sparseFfn() != null) {
                    s.sparseFfn().prepare();
                }
            }
            for (int t : gen) {
                long t0 = System.nanoTime();
                a.forward(t);
                long t1 = System.nanoTime();
                b.forward(t);
                long t2 = System.nanoTime();
                if (r > 0) {
                    ta[n] = t1 - t0;
                    tb[n++] = t2 - t1;
                }
            }
        }
        return new double[] {median(ta, n), median(tb, n)};
    }

    private static double median(long[] v, int n) {
        long[] c = Arrays.copyOf(v, n);
        Arrays.sort(c);
        return n == 0 ? Double.NaN : n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2.0;
    }

    /** The time CoreInfer's per-prompt selection and gathering takes after prefilling {@code prompt}, in ms (0 for other policies). */
    public static double selectMillis(LlamaSession s, int[] prompt) {
        s.reset();
        s.forward(prompt);
        return s.sparseFfn() == null ? 0 : s.sparseFfn().prepare() / 1e6;
    }

    /** Quality of sparse decoding against dense decoding. */
    public record Quality(double top1, double kl, double ppl, double densePpl, int scored, double kept) {}

    /**
     * Per window of {@code window} tokens of {@code ids} (BOS first): prefill the first half densely (CoreInfer
     * selects here), then feed the second half one token at a time (decode, sparse) and score each next token. The
     * dense reference does the same with no sparsity. {@code windows} windows from the start of the text.
     */
    public static List<Quality> quality(LanguageModel lm, int[] ids, int window, int windows, List<Sparsity> policies,
                                        int[] calibration, PrintStream log) {
        LlamaSession s = lm.session();
        int bos = lm.tokenizer().vocabulary().bos();
        int half = window / 2;
        List<float[][]> denseLogits = new ArrayList<>();
        List<int[]> chunks = new ArrayList<>();
        s.sparsity(null);
        for (int w = 0; w < windows && (long) (w + 1) * (window - 1) <= ids.length; w++) {
            int[] chunk = new int[window];
            chunk[0] = bos;
            System.arraycopy(ids, w * (window - 1), chunk, 1, window - 1);
            chunks.add(chunk);
            denseLogits.add(decodeHalf(s, chunk, half));
        }
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("text too short for one window of " + window + " tokens");
        }
        double densePpl = ppl(denseLogits, chunks, half);
        List<Quality> out = new ArrayList<>();
        for (Sparsity p : policies) {
            install(s, p, calibration, window);
            double agree = 0, kl = 0, keptSum = 0;
            int n = 0;
            List<float[][]> sparseLogits = new ArrayList<>();
            for (int w = 0; w < chunks.size(); w++) {
                float[][] sp = decodeHalf(s, chunks.get(w), half);
                sparseLogits.add(sp);
                keptSum += s.sparseFfn() == null ? 1 : s.sparseFfn().keptFraction();
                float[][] de = denseLogits.get(w);
                for (int t = 0; t < sp.length; t++) {
                    agree += argmax(sp[t]) == argmax(de[t]) ? 1 : 0;
                    kl += kl(de[t], sp[t]);
                    n++;
                }
            }
            Quality q = new Quality(agree / n, kl / n, ppl(sparseLogits, chunks, half), densePpl, n, keptSum / chunks.size());
            out.add(q);
            if (log != null) {
                log.printf(Locale.ROOT, "  %-48s top1 %.4f  KL %.5f  ppl %.3f (dense %.3f)%n", p, q.top1(), q.kl(), q.ppl(), densePpl);
            }
        }
        s.sparsity(null);
        return out;
    }

    /** Prefill chunk[0..half), then decode chunk[half..len-1) one by one: logits predicting chunk[half+1..len). */
    private static float[][] decodeHalf(LlamaSession s, int[] chunk, int half) {
        s.reset();
        s.forward(Arrays.copyOf(chunk, half));
        float[][] out = new float[chunk.length - half - 1][];
        for (int t = half; t < chunk.length - 1; t++) {
            out[t - half] = s.forward(chunk[t]);
        }
        return out;
    }

    private static double ppl(List<float[][]> logits, List<int[]> chunks, int half) {
        double nll = 0;
        int n = 0;
        for (int w = 0; w < chunks.size(); w++) {
            float[][] l = logits.get(w);
            for (int t = 0; t < l.length; t++) {
                nll -= logSoftmax(l[t], chunks.get(w)[half + 1 + t]);
                n++;
            }
        }
        return Math.exp(nll / n);
    }

    static double logSoftmax(float[] z, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp(v - max);
        }
        return z[i] - max - Math.log(sum);
    }

    /** KL(softmax(p) || softmax(q)) in nats. */
    static double kl(float[] p, float[] q) {
        double mp = Double.NEGATIVE_INFINITY, mq = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < p.length; i++) {
            mp = Math.max(mp, p[i]);
            mq = Math.max(mq, q[i]);
        }
        double sp = 0, sq = 0;
        for (int i = 0; i < p.length; i++) {
            sp += Math.exp(p[i] - mp);
            sq += Math.exp(q[i] - mq);
        }
        double lp = Math.log(sp), lq = Math.log(sq), kl = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] - mp - lp;
            double b = q[i] - mq - lq;
            kl += Math.exp(a) * (a - b);
        }
        return Math.max(0, kl);
    }

    static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Seeded random token ids (speed runs on synthetic models). */
    public static int[] randomTokens(int n, int vocab, long seed) {
        return new SplittableRandom(seed).ints(n, 0, vocab).toArray();
    }
}
