package dev.minnow.models.llm;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.tokenizer.PreTokenizer;
import dev.minnow.models.tokenizer.TokenType;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes GGUF files of the {@link Architecture}s (llama, qwen2, stablelm, phi3) with seeded random weights, for tests,
 * demos and benchmarks (the shapes of real models without their downloads). Also makes a small byte-level BPE vocabulary by training merges
 * on a built-in paragraph, so a model can be made with no files at all.
 */
public final class ModelSynth {
    private ModelSynth() {}

    /**
     * What to synthesise.
     *
     * @param dim           embedding width
     * @param layers        transformer blocks
     * @param heads         query heads
     * @param kvHeads       key/value heads
     * @param ffnDim        feed-forward width
     * @param contextLength trained context recorded in the file
     * @param weightType    type of the 2-D weights (F32, F16, BF16 or a GGML quant type such as Q8_0, Q4_0)
     * @param seed          the random seed: same seed, same bytes
     */
    public record Spec(int dim, int layers, int heads, int kvHeads, int ffnDim, int contextLength, DType weightType, long seed) {
        public Spec {
            LlamaConfig.of(dim, layers, heads, kvHeads, ffnDim, 1, contextLength); // validates
            if (weightType != DType.F32 && !GgmlQuant.supports(weightType)) {
                throw new IllegalArgumentException("cannot write weights of type " + weightType);
            }
        }
    }

    /**
     * The architecture of a synthesised model and its optional parts; tensor and key names are llama.cpp's.
     *
     * @param architecture     which decoder to write
     * @param ropeDim          rotated dims per head (0: the architecture's usual, a quarter of the head for stablelm as
     *                         StableLM 2's partial_rotary_factor 0.25, else the whole head)
     * @param qkvBiases        write {@code attn_q/k/v.bias} (for phi3: {@code attn_qkv.bias})
     * @param tiedOutput       omit {@code output.weight}: the logits reuse the token embedding
     * @param parallelResidual stablelm only: omit {@code ffn_norm}, so the FFN reads the attention's normed input
     * @param ropeFactors      llama: write Llama-3-style {@code rope_freqs}; phi3: write {@code rope_factors_long/short}
     *                         with {@code rope.scaling.original_context_length} = context / 4 and an attention factor
     * @param qkNorms          stablelm only: per-head LayerNorm weights {@code attn_q_norm}/{@code attn_k_norm}
     *                         (StableLM 2 12B)
     */
    public record Variant(Architecture architecture, int ropeDim, boolean qkvBiases, boolean tiedOutput,
                          boolean parallelResidual, boolean ropeFactors, boolean qkNorms) {
        public Variant {
            java.util.Objects.requireNonNull(architecture, "architecture");
            if (ropeDim < 0 || ropeDim % 2 != 0) {
                throw new IllegalArgumentException("rope dims " + ropeDim + " must be even and >= 0 (0: the whole head)");
            }
            if (parallelResidual && architecture != Architecture.STABLELM) {
                throw new IllegalArgumentException("parallel residual is a stablelm option, not " + architecture);
            }
            if (qkNorms && architecture != Architecture.STABLELM) {
                throw new IllegalArgumentException("per-head Q/K norms are a stablelm option, not " + architecture);
            }
            if (ropeFactors && architecture != Architecture.LLAMA && architecture != Architecture.PHI3) {
                throw new IllegalArgumentException("RoPE factors are a llama (rope_freqs) or phi3 (rope_factors_long/short) option, not "
                        + architecture);
            }
        }

        /**
         * The usual shape of each architecture: llama plain; qwen2 with Q/K/V biases and tied output (as
         * Qwen2.5-0.5B); stablelm with biases and a quarter of each head rotated (as StableLM 2 1.6B); phi3 fused.
         */
        public static Variant of(Architecture a) {
            return switch (a) {
                case LLAMA, PHI3 -> new Variant(a, 0, false, false, false, false, false);
                case QWEN2 -> new Variant(a, 0, true, true, false, false, false);
                case STABLELM -> new Variant(a, 0, true, false, false, false, false);
            };
        }

        public Variant ropeDim(int n) { return new Variant(architecture, n, qkvBiases, tiedOutput, parallelResidual, ropeFactors, qkNorms); }

        public Variant qkvBiases(boolean b) { return new Variant(architecture, ropeDim, b, tiedOutput, parallelResidual, ropeFactors, qkNorms); }

        public Variant tiedOutput(boolean b) { return new Variant(architecture, ropeDim, qkvBiases, b, parallelResidual, ropeFactors, qkNorms); }

        public Variant parallelResidual(boolean b) { return new Variant(architecture, ropeDim, qkvBiases, tiedOutput, b, ropeFactors, qkNorms); }

        public Variant ropeFactors(boolean b) { return new Variant(architecture, ropeDim, qkvBiases, tiedOutput, parallelResidual, b, qkNorms); }

        public Variant qkNorms(boolean b) { return new Variant(architecture, ropeDim, qkvBiases, tiedOutput, parallelResidual, ropeFactors, b); }
    }

