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
 * Writes {@code llama}-architecture GGUF files with seeded random weights, for tests, demos and benchmarks (the
 * shapes of real models without their downloads). Also makes a small byte-level BPE vocabulary by training merges
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

    /** Writes a model of {@code spec} with {@code vocab} to {@code out}. */
    public static void writeLlama(Path out, Spec spec, Vocabulary vocab) {
        writeLlama(out, spec, vocab, null);
    }

    /** As {@link #writeLlama(Path, Spec, Vocabulary)}, with {@code tokenizer.chat_template} (null: none). */
    public static void writeLlama(Path out, Spec spec, Vocabulary vocab, String chatTemplate) {
        int n = vocab.size();
        LlamaConfig c = LlamaConfig.of(spec.dim(), spec.layers(), spec.heads(), spec.kvHeads(), spec.ffnDim(), n, spec.contextLength());
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "minnow-synth-" + spec.dim() + "x" + spec.layers() + "-" + spec.weightType());
        w.putU32("llama.context_length", c.contextLength());
        w.putU32("llama.embedding_length", c.dim());
        w.putU32("llama.block_count", c.layers());
        w.putU32("llama.feed_forward_length", c.ffnDim());
        w.putU32("llama.attention.head_count", c.heads());
        w.putU32("llama.attention.head_count_kv", c.kvHeads());
        w.putU32("llama.rope.dimension_count", c.ropeDim());
        w.putF32("llama.rope.freq_base", c.ropeBase());
        w.putF32("llama.attention.layer_norm_rms_epsilon", c.rmsEps());
        putVocabulary(w, vocab);
        if (chatTemplate != null) {
            w.putString("tokenizer.chat_template", chatTemplate);
        }
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom root = new SplittableRandom(spec.seed());
            DType wt = spec.weightType();
            // token embeddings: unit-ish rows; every other matrix: std 1/sqrt(cols)
            add(w, arena, "token_embd.weight", wt, n, c.dim(), 1.0f, root.split());
            for (int l = 0; l < c.layers(); l++) {
                String p = "blk." + l + ".";
                addNorm(w, arena, p + "attn_norm.weight", c.dim(), root.split());
                add(w, arena, p + "attn_q.weight", wt, c.qDim(), c.dim(), gain(c.dim()), root.split());
                add(w, arena, p + "attn_k.weight", wt, c.kvDim(), c.dim(), gain(c.dim()), root.split());
                add(w, arena, p + "attn_v.weight", wt, c.kvDim(), c.dim(), gain(c.dim()), root.split());
                add(w, arena, p + "attn_output.weight", wt, c.dim(), c.qDim(), gain(c.qDim()), root.split());
                addNorm(w, arena, p + "ffn_norm.weight", c.dim(), root.split());
                add(w, arena, p + "ffn_gate.weight", wt, c.ffnDim(), c.dim(), gain(c.dim()), root.split());
                add(w, arena, p + "ffn_up.weight", wt, c.ffnDim(), c.dim(), gain(c.dim()), root.split());
                add(w, arena, p + "ffn_down.weight", wt, c.dim(), c.ffnDim(), gain(c.ffnDim()), root.split());
            }
            addNorm(w, arena, "output_norm.weight", c.dim(), root.split());
            add(w, arena, "output.weight", wt, n, c.dim(), gain(c.dim()) * 4, root.split());
            w.write(out);
        }
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
