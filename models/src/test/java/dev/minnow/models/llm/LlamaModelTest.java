package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufEntry;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufFormatException;
import dev.minnow.tensor.gguf.GgufWriter;
import dev.minnow.tensor.io.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass against a plain reference written here (loops over float arrays: RMSNorm, Llama RoPE on pairs
 * (2i, 2i+1), causal attention where query head h reads key/value head h / (heads/kvHeads), SwiGLU), on a
 * synthesised model with GQA; plus loader errors on hostile files and the generation API.
 */
class LlamaModelTest {
    @TempDir
    static Path dir;
    static Path f32Model;
    static Vocabulary vocab;
    static final ModelSynth.Spec SPEC = new ModelSynth.Spec(48, 2, 6, 2, 80, 64, DType.F32, 11);

    @BeforeAll
    static void synthesise() {
        vocab = ModelSynth.byteLevelVocabulary(60);
        f32Model = dir.resolve("tiny-f32.gguf");
        ModelSynth.writeLlama(f32Model, SPEC, vocab);
    }

    // ---- the plain reference ----

    static float[] rmsNorm(float[] x, float[] w, float eps) {
        double ss = 0;
        for (float v : x) {
            ss += v * v;
        }
        float inv = (float) (1 / Math.sqrt(ss / x.length + eps));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * inv * w[i];
        }
        return y;
    }

    static float[] matvec(float[] w, int rows, int cols, float[] x) {
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double acc = 0;
            for (int c = 0; c < cols; c++) {
                acc += w[r * cols + c] * x[c];
            }
            y[r] = (float) acc;
        }
        return y;
    }

    static void rope(float[] v, int heads, int hd, int pos, float base) {
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double theta = pos * Math.pow(base, -2.0 * i / hd);
                int a = h * hd + 2 * i;
                float x0 = v[a];
                float x1 = v[a + 1];
                v[a] = (float) (x0 * Math.cos(theta) - x1 * Math.sin(theta));
                v[a + 1] = (float) (x0 * Math.sin(theta) + x1 * Math.cos(theta));
            }
        }
    }

    /** Logits after each token of {@code ids}, recomputing everything from the file's tensors. */
    static float[][] reference(Path model, int[] ids) {
        try (GgufFile f = GgufFile.open(model)) {
            LlamaConfig c = LlamaConfig.fromGguf(f, (int) f.tensorInfos().get("token_embd.weight").shape()[0]);
            int dim = c.dim();
            int hd = c.headDim();
            int n = ids.length;
            float[] emb = f.tensor("token_embd.weight").toFloatArray();
            float[][] x = new float[n][];
            for (int t = 0; t < n; t++) {
                x[t] = java.util.Arrays.copyOfRange(emb, ids[t] * dim, (ids[t] + 1) * dim);
            }
            for (int l = 0; l < c.layers(); l++) {
                String p = "blk." + l + ".";
                float[] an = f.tensor(p + "attn_norm.weight").toFloatArray();
                float[] wq = f.tensor(p + "attn_q.weight").toFloatArray();
                float[] wk = f.tensor(p + "attn_k.weight").toFloatArray();
                float[] wv = f.tensor(p + "attn_v.weight").toFloatArray();
                float[] wo = f.tensor(p + "attn_output.weight").toFloatArray();
                float[][] qs = new float[n][];
                float[][] ks = new float[n][];
                float[][] vs = new float[n][];
                for (int t = 0; t < n; t++) {
                    float[] h = rmsNorm(x[t], an, c.rmsEps());
                    qs[t] = matvec(wq, c.qDim(), dim, h);
                    ks[t] = matvec(wk, c.kvDim(), dim, h);
                    vs[t] = matvec(wv, c.kvDim(), dim, h);
                    rope(qs[t], c.heads(), hd, t, c.ropeBase());
                    rope(ks[t], c.kvHeads(), hd, t, c.ropeBase());
                }
                for (int t = 0; t < n; t++) {
                    float[] out = new float[c.qDim()];
                    for (int h = 0; h < c.heads(); h++) {
                        int g = h / (c.heads() / c.kvHeads());
                        double[] s = new double[t + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int u = 0; u <= t; u++) {
                            double d = 0;
                            for (int i = 0; i < hd; i++) {
                                d += qs[t][h * hd + i] * ks[u][g * hd + i];
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
                                out[h * hd + i] += (float) (s[u] / sum * vs[u][g * hd + i]);
                            }
                        }
                    }
                    float[] o = matvec(wo, dim, c.qDim(), out);
                    for (int i = 0; i < dim; i++) {
                        x[t][i] += o[i];
                    }
                }
                float[] fn = f.tensor(p + "ffn_norm.weight").toFloatArray();
                float[] wg = f.tensor(p + "ffn_gate.weight").toFloatArray();
                float[] wu = f.tensor(p + "ffn_up.weight").toFloatArray();
                float[] wd = f.tensor(p + "ffn_down.weight").toFloatArray();
                for (int t = 0; t < n; t++) {
                    float[] h = rmsNorm(x[t], fn, c.rmsEps());
                    float[] g = matvec(wg, c.ffnDim(), dim, h);
                    float[] u = matvec(wu, c.ffnDim(), dim, h);
                    for (int i = 0; i < g.length; i++) {
                        g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
                    }
                    float[] d = matvec(wd, dim, c.ffnDim(), g);
                    for (int i = 0; i < dim; i++) {
                        x[t][i] += d[i];
                    }
                }
            }
            float[] on = f.tensor("output_norm.weight").toFloatArray();
            float[] wout = f.tensor("output.weight").toFloatArray();
            float[][] logits = new float[n][];
            for (int t = 0; t < n; t++) {
                logits[t] = matvec(wout, c.vocabSize(), dim, rmsNorm(x[t], on, c.rmsEps()));
            }
            return logits;
        }
    }

    static void assertClose(float[] expect, float[] got, float tol, String what) {
        assertEquals(expect.length, got.length, what);
        float d = LlamaConformanceTest.maxAbsDiff(expect, got);
        assertTrue(d <= tol, what + ": max abs diff " + d + " > " + tol);
    }

    // ---- the tests ----

    @Test
    void forwardMatchesPlainReferenceInBatchesAndStepByStep() {
        int[] ids = {vocab.bos(), 5, 77, 300, 12, 260, 9, 31};
        float[][] ref = reference(f32Model, ids);
        // batches of 3 exercise gemm prefill across batch boundaries; the scalar kernels run too
        for (var kernels : new java.util.LinkedHashSet<>(List.of(KernelProvider.get(), KernelProvider.scalar()))) {
            try (LanguageModel lm = LanguageModel.load(f32Model, LanguageModel.Options.defaults().contextSize(16).batchSize(3).kernels(kernels))) {
                LlamaSession s = lm.session();
                assertClose(ref[ids.length - 1], s.forward(ids), 1e-4f, kernels.name() + " batched prompt");
                s.reset();
                for (int t = 0; t < ids.length; t++) {
                    assertClose(ref[t], s.forward(ids[t]), 1e-4f, kernels.name() + " step " + t);
                }
                assertEquals(ids.length, s.position());
            }
        }
    }

    @Test
    void forwardAllGivesEveryPositionAndPerplexityUsesIt() {
        int[] ids = {vocab.bos(), 5, 77, 300, 12, 260, 9, 31};
        float[][] ref = reference(f32Model, ids);
        try (LanguageModel lm = LanguageModel.load(f32Model, LanguageModel.Options.defaults().contextSize(16).batchSize(3))) {
            float[][] all = lm.session().forwardAll(ids);
            for (int t = 0; t < ids.length; t++) {
                assertClose(ref[t], all[t], 1e-4f, "forwardAll position " + t);
            }
            // perplexity over one chunk of 8: positions 4..6 predict tokens 5..7
            String text = lm.tokenizer().decode(java.util.Arrays.copyOfRange(ids, 1, ids.length));
            int[] enc = lm.tokenizer().encode(text, true);
            Perplexity.Result r = Perplexity.evaluate(lm, text, 8, 1, null);
            float[][] chunk = reference(f32Model, java.util.Arrays.copyOf(enc, 8));
            double nll = 0;
            for (int j = 4; j < 7; j++) {
                nll -= Perplexity.logSoftmax(chunk[j], enc[j + 1]);
            }
            assertEquals(3, r.tokens());
            assertEquals(Math.exp(nll / 3), r.perplexity(), 1e-3 * r.perplexity());
        }
    }

    @Test
    void f16CacheAndF16WeightsStayCloseToF32() throws IOException {
        int[] ids = {vocab.bos(), 40, 41, 42, 43};
        float[] ref = reference(f32Model, ids)[ids.length - 1];
        try (LanguageModel lm = LanguageModel.load(f32Model, LanguageModel.Options.defaults().contextSize(8).kvCacheType(KvCacheType.F16))) {
            assertClose(ref, lm.session().forward(ids), 2e-2f, "F16 KV cache");
        }
        Path f16 = dir.resolve("tiny-f16.gguf");
        ModelSynth.writeLlama(f16, new ModelSynth.Spec(48, 2, 6, 2, 80, 64, DType.F16, 11), vocab);
        try (LanguageModel lm = LanguageModel.load(f16, LanguageModel.Options.defaults().contextSize(8).batchSize(2))) {
            assertEquals(DType.F16, lm.model().layers[0].wq().type());
            float[] batched = lm.session().forward(ids);
            lm.session().reset();
            float[] stepped = null;
            for (int id : ids) {
                stepped = lm.session().forward(id);
            }
            assertClose(batched, stepped, 1e-4f, "F16 weights batched vs stepped");
            assertClose(ref, batched, 5e-2f, "F16 weights vs F32 reference");
        }
        Path q8 = dir.resolve("tiny-q8.gguf");
        ModelSynth.writeLlama(q8, new ModelSynth.Spec(64, 1, 4, 4, 96, 64, DType.Q8_0, 3), vocab);
        try (LanguageModel lm = LanguageModel.load(q8, LanguageModel.Options.defaults().contextSize(8).batchSize(4))) {
            float[] batched = lm.session().forward(ids);
            lm.session().reset();
            float[] stepped = null;
            for (int id : ids) {
                stepped = lm.session().forward(id);
            }
            assertClose(batched, stepped, 1e-4f, "Q8_0 weights batched vs stepped");
        }
    }

    @Test
    void generationIsDeterministicAndRespectsTheContext() {
        try (LanguageModel lm = LanguageModel.load(f32Model, LanguageModel.Options.defaults().contextSize(24))) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult g1 = lm.generate("the fish", GenerationOptions.greedy().maxTokens(10).stopAtEndOfGeneration(false), streamed::append);
            GenerationResult g2 = lm.generate("the fish", GenerationOptions.greedy().maxTokens(10).stopAtEndOfGeneration(false), s -> { });
            assertArrayEquals(g1.generatedIds(), g2.generatedIds());
            assertEquals(10, g1.generatedIds().length);
            assertEquals(g1.text(), streamed.toString());
            assertEquals(lm.tokenizer().decode(g1.generatedIds()), g1.text());
            // greedy equals argmax of the logits
            float[] logits = lm.logits("the fish");
            assertEquals(Sampler.argmax(logits), g1.generatedIds()[0]);

            GenerationOptions sampled = GenerationOptions.sampling(1.0f).topK(20).topP(0.9f).minP(0.01f).seed(5).maxTokens(8)
                    .stopAtEndOfGeneration(false);
            int[] s1 = lm.generate("the fish", sampled, s -> { }).generatedIds();
            int[] s2 = lm.generate("the fish", sampled, s -> { }).generatedIds();
            assertArrayEquals(s1, s2, "same seed, same tokens");

            int promptLen = lm.tokenizer().encode("the fish", true).length;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lm.generate("the fish", GenerationOptions.greedy().maxTokens(25 - promptLen), s -> { }));
            assertTrue(e.getMessage().contains("exceeds the context size 24"), e.getMessage());
            // stop tokens end generation without being emitted
            int first = g1.generatedIds()[0];
            GenerationResult stopped = lm.generate("the fish", GenerationOptions.greedy().maxTokens(10).stopTokens(first), s -> { });
            assertEquals(0, stopped.generatedIds().length);
            assertEquals(GenerationResult.StopReason.STOP_TOKEN, stopped.stopReason());
            // a stop string cuts the text before it, nothing after it is streamed
            GenerationOptions free = GenerationOptions.greedy().maxTokens(12).stopAtEndOfGeneration(false);
            GenerationResult full = lm.generate("the fish", free, s -> { });
            String whole = full.text();
            if (whole.length() >= 3) {
                String stop = whole.substring(whole.length() / 2, whole.length() / 2 + 2);
                StringBuilder cutStream = new StringBuilder();
                GenerationResult cut = lm.generate("the fish", free.stopStrings(stop), cutStream::append);
                assertEquals(whole.substring(0, whole.indexOf(stop)), cut.text());
                assertEquals(cut.text(), cutStream.toString());
                assertEquals(GenerationResult.StopReason.STOP_STRING, cut.stopReason());
            } else {
                fail("the synthesised model generated too little text to test stop strings: '" + whole + "'");
            }
            assertThrows(IllegalStateException.class, () -> {
                lm.session().reset();
                lm.session().forward(new int[25]);
            });
        }
    }

    @Test
    void samplerFilters() {
        float[] logits = {1f, 3f, 3f, 2f, Float.NaN};
        assertEquals(1, Sampler.argmax(logits), "ties go to the lower id, NaN never wins");
        for (long seed = 0; seed < 20; seed++) {
            Sampler topK1 = new Sampler(GenerationOptions.sampling(2f).topK(1).seed(seed));
            assertEquals(1, topK1.sample(new float[] {1f, 3f, 3f, 2f}, new int[0], 0));
            Sampler topP = new Sampler(GenerationOptions.sampling(1f).topP(0.01f).seed(seed));
            assertEquals(0, topP.sample(new float[] {9f, 3f, 3f, 2f}, new int[0], 0));
            Sampler minP = new Sampler(GenerationOptions.sampling(1f).minP(0.5f).seed(seed));
            int pick = minP.sample(new float[] {5f, 4.9f, 0f, -3f}, new int[0], 0);
            assertTrue(pick == 0 || pick == 1, "min-p keeps only tokens within half the top probability, got " + pick);
        }
        // repetition penalty turns a greedy choice away from a recent token
        Sampler rep = new Sampler(GenerationOptions.greedy().repetitionPenalty(2f, 8));
        assertEquals(1, rep.sample(new float[] {4f, 3f}, new int[] {0}, 1));
        // temperature sampling reaches more than one token and is seed-deterministic
        int[] counts = new int[3];
        Sampler s = new Sampler(GenerationOptions.sampling(1f).seed(9));
        for (int i = 0; i < 300; i++) {
            counts[s.sample(new float[] {1f, 1f, 1f}, new int[0], 0)]++;
        }
        assertTrue(counts[0] > 50 && counts[1] > 50 && counts[2] > 50, java.util.Arrays.toString(counts));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.sampling(-1f));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().topP(0f));
    }

    /** Penalties against llama.cpp's rule written plainly: per distinct recent token, repeat, then freq·count + presence. */
    @Test
    void penaltiesMatchPlainReference() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(dev.minnow.tensor.testing.Gen.seed("penalties"));
        for (int trial = 0; trial < 200; trial++) {
            int v = 1 + r.nextInt(40);
            float[] logits = new float[v];
            for (int i = 0; i < v; i++) {
                logits[i] = (float) r.nextGaussian() * 3;
            }
            int len = r.nextInt(30);
            int[] history = new int[len + 3];
            for (int i = 0; i < len; i++) {
                history[i] = r.nextInt(v);
            }
            int lastN = r.nextInt(12);
            float rep = 0.5f + (float) r.nextDouble() * 2;
            float freq = (float) r.nextDouble() - 0.2f;
            float pres = (float) r.nextDouble() - 0.2f;
            float[] want = logits.clone();
            int[] count = new int[v];
            for (int i = Math.max(0, len - lastN); i < len; i++) {
                count[history[i]]++;
            }
            for (int t = 0; t < v; t++) {
                if (lastN > 0 && count[t] > 0) {
                    float l = want[t] <= 0 ? want[t] * rep : want[t] / rep;
                    want[t] = l - count[t] * freq - pres;
                }
            }
            Sampler s = new Sampler(GenerationOptions.greedy().repetitionPenalty(rep, lastN).frequencyPresencePenalty(freq, pres));
            float[] got = logits.clone();
            int pick = s.sample(got, history, len);
            assertArrayEquals(want, got, "trial " + trial);
            assertEquals(Sampler.argmax(want), pick, "trial " + trial);
            // the same sampler twice: its counts start from zero again
            float[] again = logits.clone();
            s.sample(again, history, len);
            assertArrayEquals(want, again, "second call, trial " + trial);
        }
    }

    @Test
    void samplingNeverPicksNaN() {
        for (long seed = 0; seed < 50; seed++) {
            Sampler s = new Sampler(GenerationOptions.sampling(1f).seed(seed));
            int pick = s.sample(new float[] {Float.NaN, 0f, 0.5f, Float.NaN, Float.NEGATIVE_INFINITY}, new int[0], 0);
            assertTrue(pick == 1 || pick == 2, "seed " + seed + " picked " + pick);
        }
    }

    @Test
    void utf8StreamHoldsBackSplitCharacters() {
        Utf8Stream u = new Utf8Stream();
        byte[] e = "é€😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (byte b : e) {
            sb.append(u.push(new byte[] {b}));
        }
        sb.append(u.flush());
        assertEquals("é€😀", sb.toString());
        assertEquals("", new Utf8Stream().push(new byte[] {(byte) 0xE2, (byte) 0x82}));
    }

    // ---- hostile files ----

    /** Copies the synthesised model, with metadata edits and tensors dropped. */
    static Path variant(String name, java.util.function.Consumer<GgufWriter> edit, String dropTensor) {
        Path out = dir.resolve(name + ".gguf");
        try (GgufFile f = GgufFile.open(f32Model)) {
            GgufWriter w = new GgufWriter();
            for (GgufEntry e : f.metadata().values()) {
                w.put(e);
            }
            edit.accept(w);
            for (var info : f.tensorInfos().values()) {
                if (!info.name().equals(dropTensor)) {
                    w.addTensor(info.name(), info.type(), info.shape(), f.tensorData(info.name()));
                }
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void hostileHyperParametersAndMissingTensorsAreClearErrors() {
        record Case(String name, java.util.function.Consumer<GgufWriter> edit, String drop, Class<? extends RuntimeException> type, String message) {}
        List<Case> cases = new ArrayList<>(List.of(
                new Case("arch", w -> w.putString("general.architecture", "mamba"), null, IllegalArgumentException.class, "unsupported architecture 'mamba'; supported: llama"),
                new Case("zero-heads", w -> w.putU32("llama.attention.head_count", 0), null, IllegalArgumentException.class, "head_count 0"),
                new Case("kv-heads", w -> w.putU32("llama.attention.head_count_kv", 4), null, IllegalArgumentException.class, "must divide attention.head_count 6"),
                new Case("zero-kv-heads", w -> w.putU32("llama.attention.head_count_kv", 0), null, IllegalArgumentException.class, "head_count_kv 0"),
                new Case("layers", w -> w.putU32("llama.block_count", 3), null, ModelFormatException.class, "missing tensor 'blk.2.attn_norm.weight'"),
                new Case("ffn", w -> w.putU32("llama.feed_forward_length", 81), null, ModelFormatException.class, "expected [81, 48]"),
                new Case("missing", w -> { }, "blk.1.ffn_down.weight", ModelFormatException.class, "missing tensor 'blk.1.ffn_down.weight'"),
                new Case("no-tokenizer", w -> w.putString("tokenizer.ggml.model", "bert"), null, IllegalArgumentException.class, "unsupported tokenizer model 'bert'"),
                new Case("rope", w -> w.putU32("llama.rope.dimension_count", 9), null, IllegalArgumentException.class, "rope.dimension_count 9"),
                new Case("eps", w -> w.putF32("llama.attention.layer_norm_rms_epsilon", -1f), null, IllegalArgumentException.class, "epsilon")));
        for (Case c : cases) {
            Path p = variant(c.name(), c.edit(), c.drop());
            RuntimeException e = assertThrows(c.type(), () -> LanguageModel.load(p).close(), c.name());
            assertTrue(e.getMessage().contains(c.message()), c.name() + ": " + e.getMessage());
        }
    }

    @Test
    void truncatedModelFilesFailWithFormatErrors() throws IOException {
        byte[] all = Files.readAllBytes(f32Model);
        java.util.SplittableRandom r = new java.util.SplittableRandom(dev.minnow.tensor.testing.Gen.seed("truncated-llm"));
        for (int i = 0; i < 12; i++) {
            int len = r.nextInt(all.length);
            Path p = dir.resolve("cut" + i + ".gguf");
            Files.write(p, java.util.Arrays.copyOf(all, len));
            RuntimeException e = assertThrows(RuntimeException.class, () -> LanguageModel.load(p).close(), "cut at " + len);
            assertTrue(e instanceof ModelFormatException || e instanceof IllegalArgumentException, "cut at " + len + ": " + e);
        }
        assertNotEquals(0, all.length);
        assertThrows(GgufFormatException.class, () -> LanguageModel.load(dir.resolve("cut0.gguf")));
    }

    /** Seeded byte mutations in the header and metadata: a clean load or a clear error, never anything else. */
    @Test
    void mutatedModelFilesLoadOrFailClearly() throws IOException {
        byte[] all = Files.readAllBytes(f32Model);
        long dataStart;
        try (GgufFile f = GgufFile.open(f32Model)) {
            dataStart = f.dataStart();
        }
        long seed = dev.minnow.tensor.testing.Gen.seed("mutated-llm");
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < 60; i++) {
            byte[] m = all.clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                int at = r.nextInt((int) dataStart);
                m[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : m[at] ^ (1 << r.nextInt(8)));
            }
            Path p = dir.resolve("mut.gguf");
            Files.write(p, m);
            try (LanguageModel lm = LanguageModel.load(p, LanguageModel.Options.defaults().contextSize(4))) {
                lm.session().forward(lm.tokenizer().encode("a b", true)[0]);
                loaded++;
            } catch (ModelFormatException | IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "mutation " + i + " seed " + seed);
                rejected++;
            }
        }
        assertEquals(60, loaded + rejected);
        assertTrue(rejected > 0, "no mutation was rejected; seed " + seed);
    }

    @Test
    void demoRunsEndToEnd() {
        var bytes = new java.io.ByteArrayOutputStream();
        GenerationResult r = LlmDemo.run(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("prefill") && out.contains("decode") && out.startsWith("synthesised"), out);
        assertTrue(r.generatedIds().length > 0);
    }
}
