package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.models.sparse.Sparsity;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufEntry;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufWriter;
import dev.minnow.tensor.io.ModelFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The architectures beyond plain llama (Llama-3 RoPE factors, qwen2, stablelm, phi3) against a naive forward pass
 * written here from the file's tensors with plain float loops: RMSNorm or LayerNorm with bias, RoPE in interleaved or
 * split-half pairs over the first rope.dimension_count dims of a head (with frequency factors, linear scaling and an
 * attention factor), Q/K/V biases, grouped-query causal attention, parallel residual, and fused QKV / gate+up split
 * by rows. Models are synthesised (dim 64, 2 layers, 4 heads, 2 KV heads, FFN 96) through the real writer and loader.
 */
public class ArchitecturesTest {
    @TempDir
    static Path dir;
    static Vocabulary vocab;
    static final int[] IDS = {5, 77, 290, 12, 260, 9, 31};

    @BeforeAll
    static void vocabulary() {
        vocab = ModelSynth.byteLevelVocabulary(40);
    }

    public static ModelSynth.Spec spec(DType type) {
        return new ModelSynth.Spec(64, 2, 4, 2, 96, 64, type, 21);
    }

    /** The variants under test, by name. */
    public static ModelSynth.Variant variant(String name) {
        return switch (name) {
            case "llama-rope-freqs" -> ModelSynth.Variant.of(Architecture.LLAMA).ropeFactors(true);
            case "qwen2" -> ModelSynth.Variant.of(Architecture.QWEN2);
            case "qwen2-untied" -> ModelSynth.Variant.of(Architecture.QWEN2).tiedOutput(false);
            case "stablelm" -> ModelSynth.Variant.of(Architecture.STABLELM);
            case "stablelm-parallel" -> ModelSynth.Variant.of(Architecture.STABLELM).parallelResidual(true).qkvBiases(false);
            case "stablelm-12b" -> ModelSynth.Variant.of(Architecture.STABLELM).parallelResidual(true).qkNorms(true);
            case "phi3" -> ModelSynth.Variant.of(Architecture.PHI3);
            case "phi3-bias-factors" -> ModelSynth.Variant.of(Architecture.PHI3).qkvBiases(true).ropeFactors(true);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Path model(String name, DType type) {
        Path p = dir.resolve(name + "-" + type + ".gguf");
        if (!Files.exists(p)) {
            ModelSynth.write(p, spec(type), variant(name), vocab);
        }
        return p;
    }

    // ---- the naive reference ----

    static float[] norm(boolean layerNorm, float[] x, float[] w, float[] b, float eps) {
        int n = x.length;
        double mean = 0;
        if (layerNorm) {
            for (float v : x) {
                mean += v;
            }
            mean /= n;
        }
        double ss = 0;
        for (float v : x) {
            ss += (v - mean) * (v - mean);
        }
        double inv = 1 / Math.sqrt(ss / n + eps);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) ((x[i] - mean) * inv * w[i] + (b == null ? 0 : b[i]));
        }
        return y;
    }