    /** Writes a llama model of {@code spec} with {@code vocab} to {@code out}. */
    public static void writeLlama(Path out, Spec spec, Vocabulary vocab) {
        write(out, spec, Variant.of(Architecture.LLAMA), vocab, null);
    }

    /** As {@link #writeLlama(Path, Spec, Vocabulary)}, with {@code tokenizer.chat_template} (null: none). */
    public static void writeLlama(Path out, Spec spec, Vocabulary vocab, String chatTemplate) {
        write(out, spec, Variant.of(Architecture.LLAMA), vocab, chatTemplate);
    }

    /** Writes a model of {@code spec} in the shape of {@code variant} with {@code vocab} to {@code out}. */
    public static void write(Path out, Spec spec, Variant variant, Vocabulary vocab) {
        write(out, spec, variant, vocab, null);
    }

    /** As {@link #write(Path, Spec, Variant, Vocabulary)}, with {@code tokenizer.chat_template} (null: none). */
    public static void write(Path out, Spec spec, Variant variant, Vocabulary vocab, String chatTemplate) {
        int n = vocab.size();
        Architecture arch = variant.architecture();
        int headDim = spec.dim() / spec.heads();
        // StableLM 2 rotates a quarter of each head (partial_rotary_factor 0.25)
        int ropeDim = variant.ropeDim() > 0 ? variant.ropeDim()
                : arch == Architecture.STABLELM ? Math.max(2, (headDim / 4) & ~1) : headDim;
        LlamaConfig c = LlamaConfig.of(arch, spec.dim(), spec.layers(), spec.heads(), spec.kvHeads(), spec.ffnDim(), n,
                spec.contextLength(), ropeDim);
        String k = arch.ggufName() + ".";
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch.ggufName());
        w.putString("general.name", "minnow-synth-" + (arch == Architecture.LLAMA ? "" : arch + "-") + spec.dim() + "x"
                + spec.layers() + "-" + spec.weightType());
        w.putU32(k + "context_length", c.contextLength());
        w.putU32(k + "embedding_length", c.dim());
        w.putU32(k + "block_count", c.layers());
        w.putU32(k + "feed_forward_length", c.ffnDim());
        w.putU32(k + "attention.head_count", c.heads());
        w.putU32(k + "attention.head_count_kv", c.kvHeads());
        w.putU32(k + "rope.dimension_count", c.ropeDim());
        w.putF32(k + "rope.freq_base", c.ropeBase());
        w.putF32(k + arch.epsilonKey(), c.normEps());
        boolean phi3Factors = arch == Architecture.PHI3 && variant.ropeFactors();
        if (phi3Factors) {
            int original = Math.max(1, c.contextLength() / 4);
            w.putU32(k + "rope.scaling.original_context_length", original);
            // Phi-3's LongRoPE attention factor, sqrt(1 + ln(scale) / ln(original context))
            w.putF32(k + "rope.scaling.attn_factor",
                    (float) Math.sqrt(1 + Math.log((double) c.contextLength() / original) / Math.log(Math.max(2, original))));
        }
        putVocabulary(w, vocab);
        if (chatTemplate != null) {
            w.putString("tokenizer.chat_template", chatTemplate);
        }
        boolean layerNorm = arch.norm() == Architecture.Norm.LAYER;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom root = new SplittableRandom(spec.seed());
            DType wt = spec.weightType();
            // token embeddings: unit-ish rows; every other matrix: std 1/sqrt(cols)
            add(w, arena, "token_embd.weight", wt, n, c.dim(), 1.0f, root.split());
            for (int l = 0; l < c.layers(); l++) {
                String p = "blk." + l + ".";
                addNorm(w, arena, p + "attn_norm.weight", c.dim(), root.split());
                if (layerNorm) {
                    addBias(w, arena, p + "attn_norm.bias", c.dim(), 0.1f, root.split());
                }
                if (arch == Architecture.PHI3) {
                    add(w, arena, p + "attn_qkv.weight", wt, c.qDim() + 2 * c.kvDim(), c.dim(), gain(c.dim()), root.split());
                    if (variant.qkvBiases()) {
                        addBias(w, arena, p + "attn_qkv.bias", c.qDim() + 2 * c.kvDim(), 0.2f, root.split());
                    }
                } else {
                    add(w, arena, p + "attn_q.weight", wt, c.qDim(), c.dim(), gain(c.dim()), root.split());
                    add(w, arena, p + "attn_k.weight", wt, c.kvDim(), c.dim(), gain(c.dim()), root.split());
                    add(w, arena, p + "attn_v.weight", wt, c.kvDim(), c.dim(), gain(c.dim()), root.split());
                    if (variant.qkvBiases()) {
                        addBias(w, arena, p + "attn_q.bias", c.qDim(), 0.2f, root.split());
                        addBias(w, arena, p + "attn_k.bias", c.kvDim(), 0.2f, root.split());
                        addBias(w, arena, p + "attn_v.bias", c.kvDim(), 0.2f, root.split());
                    }
                }
                if (variant.qkNorms()) {
                    addHeadNorm(w, arena, p + "attn_q_norm.weight", c.heads(), c.headDim(), root.split());
                    addHeadNorm(w, arena, p + "attn_k_norm.weight", c.kvHeads(), c.headDim(), root.split());
                }
                add(w, arena, p + "attn_output.weight", wt, c.dim(), c.qDim(), gain(c.qDim()), root.split());
                if (!variant.parallelResidual()) {
                    addNorm(w, arena, p + "ffn_norm.weight", c.dim(), root.split());
                    if (layerNorm) {
                        addBias(w, arena, p + "ffn_norm.bias", c.dim(), 0.1f, root.split());
                    }
                }
                if (arch == Architecture.PHI3) {
                    // gate rows then up rows in one tensor, as convert_hf_to_gguf writes Phi-3's gate_up_proj
                    add(w, arena, p + "ffn_up.weight", wt, 2 * c.ffnDim(), c.dim(), gain(c.dim()), root.split());
                } else {
                    add(w, arena, p + "ffn_gate.weight", wt, c.ffnDim(), c.dim(), gain(c.dim()), root.split());
                    add(w, arena, p + "ffn_up.weight", wt, c.ffnDim(), c.dim(), gain(c.dim()), root.split());
                }
                add(w, arena, p + "ffn_down.weight", wt, c.dim(), c.ffnDim(), gain(c.ffnDim()), root.split());
            }
            addNorm(w, arena, "output_norm.weight", c.dim(), root.split());
            if (layerNorm) {
                addBias(w, arena, "output_norm.bias", c.dim(), 0.1f, root.split());
            }
            if (!variant.tiedOutput()) {
                add(w, arena, "output.weight", wt, n, c.dim(), gain(c.dim()) * 4, root.split());
            }
            if (variant.ropeFactors()) {
                if (arch == Architecture.LLAMA) {
                    addFactors(w, arena, "rope_freqs.weight", c.ropeDim() / 2, 8f, root.split());
                } else {
                    addFactors(w, arena, "rope_factors_long.weight", c.ropeDim() / 2, 12f, root.split());
                    addFactors(w, arena, "rope_factors_short.weight", c.ropeDim() / 2, 1.5f, root.split());
                }
            }
            w.write(out);
        }
    }

    /** Per-head norm weights, [heads, headDim] (ggml {headDim, heads}), about 1. */
    private static void addHeadNorm(GgufWriter w, Arena arena, String name, int heads, int headDim, SplittableRandom r) {
        MemorySegment seg = arena.allocate((long) heads * headDim * 4, 64);
        for (int i = 0; i < heads * headDim; i++) {
            seg.setAtIndex(WeightMatrix.F32, i, (float) (1 + 0.3 * (r.nextDouble() * 2 - 1)));
        }
        w.addTensor(name, DType.F32, new long[] {heads, headDim}, seg);
    }

    /** A bias vector, uniform in ±amplitude. */
    private static void addBias(GgufWriter w, Arena arena, String name, int n, float amplitude, SplittableRandom r) {
        MemorySegment seg = arena.allocate(n * 4L, 64);
        for (int i = 0; i < n; i++) {
            seg.setAtIndex(WeightMatrix.F32, i, (float) (amplitude * (r.nextDouble() * 2 - 1)));
        }
        w.addTensor(name, DType.F32, new long[] {n}, seg);
    }

    /** RoPE frequency factors rising from 1 (high frequencies) to about {@code max} (low ones), as Llama 3's do. */
    private static void addFactors(GgufWriter w, Arena arena, String name, int n, float max, SplittableRandom r) {
        MemorySegment seg = arena.allocate(n * 4L, 64);
        for (int i = 0; i < n; i++) {
            double ramp = n == 1 ? 1 : (double) i / (n - 1);
            seg.setAtIndex(WeightMatrix.F32, i, (float) (1 + (max - 1) * ramp * (0.8 + 0.2 * r.nextDouble())));
        }
        w.addTensor(name, DType.F32, new long[] {n}, seg);
    }

    private static float gain(int cols) { return (float) (1.0 / Math.sqrt(cols)); }

    private static void addNorm(GgufWriter w, Arena arena, String name, int n, SplittableRandom r) {
        MemorySegment seg = arena.allocate(n * 4L, 64);
        for (int i = 0; i < n; i++) {
            seg.setAtIndex(WeightMatrix.F32, i, (float) (1 + 0.1 * (r.nextDouble() * 2 - 1)));
        }
        w.addTensor(name, DType.F32, new long[] {n}, seg);
    }

    /** A rows × cols matrix of uniform values with standard deviation {@code std}, rows generated in parallel. */
    private static void add(GgufWriter w, Arena arena, String name, DType type, int rows, int cols, float std, SplittableRandom r) {
        long rowBytes = type == DType.F32 ? cols * 4L : GgmlQuant.rowBytes(type, cols);
        MemorySegment seg = arena.allocate(rowBytes * rows, 64);
        long seed = r.nextLong();
        float a = (float) (std * Math.sqrt(3));
        Parallel.forRange(rows, 16, (from, to) -> {
            float[] row = new float[cols];
            for (int i = from; i < to; i++) {
                SplittableRandom rr = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (i + 1)));
                for (int j = 0; j < cols; j++) {
                    row[j] = (float) ((rr.nextDouble() * 2 - 1) * a);
                }
                if (type == DType.F32) {
                    MemorySegment.copy(row, 0, seg, WeightMatrix.F32, i * rowBytes, cols);
                } else {
                    GgmlQuant.quantizeRow(type, row, 0, seg, i * rowBytes, cols);
                }
            }
        });
        w.addTensor(name, type, new long[] {rows, cols}, seg);
    }

    /** Adds {@code vocab} as {@code tokenizer.ggml.*} metadata. */
    public static void putVocabulary(GgufWriter w, Vocabulary vocab) {
        int n = vocab.size();
        String[] tokens = new String[n];
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = vocab.textString(i);
            scores[i] = vocab.score(i);
            types[i] = vocab.type(i).ordinal();
        }
        w.putString("tokenizer.ggml.model", vocab.model().ggufName());
        if (vocab.model() == Vocabulary.Model.GPT2) {
            w.putString("tokenizer.ggml.pre", vocab.preTokenizer());
        }
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putF32Array("tokenizer.ggml.scores", scores);
        w.putI32Array("tokenizer.ggml.token_type", types);
        if (!vocab.merges().isEmpty()) {
            w.putStringArray("tokenizer.ggml.merges", vocab.merges().toArray(String[]::new));
        }
        if (vocab.bos() >= 0) {
            w.putU32("tokenizer.ggml.bos_token_id", vocab.bos());
        }
        if (vocab.eos() >= 0) {
            w.putU32("tokenizer.ggml.eos_token_id", vocab.eos());
        }
        if (vocab.unk() >= 0) {
            w.putU32("tokenizer.ggml.unknown_token_id", vocab.unk());
        }
        w.putBool("tokenizer.ggml.add_bos_token", vocab.addBos());
        if (vocab.model() == Vocabulary.Model.LLAMA) {
            w.putBool("tokenizer.ggml.add_space_prefix", vocab.addSpacePrefix());
        }
    }

    /** The vocabulary of another GGUF file (e.g. one of llama.cpp's vocab-only files). */
    public static Vocabulary vocabularyFrom(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return Vocabulary.fromGguf(f);
        }
    }

    private static final String CORPUS = """
            Once upon a time there was a little fish called Minnow. Minnow lived in a small river near a big town. \
            Every morning the sun came up over the water and Minnow swam to the old bridge to look for food. \
            One day a heron stood in the river. The heron was tall and hungry, and it looked at the little fish. \
            Minnow was afraid, but she was also quick. She swam under a stone and waited there until the heron \
            went away. Then she told the other fish what she had seen, and they all learned to watch the water. \
            The river is a good home when you know its stones, its shadows and the places where the light falls.""";

    /**
     * A byte-level BPE vocabulary (GPT-2 style, pre-tokenizer {@code gpt-2}): the 256 byte tokens, {@code merges}
     * merges learned from a built-in paragraph (most frequent pair first, ties by text), then
     * {@code <|endoftext|>} as BOS/EOS.
     */
    public static Vocabulary byteLevelVocabulary(int merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(byteChar(b));
        }
        // words of the corpus as symbol lists, with counts
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        int[] cps = CORPUS.codePoints().toArray();
        int at = 0;
        for (int len : PreTokenizer.GPT2.split(cps)) {
            byte[] utf8 = new String(cps, at, len).getBytes(StandardCharsets.UTF_8);
            at += len;
            List<String> syms = new ArrayList<>();
            for (byte b : utf8) {
                syms.add(byteChar(b & 0xff));
            }
            words.merge(syms, 1, Integer::sum);
        }
        List<String> mergeList = new ArrayList<>();
        for (int m = 0; m < merges; m++) {
            Map<String, Integer> pairs = new HashMap<>();
            for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
                List<String> s = e.getKey();
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), e.getValue(), Integer::sum);
                }
            }
            String best = null;
            for (Map.Entry<String, Integer> p : pairs.entrySet()) {
                if (best == null || p.getValue() > pairs.get(best) || p.getValue().equals(pairs.get(best)) && p.getKey().compareTo(best) < 0) {
                    best = p.getKey();
                }
            }
            if (best == null || pairs.get(best) < 2) {
                break;
            }
            mergeList.add(best);
            String left = best.substring(0, best.indexOf(' '));
            String right = best.substring(best.indexOf(' ') + 1);
            tokens.add(left + right);
            Map<List<String>, Integer> next = new LinkedHashMap<>();
            for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
                List<String> s = e.getKey();
                List<String> merged = new ArrayList<>(s.size());
                for (int i = 0; i < s.size(); i++) {
                    if (i + 1 < s.size() && s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        merged.add(left + right);
                        i++;
                    } else {
                        merged.add(s.get(i));
                    }
                }
                next.merge(merged, e.getValue(), Integer::sum);
            }
            words = next;
        }
        tokens.add("<|endoftext|>");
        TokenType[] types = new TokenType[tokens.size()];
        java.util.Arrays.fill(types, TokenType.NORMAL);
        types[types.length - 1] = TokenType.CONTROL;
        int eot = tokens.size() - 1;
        return Vocabulary.builder(Vocabulary.Model.GPT2, tokens).types(types).merges(mergeList).preTokenizer("gpt-2")
                .bos(eot).eos(eot).addBos(true).build();
    }

    /**
     * {@code base} with {@code texts} appended as control tokens (e.g. ChatML's {@code <|im_start|>} and
     * {@code <|im_end|>}, so a synthesised model can chat in a template's own markers).
     */
    public static Vocabulary withControlTokens(Vocabulary base, String... texts) {
        int n = base.size();
        List<String> tokens = new ArrayList<>(n + texts.length);
        TokenType[] types = new TokenType[n + texts.length];
        for (int i = 0; i < n; i++) {
            tokens.add(base.textString(i));
            types[i] = base.type(i);
        }
        for (int i = 0; i < texts.length; i++) {
            tokens.add(texts[i]);
            types[n + i] = TokenType.CONTROL;
        }
        Vocabulary.Builder b = Vocabulary.builder(base.model(), tokens).types(types).merges(base.merges())
                .preTokenizer(base.preTokenizer()).addBos(base.addBos()).addEos(base.addEos())
                .addSpacePrefix(base.addSpacePrefix());
        float[] scores = new float[n + texts.length];
        for (int i = 0; i < n; i++) {
            scores[i] = base.score(i);
        }
        b.scores(scores);
        if (base.bos() >= 0) {
            b.bos(base.bos());
        }
        if (base.eos() >= 0) {
            b.eos(base.eos());
        }
        if (base.unk() >= 0) {
            b.unk(base.unk());
        }
        return b.build();
    }

    private static String byteChar(int b) {
        // GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest map to 256 + k
        int extra = 0;
        for (int x = 0; x < b; x++) {
            if (!printable(x)) {
                extra++;
            }
        }
        return new String(Character.toChars(printable(b) ? b : 256 + extra));
    }

    private static boolean printable(int b) {
        return b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
    }
}
