package dev.minnow.models.tokenizer;

import dev.minnow.tensor.gguf.GgufFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A tokenizer's vocabulary: token texts (raw bytes as stored in GGUF), scores, {@link TokenType}s, BPE merges and the
 * special ids, with llama.cpp's defaults and fix-ups (empty texts renamed, end-of-generation tokens found by text
 * and forced to {@link TokenType#CONTROL}). Immutable; build one with {@link #builder}.
 */
public final class Vocabulary {
    /** The tokenizer models Minnow implements, by their {@code tokenizer.ggml.model} name. */
    public enum Model {
        /** SentencePiece BPE with scores and byte fallback ({@code llama}). */
        LLAMA("llama"),
        /** Byte-level BPE with merges ({@code gpt2}). */
        GPT2("gpt2");

        private final String ggufName;

        Model(String ggufName) { this.ggufName = ggufName; }

        public String ggufName() { return ggufName; }

        /** The model for a {@code tokenizer.ggml.model} value; throws naming the supported ones. */
        public static Model ofGguf(String name) {
            for (Model m : values()) {
                if (m.ggufName.equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unsupported tokenizer model '" + name + "'; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        }
    }

    private static final List<String> EOG_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>");

    private final Model model;
    private final String preTokenizer;
    private final byte[][] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final List<String> merges;
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final BitSet endOfGeneration = new BitSet();
    private final Map<String, Integer> idsByText; // keys: token bytes as ISO-8859-1 (one char per byte)

    private Vocabulary(Builder b) {
        this.model = b.model;
        this.preTokenizer = b.preTokenizer;
        int n = b.texts.length;
        if (n == 0) {
            throw new IllegalArgumentException("vocabulary has no tokens");
        }
        this.texts = new byte[n][];
        this.idsByText = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            byte[] t = Objects.requireNonNull(b.texts[i], "token text " + i);
            if (t.length == 0) {
                t = ("[EMPTY_" + i + "]").getBytes(StandardCharsets.UTF_8); // as llama.cpp
            }
            texts[i] = t;
            idsByText.put(latin1(t, 0, t.length), i); // the last of duplicates wins, as in llama.cpp
        }
        this.scores = b.scores == null ? new float[n] : checkLength(b.scores.clone(), n, "scores");
        if (b.types == null) {
            this.types = new TokenType[n];
            Arrays.fill(types, TokenType.NORMAL);
        } else {
            this.types = checkLength(b.types.clone(), n, "token types");
        }
        this.merges = b.merges == null ? List.of() : List.copyOf(b.merges);
        boolean spm = model == Model.LLAMA;
        // llama.cpp's defaults (SPM 1/2/0, BPE 11/11/none) apply only where the vocabulary is large enough
        this.bos = b.bos != null ? checkId(b.bos, n, "bos") : orNone(spm ? 1 : 11, n);
        this.eos = b.eos != null ? checkId(b.eos, n, "eos") : orNone(spm ? 2 : 11, n);
        this.unk = b.unk != null ? checkId(b.unk, n, "unk") : spm ? orNone(0, n) : -1;
        this.addBos = b.addBos != null ? b.addBos : spm;
        this.addEos = b.addEos != null && b.addEos;
        this.addSpacePrefix = b.addSpacePrefix != null ? b.addSpacePrefix : spm;
        for (String eogText : EOG_TEXTS) {
            Integer id = idsByText.get(eogText);
            if (id != null) {
                endOfGeneration.set(id);
                types[id] = TokenType.CONTROL;
            }
        }
        if (eos >= 0) {
            endOfGeneration.set(eos);
        }
        if (b.eot != null && b.eot >= 0 && b.eot < n) {
            endOfGeneration.set(b.eot);
        }
    }

    private static <T> T checkLength(T array, int n, String what) {
        int len = java.lang.reflect.Array.getLength(array);
        if (len != n) {
            throw new IllegalArgumentException("vocabulary has " + n + " tokens but " + len + " " + what);
        }
        return array;
    }

    private static int checkId(int id, int n, String what) {
        if (id < -1 || id >= n) {
            throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary of " + n + " tokens");
        }
        return id;
    }

    private static int orNone(int id, int n) { return id < n ? id : -1; }

    static String latin1(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /**
     * The vocabulary in a GGUF file's {@code tokenizer.ggml.*} metadata. Throws {@link IllegalArgumentException}
     * for an unsupported tokenizer model and {@link dev.minnow.tensor.gguf.GgufFormatException} for missing or
     * mistyped keys.
     */
    public static Vocabulary fromGguf(GgufFile f) {
        Model model = Model.ofGguf(f.getString("tokenizer.ggml.model"));
        String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
        byte[][] texts = new byte[tokens.length][];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = tokens[i].getBytes(StandardCharsets.UTF_8);
        }
        Builder b = builder(model, texts).preTokenizer(f.getString("tokenizer.ggml.pre", "default"));
        if (f.has("tokenizer.ggml.scores")) {
            b.scores(f.getFloatArray("tokenizer.ggml.scores"));
        }
        if (f.has("tokenizer.ggml.token_type")) {
            b.types(f.getIntArray("tokenizer.ggml.token_type"));
        }
        if (f.has("tokenizer.ggml.merges")) {
            b.merges(List.of(f.getStringArray("tokenizer.ggml.merges")));
        } else if (model == Model.GPT2) {
            throw new IllegalArgumentException(f.path() + ": gpt2 tokenizer without tokenizer.ggml.merges");
        }
        // llama.cpp ignores out-of-range special ids (keeping its defaults); so does Minnow
        optionalId(f, "tokenizer.ggml.bos_token_id", tokens.length).ifPresent(b::bos);
        optionalId(f, "tokenizer.ggml.eos_token_id", tokens.length).ifPresent(b::eos);
        optionalId(f, "tokenizer.ggml.unknown_token_id", tokens.length).ifPresent(b::unk);
        optionalId(f, "tokenizer.ggml.eot_token_id", tokens.length).ifPresent(b::eot);
        if (f.has("tokenizer.ggml.add_bos_token")) {
            b.addBos(f.getBool("tokenizer.ggml.add_bos_token", true));
        }
        if (f.has("tokenizer.ggml.add_eos_token")) {
            b.addEos(f.getBool("tokenizer.ggml.add_eos_token", false));
        }
        if (f.has("tokenizer.ggml.add_space_prefix")) {
            b.addSpacePrefix(f.getBool("tokenizer.ggml.add_space_prefix", model == Model.LLAMA));
        }
        return b.build();
    }

    private static java.util.OptionalInt optionalId(GgufFile f, String key, int n) {
        if (!f.has(key)) {
            return java.util.OptionalInt.empty();
        }
        long id = f.getLong(key);
        return id >= 0 && id < n ? java.util.OptionalInt.of((int) id) : java.util.OptionalInt.empty();
    }

    public static Builder builder(Model model, byte[][] texts) { return new Builder(model, texts); }

    /** A builder over UTF-8 token strings (tests, synthesised vocabularies). */
    public static Builder builder(Model model, List<String> texts) {
        byte[][] t = new byte[texts.size()][];
        for (int i = 0; i < t.length; i++) {
            t[i] = texts.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return new Builder(model, t);
    }

    public Model model() { return model; }

    /** The {@code tokenizer.ggml.pre} name (BPE pre-tokenizer), or "default". */
    public String preTokenizer() { return preTokenizer; }

    public int size() { return texts.length; }

    /** Raw bytes of token {@code id} (a copy). */
    public byte[] text(int id) { return texts[checkToken(id)].clone(); }

    byte[] textUnsafe(int id) { return texts[id]; }

    /** Token text decoded as UTF-8 (lossy for byte tokens that are not valid UTF-8). */
    public String textString(int id) { return new String(texts[checkToken(id)], StandardCharsets.UTF_8); }

    public float score(int id) { return scores[checkToken(id)]; }

    public TokenType type(int id) { return types[checkToken(id)]; }

    /** The id whose text is exactly these bytes, or -1. */
    public int id(byte[] text, int off, int len) {
        Integer id = idsByText.get(latin1(text, off, len));
        return id == null ? -1 : id;
    }

    /** The id whose text is the UTF-8 encoding of {@code text}, or -1. */
    public int id(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return id(b, 0, b.length);
    }

    int idOfLatin1(String key) {
        Integer id = idsByText.get(key);
        return id == null ? -1 : id;
    }

    public List<String> merges() { return merges; }

    public int bos() { return bos; }

    public int eos() { return eos; }

    /** The unknown token, or -1. */
    public int unk() { return unk; }

    public boolean addBos() { return addBos; }

    public boolean addEos() { return addEos; }

    public boolean addSpacePrefix() { return addSpacePrefix; }

    /** True for tokens that end generation (EOS, EOT and the usual end-of-turn texts). */
    public boolean isEndOfGeneration(int id) { return id >= 0 && endOfGeneration.get(id); }

    /** Ids of the tokens that end generation. */
    public int[] endOfGenerationIds() { return endOfGeneration.stream().toArray(); }

    int checkToken(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length + " tokens");
        }
        return id;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + model.ggufName() + (model == Model.GPT2 ? "/" + preTokenizer : "") + ", " + texts.length
                + " tokens, " + merges.size() + " merges, bos " + bos + ", eos " + eos + "]";
    }

    /** Builds a {@link Vocabulary}; unset fields take llama.cpp's defaults for the model. */
    public static final class Builder {
        private final Model model;
        private final byte[][] texts;
        private String preTokenizer = "default";
        private float[] scores;
        private TokenType[] types;
        private List<String> merges;
        private Integer bos;
        private Integer eos;
        private Integer eot;
        private Integer unk;
        private Boolean addBos;
        private Boolean addEos;
        private Boolean addSpacePrefix;

        private Builder(Model model, byte[][] texts) {
            this.model = Objects.requireNonNull(model, "model");
            this.texts = Objects.requireNonNull(texts, "texts");
        }

        public Builder preTokenizer(String pre) {
            this.preTokenizer = pre == null ? "default" : pre.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder scores(float[] scores) { this.scores = scores; return this; }

        public Builder types(TokenType[] types) { this.types = types; return this; }

        /** GGUF token_type integers. */
        public Builder types(int[] ggufTypes) {
            TokenType[] t = new TokenType[ggufTypes.length];
            for (int i = 0; i < t.length; i++) {
                t[i] = TokenType.ofGguf(ggufTypes[i]);
            }
            this.types = t;
            return this;
        }

        public Builder merges(List<String> merges) { this.merges = new ArrayList<>(merges); return this; }

        public Builder bos(int id) { this.bos = id; return this; }

        public Builder eos(int id) { this.eos = id; return this; }

        public Builder eot(int id) { this.eot = id; return this; }

        public Builder unk(int id) { this.unk = id; return this; }

        public Builder addBos(boolean v) { this.addBos = v; return this; }

        public Builder addEos(boolean v) { this.addEos = v; return this; }

        public Builder addSpacePrefix(boolean v) { this.addSpacePrefix = v; return this; }

        public Vocabulary build() { return new Vocabulary(this); }
    }
}