    static float[] matvec(float[] w, int rows, int cols, float[] x, float[] bias) {
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double acc = bias == null ? 0 : bias[r];
            for (int c = 0; c < cols; c++) {
                acc += (double) w[r * cols + c] * x[c];
            }
            y[r] = (float) acc;
        }
        return y;
    }

    /** LayerNorm of each head with its own weights (w: [heads × hd]); nothing when w is null. */
    static void headNorm(float[] v, float[] w, int heads, int hd, float eps) {
        if (w == null) {
            return;
        }
        for (int h = 0; h < heads; h++) {
            float[] head = Arrays.copyOfRange(v, h * hd, (h + 1) * hd);
            float[] normed = norm(true, head, Arrays.copyOfRange(w, h * hd, (h + 1) * hd), null, eps);
            System.arraycopy(normed, 0, v, h * hd, hd);
        }
    }

    /** Rotates the first ropeDim dims of each head: pair i is (2i, 2i+1) interleaved or (i, i + ropeDim/2) split. */
    static void rope(float[] v, int heads, int hd, int ropeDim, boolean interleaved, int pos, LlamaConfig c, float[] factors) {
        int half = ropeDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double theta = pos * Math.pow(c.ropeBase(), -2.0 * i / ropeDim) / (factors == null ? 1 : factors[i]) * c.ropeFreqScale();
                int a = interleaved ? h * hd + 2 * i : h * hd + i;
                int b = interleaved ? a + 1 : h * hd + i + half;
                double x0 = v[a];
                double x1 = v[b];
                v[a] = (float) ((x0 * Math.cos(theta) - x1 * Math.sin(theta)) * c.ropeAttnFactor());
                v[b] = (float) ((x0 * Math.sin(theta) + x1 * Math.cos(theta)) * c.ropeAttnFactor());
            }
        }
    }

    /** Tensor {@code name} as floats (block-quantized ones dequantized row by row), or null when absent. */
    static float[] get(GgufFile f, String name) {
        if (!f.hasTensor(name)) {
            return null;
        }
        var t = f.tensor(name);
        if (!t.dtype().isQuantized()) {
            return t.toFloatArray();
        }
        int rows = (int) t.dim(0), cols = (int) t.dim(1);
        long rowBytes = dev.minnow.quant.GgmlQuant.rowBytes(t.dtype(), cols);
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            dev.minnow.quant.GgmlQuant.dequantizeRow(t.dtype(), t.segment(), r * rowBytes, out, r * cols, cols);
        }
        return out;
    }

    /** Logits after the last of {@code ids}, for a session of {@code contextSize} positions (it picks Phi-3's factors). */
    static float[] reference(Path model, int[] ids, int contextSize) {
        float[][] all = referenceAll(model, ids, contextSize);
        return all[all.length - 1];
    }

    /** Logits after each of {@code ids}. */
    static float[][] referenceAll(Path model, int[] ids, int contextSize) {
        return referenceAll(model, ids, contextSize, null);
    }

    /** Which FFN neurons of layer {@code layer} the token at {@code position} keeps (null: every neuron). */
    public interface FfnMask {
        boolean[] keep(int layer, int position);
    }

    /**
     * Logits after each of {@code ids}, with the FFN neurons that {@code mask} drops (SiLU(gate)·up) set to zero:
     * the reference of sparse-activation decoding (null: dense).
     */
    public static float[][] referenceAll(Path model, int[] ids, int contextSize, FfnMask mask) {
        try (GgufFile f = GgufFile.open(model)) {
            LlamaConfig c = LlamaConfig.fromGguf(f, (int) f.tensorInfos().get("token_embd.weight").shape()[0]);
            boolean ln = c.architecture() == Architecture.STABLELM;
            boolean interleaved = c.architecture() == Architecture.LLAMA;
            int dim = c.dim(), hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim(), n = ids.length;
            float[] factors = get(f, "rope_freqs.weight");
            if (factors == null && f.hasTensor("rope_factors_long.weight")) {
                factors = get(f, contextSize > c.ropeOriginalContext() ? "rope_factors_long.weight" : "rope_factors_short.weight");
            }
            float[] emb = get(f, "token_embd.weight");
            float[][] x = new float[n][];
            for (int t = 0; t < n; t++) {
                x[t] = Arrays.copyOfRange(emb, ids[t] * dim, (ids[t] + 1) * dim);
            }
            for (int l = 0; l < c.layers(); l++) {
                String p = "blk." + l + ".";
                float[] wq, wk, wv, bq, bk, bv;
                float[] qkv = get(f, p + "attn_qkv.weight");
                if (qkv != null) {
                    wq = Arrays.copyOfRange(qkv, 0, qDim * dim);
                    wk = Arrays.copyOfRange(qkv, qDim * dim, (qDim + kvDim) * dim);
                    wv = Arrays.copyOfRange(qkv, (qDim + kvDim) * dim, (qDim + 2 * kvDim) * dim);
                    float[] b = get(f, p + "attn_qkv.bias");
                    bq = b == null ? null : Arrays.copyOfRange(b, 0, qDim);
                    bk = b == null ? null : Arrays.copyOfRange(b, qDim, qDim + kvDim);
                    bv = b == null ? null : Arrays.copyOfRange(b, qDim + kvDim, qDim + 2 * kvDim);
                } else {
                    wq = get(f, p + "attn_q.weight");
                    wk = get(f, p + "attn_k.weight");
                    wv = get(f, p + "attn_v.weight");
                    bq = get(f, p + "attn_q.bias");
                    bk = get(f, p + "attn_k.bias");
                    bv = get(f, p + "attn_v.bias");
                }
                float[] wo = get(f, p + "attn_output.weight"), bo = get(f, p + "attn_output.bias");
                float[] an = get(f, p + "attn_norm.weight"), anb = get(f, p + "attn_norm.bias");
                float[] qn = get(f, p + "attn_q_norm.weight"), kn = get(f, p + "attn_k_norm.weight");
                float[][] h = new float[n][], qs = new float[n][], ks = new float[n][], vs = new float[n][];
                for (int t = 0; t < n; t++) {
                    h[t] = norm(ln, x[t], an, anb, c.normEps());
                    qs[t] = matvec(wq, qDim, dim, h[t], bq);
                    ks[t] = matvec(wk, kvDim, dim, h[t], bk);
                    vs[t] = matvec(wv, kvDim, dim, h[t], bv);
                    headNorm(qs[t], qn, c.heads(), hd, c.normEps());
                    headNorm(ks[t], kn, c.kvHeads(), hd, c.normEps());
                    rope(qs[t], c.heads(), hd, c.ropeDim(), interleaved, t, c, factors);
                    rope(ks[t], c.kvHeads(), hd, c.ropeDim(), interleaved, t, c, factors);
                }
                for (int t = 0; t < n; t++) {
                    float[] out = new float[qDim];
                    for (int head = 0; head < c.heads(); head++) {
                        int g = head / (c.heads() / c.kvHeads());
                        double[] s = new double[t + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int u = 0; u <= t; u++) {
                            double d = 0;
                            for (int i = 0; i < hd; i++) {
                                d += qs[t][head * hd + i] * ks[u][g * hd + i];
                            }
                            s[u] = d / Math.sqrt(hd);
                            max = Math.max(max, s[u]);
                        }
                        double sum = 0;
                        for (int u = 0; u <= t; u++) {
                            s[u] = Math.exp(s[u] - max);
                            sum += s[u];
                        }
                        for (int u = 0; u <= t; u++) {
                            for (int i = 0; i < hd; i++) {
                                out[head * hd + i] += (float) (s[u] / sum * vs[u][g * hd + i]);
                            }
                        }
                    }
                    float[] o = matvec(wo, dim, qDim, out, bo);
                    for (int i = 0; i < dim; i++) {
                        x[t][i] += o[i];
                    }
                }
                float[] fn = get(f, p + "ffn_norm.weight"), fnb = get(f, p + "ffn_norm.bias");
                float[] wg, wu;
                if (c.architecture() == Architecture.PHI3) {
                    float[] gateUp = get(f, p + "ffn_up.weight");
                    wg = Arrays.copyOfRange(gateUp, 0, ffn * dim);
                    wu = Arrays.copyOfRange(gateUp, ffn * dim, 2 * ffn * dim);
                } else {
                    wg = get(f, p + "ffn_gate.weight");
                    wu = get(f, p + "ffn_up.weight");
                }
                float[] wd = get(f, p + "ffn_down.weight");
                for (int t = 0; t < n; t++) {
                    // parallel residual: the FFN reads the attention's normed input
                    float[] in = fn == null ? h[t] : norm(ln, x[t], fn, fnb, c.normEps());
                    float[] g = matvec(wg, ffn, dim, in, null);
                    float[] u = matvec(wu, ffn, dim, in, null);
                    for (int i = 0; i < ffn; i++) {
                        g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
                    }
                    boolean[] keep = mask == null ? null : mask.keep(l, t);
                    for (int i = 0; keep != null && i < ffn; i++) {
                        g[i] = keep[i] ? g[i] : 0;
                    }
                    float[] d = matvec(wd, dim, ffn, g, null);
                    for (int i = 0; i < dim; i++) {
                        x[t][i] += d[i];
                    }
                }
            }
            float[] out = get(f, "output.weight");
            float[][] logits = new float[n][];
            for (int t = 0; t < n; t++) {
                float[] h = norm(ln, x[t], get(f, "output_norm.weight"), get(f, "output_norm.bias"), c.normEps());
                logits[t] = matvec(out != null ? out : emb, c.vocabSize(), dim, h, get(f, "output.bias"));
            }
            return logits;
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static void assertClose(float[] expect, float[] got, float tol, String what) {
        float d = maxAbsDiff(expect, got);
        assertTrue(d <= tol, what + ": max abs diff " + d + " > " + tol);
    }

    static LanguageModel load(Path p, int ctx, int batch, Kernels k) {
        return LanguageModel.load(p, LanguageModel.Options.defaults().contextSize(ctx).batchSize(batch).kernels(k));
    }

    // ---- forward pass against the reference ----

    @ParameterizedTest
    @ValueSource(strings = {"llama-rope-freqs", "qwen2", "qwen2-untied", "stablelm", "stablelm-parallel", "stablelm-12b", "phi3",
            "phi3-bias-factors"})
    void f32ForwardMatchesNaiveReferenceBatchedAndStepped(String name) {
        Path p = model(name, DType.F32);
        // phi3-bias-factors: context 16 is not longer than the original 16 (short factors), 32 is (long factors)
        for (int ctx : name.equals("phi3-bias-factors") ? new int[] {16, 32} : new int[] {16}) {
            float[][] ref = referenceAll(p, IDS, ctx);
            for (Kernels k : new LinkedHashSet<>(List.of(KernelProvider.get(), KernelProvider.scalar()))) {
                try (LanguageModel lm = load(p, ctx, 3, k)) {
                    String what = name + " ctx " + ctx + " " + k.name();
                    LlamaSession s = lm.session();
                    float[] batched = s.forward(IDS);
                    s.reset();
                    for (int t = 0; t < IDS.length; t++) {
                        float[] stepped = s.forward(IDS[t]);
                        assertClose(ref[t], stepped, 1e-4f, what + " step " + t);
                        if (t == IDS.length - 1) {
                            assertClose(batched, stepped, 1e-4f, what + " batched vs stepped");
                        }
                    }
                    float[] last = ref[IDS.length - 1];
                    System.out.printf("%s: batched max abs diff vs naive reference %.2e%n", what, maxAbsDiff(last, batched));
                    assertClose(last, batched, 1e-4f, what + " batched");
                }
            }
        }
    }

    /** llama.cpp's optional output-projection and logit biases (qwen2's bo and output_b). */
    @Test
    void optionalAttentionOutputAndLogitBiases() {
        Path base = model("qwen2", DType.F32);
        float[] bo = new float[64];
        float[] ob = new float[vocab.size()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < bo.length; i++) {
            bo[i] = (float) (r.nextDouble() - 0.5);
        }
        for (int i = 0; i < ob.length; i++) {
            ob[i] = (float) (r.nextDouble() * 4 - 2);
        }
        Path withBo = variantFile(base, "qwen2-bo", w -> { }, null, "blk.1.attn_output.bias", bo);
        Path both = variantFile(withBo, "qwen2-bo-ob", w -> { }, null, "output.bias", ob);
        for (int batch : new int[] {1, 4}) {
            try (LanguageModel lm = load(both, 16, batch, null)) {
                assertNotNull(lm.model().layers[1].woBias());
                assertNull(lm.model().layers[0].woBias());
                assertClose(reference(both, IDS, 16), lm.session().forward(IDS), 1e-4f, "qwen2 with biases, batch " + batch);
                lm.session().reset();
                float[][] all = lm.session().forwardAll(IDS);
                assertClose(reference(both, Arrays.copyOf(IDS, 3), 16), all[2], 1e-4f, "forwardAll position 2, batch " + batch);
            }
        }
    }

    /** Linear RoPE scaling (rope.scaling.factor, old key rope.scale_linear; type 'none' never scales), with factors. */
    @Test
    void linearRopeScaling() {
        Path base = model("llama-rope-freqs", DType.F32);
        Path scaled = variantFile(base, "llama-linear", w -> w.putF32("llama.rope.scaling.factor", 4f), null, null, null);
        Path old = variantFile(base, "llama-linear-old", w -> w.putF32("llama.rope.scale_linear", 4f), null, null, null);
        Path none = variantFile(base, "llama-none", w -> {
            w.putF32("llama.rope.scaling.factor", 4f);
            w.putString("llama.rope.scaling.type", "none");
        }, null, null, null);
        float[] plain = reference(base, IDS, 16);
        for (Path p : List.of(scaled, old, none)) {
            try (LanguageModel lm = load(p, 16, 4, null)) {
                float expectScale = p == none ? 1f : 0.25f;
                assertEquals(expectScale, lm.config().ropeFreqScale(), p.getFileName().toString());
                float[] ref = reference(p, IDS, 16);
                assertClose(ref, lm.session().forward(IDS), 1e-4f, p.getFileName().toString());
                if (p != none) {
                    assertTrue(maxAbsDiff(ref, plain) > 1e-2f, "scaling changes the answer");
                }
            }
        }
    }

    @Test
    void configReadsEachArchitecturesKeysAndTensors() {
        try (LanguageModel lm = load(model("stablelm", DType.F32), 8, 4, null)) {
            LlamaConfig c = lm.config();
            assertEquals(Architecture.STABLELM, c.architecture());
            assertEquals(Architecture.Norm.LAYER, c.norm());
            assertEquals(4, c.ropeDim(), "a quarter of the 16-dim head rotates");
            assertEquals(dev.minnow.kernels.RopeLayout.SPLIT_HALF, c.ropeLayout());
            assertNotNull(lm.model().layers[0].qBias());
            assertNotNull(lm.model().layers[0].attnNormBias());
            assertTrue(lm.toString().contains("stablelm dim 64"), lm.toString());
        }
        // StableLM 2's GGUF files name their byte-level BPE pre-tokenizer 'stablelm2': llama.cpp splits it as qwen2
        assertEquals(dev.minnow.models.tokenizer.PreTokenizer.QWEN2, dev.minnow.models.tokenizer.PreTokenizer.ofGguf("stablelm2"));
        try (LanguageModel lm = load(model("stablelm-parallel", DType.F32), 8, 4, null)) {
            assertTrue(lm.model().layers[1].parallelResidual());
            assertNull(lm.model().layers[1].qBias());
        }
        try (LanguageModel lm = load(model("stablelm-12b", DType.F32), 8, 4, null)) {
            assertNotNull(lm.model().layers[0].qNorm());
            assertNotNull(lm.model().layers[1].kNorm());
        }
        try (LanguageModel lm = load(model("qwen2", DType.F32), 8, 4, null)) {
            assertEquals(Architecture.QWEN2, lm.config().architecture());
            assertEquals(16, lm.config().ropeDim());
            assertTrue(lm.model().output == lm.model().tokenEmbedding, "tied output");
        }
        try (LanguageModel lm = load(model("phi3-bias-factors", DType.F32), 8, 4, null)) {
            LlamaConfig c = lm.config();
            assertEquals(16, c.ropeOriginalContext());
            assertTrue(c.ropeAttnFactor() > 1f, "Phi-3 LongRoPE attention factor " + c.ropeAttnFactor());
            assertEquals(96, lm.model().layers[0].gate().rows());
            // the long and short factors give different answers, so the forward test tells which one a session used
            Path p = model("phi3-bias-factors", DType.F32);
            assertTrue(maxAbsDiff(reference(p, IDS, 16), reference(p, IDS, 32)) > 1e-2f);
            assertEquals(64 + 2 * 32, lm.model().layers[0].wq().rows() + lm.model().layers[0].wk().rows() + lm.model().layers[0].wv().rows());
        }
        try (LanguageModel lm = load(model("llama-rope-freqs", DType.F32), 8, 4, null)) {
            assertEquals(8, lm.model().ropeFreqs.length);
            assertTrue(lm.model().ropeFreqs[7] > 4f);
        }
    }

    // ---- other weight types ----

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "Q8_0"})
    void quantizedWeightsLoadAndStayCloseToTheirOwnReference(DType type) {
        for (String name : List.of("qwen2", "stablelm-parallel", "phi3-bias-factors", "llama-rope-freqs")) {
            Path p = model(name, type);
            try (LanguageModel lm = load(p, 16, 4, null)) {
                assertEquals(type, lm.model().layers[1].gate().type(), name);
                assertEquals(type, lm.model().layers[1].wk().type(), name);
                float[] batched = lm.session().forward(IDS);
                lm.session().reset();
                float[] stepped = null;
                for (int id : IDS) {
                    stepped = lm.session().forward(id);
                }
                // the activations are rounded to F16 / Q8_0 before each product, as ggml does: the batched and
                // stepped sums differ in the last bits, which can flip a rounding, so these bounds are looser than F32's
                float[] ref = reference(p, IDS, 16);
                float scale = maxAbsDiff(ref, new float[ref.length]);
                float d = maxAbsDiff(batched, stepped) / scale;
                float r = maxAbsDiff(ref, batched) / scale;
                System.out.printf("%s %s: max|logit| %.1f; relative to it: batched vs stepped %.2e, vs f32 reference of the same weights %.2e%n",
                        name, type, scale, d, r);
                assertTrue(d <= 1e-3f, name + " " + type + " batched vs stepped: relative " + d);
                assertTrue(r <= (type == DType.F16 ? 2e-3f : 2e-2f), name + " " + type + " vs reference: relative " + r);
            }
        }
    }

    // ---- sparse decoding through split (fused) and parallel-residual FFNs ----

    @ParameterizedTest
    @ValueSource(strings = {"phi3", "stablelm-parallel", "qwen2"})
    void sparseDecodingWithEveryNeuronKeptEqualsDense(String name) {
        for (DType type : List.of(DType.F32, DType.Q8_0)) {
            String old = System.getProperty("minnow.sparse.down");
            System.setProperty("minnow.sparse.down", "exact");
            try (LanguageModel lm = load(model(name, type), 16, 4, null)) {
                LlamaSession s = lm.session();
                float[][] dense = decode(s, null);
                float[][] sparse = decode(s, new Sparsity.CoreInfer(1, 1, 0, 0));
                assertEquals(96, s.sparseFfn().kept(0).length);
                for (int i = 0; i < dense.length; i++) {
                    assertClose(dense[i], sparse[i], 1e-4f, name + " " + type + " decode step " + i);
                }
                // a real subset runs too
                float[][] some = decode(s, new Sparsity.CoreInfer(0.4, 0.2, 0, 0));
                assertTrue(s.sparseFfn().kept(0).length < 96, name + " keeps a subset");
                assertEquals(vocab.size(), some[0].length);
            } finally {
                if (old == null) {
                    System.clearProperty("minnow.sparse.down");
                } else {
                    System.setProperty("minnow.sparse.down", old);
                }
            }
        }
    }

    static float[][] decode(LlamaSession s, Sparsity sparsity) {
        s.reset();
        s.sparsity(sparsity);
        s.forward(IDS);
        float[][] out = new float[3][];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.forward(40 + i);
        }
        return out;
    }

    @Test
    void generationRunsOnEveryArchitecture() {
        for (String name : List.of("qwen2", "stablelm", "phi3")) {
            try (LanguageModel lm = load(model(name, DType.F32), 32, 8, null)) {
                GenerationResult r = lm.generate("the fish", GenerationOptions.greedy().maxTokens(6).stopAtEndOfGeneration(false), t -> { });
                assertEquals(6, r.generatedIds().length, name);
                assertEquals(Sampler.argmax(lm.logits("the fish")), r.generatedIds()[0], name);
            }
        }
    }

    // ---- hostile files ----

    /** A copy of {@code base} with metadata edits, one tensor dropped and extra F32 tensors added. */
    static Path variantFile(Path base, String name, Consumer<GgufWriter> edit, String drop, String addName, float[] addValues) {
        Path out = dir.resolve("bad-" + name + ".gguf");
        try (GgufFile f = GgufFile.open(base); Arena arena = Arena.ofConfined()) {
            GgufWriter w = new GgufWriter();
            for (GgufEntry e : f.metadata().values()) {
                w.put(e);
            }
            edit.accept(w);
            for (var info : f.tensorInfos().values()) {
                if (!info.name().equals(drop)) {
                    w.addTensor(info.name(), info.type(), info.shape(), f.tensorData(info.name()));
                }
            }
            if (addName != null) {
                MemorySegment seg = arena.allocate(addValues.length * 4L, 64);
                MemorySegment.copy(addValues, 0, seg, WeightMatrix.F32, 0, addValues.length);
                w.addTensor(addName, DType.F32, new long[] {addValues.length}, seg);
            }
            w.write(out);
        }
        return out;
    }

    /** Seeded byte mutations of the header and metadata, and truncations: a clean load or a clear error, nothing else. */
    @ParameterizedTest
    @ValueSource(strings = {"phi3-bias-factors", "stablelm-parallel", "qwen2"})
    void mutatedAndTruncatedFilesLoadOrFailClearly(String name) throws java.io.IOException {
        Path base = model(name, DType.F32);
        byte[] all = Files.readAllBytes(base);
        long dataStart;
        try (GgufFile f = GgufFile.open(base)) {
            dataStart = f.dataStart();
        }
        long seed = dev.minnow.tensor.testing.Gen.seed("mutated-" + name);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int rejected = 0;
        Path p = dir.resolve("fuzz-" + name + ".gguf");
        for (int i = 0; i < 50; i++) {
            byte[] m;
            if (i % 5 == 4) {
                m = Arrays.copyOf(all, r.nextInt(all.length)); // truncated
            } else {
                m = all.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    int at = r.nextInt((int) dataStart);
                    m[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : m[at] ^ (1 << r.nextInt(8)));
                }
            }
            Files.write(p, m);
            try (LanguageModel lm = LanguageModel.load(p, LanguageModel.Options.defaults().contextSize(4))) {
                lm.session().forward(1, 2);
            } catch (ModelFormatException | IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), name + " case " + i + " seed " + seed);
                rejected++;
            }
        }
        assertTrue(rejected >= 10, name + ": only " + rejected + " of 50 damaged files rejected; seed " + seed);
    }

    record Bad(String base, String name, Consumer<GgufWriter> edit, String drop, String add, float[] values,
               Class<? extends RuntimeException> type, String message) {}

    @Test
    void unknownArchitecturesAndHostileKeysAndTensorsAreClearErrors() {
        Consumer<GgufWriter> none = w -> { };
        float[] ones8 = new float[8];
        Arrays.fill(ones8, 1f);
        float[] zeroFactor = ones8.clone();
        zeroFactor[3] = 0f;
        List<Bad> cases = List.of(
                new Bad("qwen2", "arch", w -> w.putString("general.architecture", "gpt2"), null, null, null,
                        IllegalArgumentException.class, "unsupported architecture 'gpt2'; supported: llama, qwen2, stablelm, phi3"),
                new Bad("qwen2", "rope-dim", w -> w.putU32("qwen2.rope.dimension_count", 7), null, null, null,
                        IllegalArgumentException.class, "qwen2 hyper-parameter: rope.dimension_count 7"),
                new Bad("qwen2", "key-length", w -> w.putU32("qwen2.attention.key_length", 0), null, null, null,
                        IllegalArgumentException.class, "attention.key_length"),
                new Bad("qwen2", "yarn", w -> w.putString("qwen2.rope.scaling.type", "yarn"), null, null, null,
                        IllegalArgumentException.class, "qwen2.rope.scaling.type 'yarn' is not supported"),
                new Bad("qwen2", "scale", w -> w.putF32("qwen2.rope.scaling.factor", -2f), null, null, null,
                        IllegalArgumentException.class, "rope.scaling.factor -2.0"),
                new Bad("qwen2", "bias-shape", none, "blk.0.attn_k.bias", "blk.0.attn_k.bias", new float[5],
                        ModelFormatException.class, "tensor 'blk.0.attn_k.bias' has shape [5], expected [32]"),
                new Bad("stablelm", "eps", w -> w.putF32("stablelm.attention.layer_norm_epsilon", -1f), null, null, null,
                        IllegalArgumentException.class, "stablelm hyper-parameter: attention.layer_norm_epsilon -1.0"),
                new Bad("stablelm", "eps-type", w -> w.putString("stablelm.attention.layer_norm_epsilon", "x"), null, null, null,
                        ModelFormatException.class, "stablelm.attention.layer_norm_epsilon"),
                new Bad("stablelm", "qk-norm-shape", none, null, "blk.0.attn_q_norm.weight", new float[64],
                        ModelFormatException.class, "tensor 'blk.0.attn_q_norm.weight' has shape [64], expected [4, 16]"),
                new Bad("phi3", "qk-norm", none, null, "blk.0.attn_k_norm.weight", new float[64],
                        ModelFormatException.class, "'blk.0.attn_k_norm.weight': per-head query/key norms are supported for stablelm only"),
                new Bad("stablelm", "missing-norm-bias-shape", none, "output_norm.bias", "output_norm.bias", new float[3],
                        ModelFormatException.class, "tensor 'output_norm.bias' has shape [3], expected [64]"),
                new Bad("phi3", "kv-heads", w -> w.putU32("phi3.attention.head_count_kv", 4), null, null, null,
                        ModelFormatException.class, "tensor 'blk.0.attn_qkv.weight' has shape [128, 64], expected [192, 64]"),
                new Bad("phi3", "ffn", w -> w.putU32("phi3.feed_forward_length", 80), null, null, null,
                        ModelFormatException.class, "tensor 'blk.0.ffn_up.weight' has shape [192, 64], expected [160, 64]"),
                new Bad("phi3", "attn-factor", w -> w.putF32("phi3.rope.scaling.attn_factor", Float.NaN), null, null, null,
                        IllegalArgumentException.class, "rope.scaling.attn_factor NaN"),
                new Bad("phi3", "orig-ctx", w -> w.putU32("phi3.rope.scaling.original_context_length", 0), null, null, null,
                        IllegalArgumentException.class, "rope.scaling.original_context_length 0"),
                new Bad("phi3", "one-factor", none, null, "rope_factors_long.weight", ones8,
                        ModelFormatException.class, "must both be present"),
                new Bad("phi3", "stray-gate", none, null, "blk.1.ffn_gate.weight", new float[4],
                        ModelFormatException.class, "unexpected tensor 'blk.1.ffn_gate.weight'"),
                new Bad("llama-rope-freqs", "zero-factor", none, "rope_freqs.weight", "rope_freqs.weight", zeroFactor,
                        ModelFormatException.class, "'rope_freqs.weight' value 3 is 0.0"),
                new Bad("llama-rope-freqs", "factor-len", none, "rope_freqs.weight", "rope_freqs.weight", new float[9],
                        ModelFormatException.class, "tensor 'rope_freqs.weight' has shape [9], expected [8]"));
        for (Bad c : cases) {
            Path p = variantFile(model(c.base(), DType.F32), c.base() + "-" + c.name(), c.edit(), c.drop(), c.add(), c.values());
            RuntimeException e = assertThrows(c.type(), () -> LanguageModel.load(p).close(), c.name());
            assertTrue(e.getMessage().contains(c.message()), c.name() + ": " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelSynth.Variant.of(Architecture.QWEN2).parallelResidual(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.of("mamba"));
        assertEquals("unsupported architecture 'mamba'; supported: " + String.join(", ", LlamaConfig.SUPPORTED_ARCHITECTURES), e.getMessage());
    }
}
