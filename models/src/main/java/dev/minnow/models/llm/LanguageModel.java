package dev.minnow.models.llm;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.models.tokenizer.Tokenizer;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.gguf.GgufFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A language model loaded from GGUF: tokenizer, weights (memory-mapped) and one inference session.
 *
 * <pre>{@code
 * try (var lm = LanguageModel.load(Path.of("model.gguf"))) {
 *     lm.generate("Once upon a time", GenerationOptions.greedy().maxTokens(64), System.out::print);
 * }
 * }</pre>
 */
public final class LanguageModel implements AutoCloseable {

    /**
     * Load options.
     *
     * @param contextSize positions in the KV cache; 0 chooses min(trained context, 2048)
     * @param kvCacheType F32 or F16 keys and values
     * @param batchSize   prompt tokens per batched forward step
     * @param kernels     the kernels to run on, or null for {@link KernelProvider#get()}
     */
    public record Options(int contextSize, KvCacheType kvCacheType, int batchSize, Kernels kernels) {
        public Options {
            Objects.requireNonNull(kvCacheType, "kvCacheType");
            if (contextSize < 0) {
                throw new IllegalArgumentException("context size must be >= 0 (0: automatic), got " + contextSize);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
        }

        public static Options defaults() { return new Options(0, KvCacheType.F32, 128, null); }

        public Options contextSize(int n) { return new Options(n, kvCacheType, batchSize, kernels); }

        public Options kvCacheType(KvCacheType t) { return new Options(contextSize, t, batchSize, kernels); }

        public Options batchSize(int n) { return new Options(contextSize, kvCacheType, n, kernels); }

        public Options kernels(Kernels k) { return new Options(contextSize, kvCacheType, batchSize, k); }
    }

    private final Path path;
    private final GgufFile file;
    private final Tokenizer tokenizer;
    private final LlamaModel model;
    private final LlamaSession session;
    private final long loadNanos;

    private LanguageModel(Path path, GgufFile file, Tokenizer tokenizer, LlamaModel model, LlamaSession session, long loadNanos) {
        this.path = path;
        this.file = file;
        this.tokenizer = tokenizer;
        this.model = model;
        this.session = session;
        this.loadNanos = loadNanos;
    }

    public static LanguageModel load(Path path) {
        return load(path, Options.defaults());
    }

    /**
     * Maps {@code path}, reads its tokenizer and hyper-parameters and checks every tensor's shape. Throws
     * {@link dev.minnow.tensor.gguf.GgufFormatException} for a malformed file or a missing tensor and
     * {@link IllegalArgumentException} for an unsupported architecture or impossible hyper-parameters.
     */
    public static LanguageModel load(Path path, Options options) {
        long t0 = System.nanoTime();
        GgufFile f = GgufFile.open(path);
        try {
            String arch = f.getString("general.architecture");
            if (!LlamaConfig.SUPPORTED_ARCHITECTURES.contains(arch)) {
                throw new IllegalArgumentException(path + ": unsupported architecture '" + arch + "'; supported: "
                        + String.join(", ", LlamaConfig.SUPPORTED_ARCHITECTURES));
            }
            Vocabulary vocab = Vocabulary.fromGguf(f);
            Tokenizer tok = Tokenizer.of(vocab);
            if (!f.hasTensor("token_embd.weight")) {
                throw new dev.minnow.tensor.gguf.GgufFormatException(path, -1, "missing tensor 'token_embd.weight'");
            }
            long rows = f.tensorInfos().get("token_embd.weight").shape()[0];
            if (rows != vocab.size()) {
                throw new dev.minnow.tensor.gguf.GgufFormatException(path, -1, "token_embd.weight has " + rows
                        + " rows but the tokenizer has " + vocab.size() + " tokens");
            }
            LlamaConfig config = LlamaConfig.fromGguf(f, vocab.size());
            Kernels kernels = options.kernels() != null ? options.kernels() : KernelProvider.get();
            LlamaModel model = LlamaModel.fromGguf(f, config, kernels);
            int ctx = options.contextSize() > 0 ? options.contextSize() : Math.min(config.contextLength(), 2048);
            LlamaSession session = model.newSession(ctx, options.kvCacheType(), options.batchSize());
            return new LanguageModel(path, f, tok, model, session, System.nanoTime() - t0);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public Tokenizer tokenizer() { return tokenizer; }

    public LlamaConfig config() { return model.config(); }

    public LlamaModel model() { return model; }

    /** The model's one inference session (its KV cache). */
    public LlamaSession session() { return session; }

    public int contextSize() { return session.contextSize(); }

    /** Time {@link #load} took. */
    public long loadNanos() { return loadNanos; }

    /** Logits after running {@code prompt} (with BOS when the vocabulary adds one) from position 0. */
    public float[] logits(String prompt) {
        int[] ids = tokenizer.encode(prompt, true);
        session.reset();
        return session.forward(ids);
    }

    /**
     * Generates a continuation of {@code prompt} from position 0, streaming text to {@code onText} as tokens
     * complete characters. Throws {@link IllegalArgumentException} when the prompt plus {@code maxTokens} does not
     * fit the context.
     */
    public GenerationResult generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        return generate(tokenizer.encode(prompt, true), options, onText);
    }

    /** As {@link #generate(String, GenerationOptions, Consumer)} from prompt token ids. */
    public GenerationResult generate(int[] promptIds, GenerationOptions options, Consumer<String> onText) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("empty prompt: give at least one token");
        }
        long need = (long) promptIds.length + options.maxTokens();
        if (need > session.contextSize()) {
            throw new IllegalArgumentException("prompt (" + promptIds.length + " tokens) + max tokens (" + options.maxTokens()
                    + ") = " + need + " exceeds the context size " + session.contextSize()
                    + "; raise the context (--ctx) or lower max tokens (-n)");
        }
        int[] history = Arrays.copyOf(promptIds, promptIds.length + options.maxTokens());

        session.reset();
        session.sparsity(options.sparsity());
        long t0 = System.nanoTime();
        float[] logits = new float[config().vocabSize()]; // reused for every step: decoding allocates no logits
        if (options.maxTokens() > 0) {
            session.forwardInto(logits, promptIds);
        }
        long prefill = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        Decoded d = decode(session, tokenizer, options, logits, history, promptIds.length, options.stopStrings(), onText);
        long decode = System.nanoTime() - t1;
        return new GenerationResult(promptIds.clone(), Arrays.copyOfRange(history, promptIds.length, d.length()),
                d.text(), d.reason(), prefill, decode);
    }

    /**
     * What {@link #decode} did: {@code tokens[0..length)} hold the prompt and the reply, the first {@code cachedLength}
     * of them are in the session's KV cache (the last sampled token is not run), {@code text} the reply cut before
     * any stop string.
     */
    record Decoded(int length, int cachedLength, GenerationResult.StopReason reason, String text) {}

    /**
     * The decode loop of {@link #generate} and {@link ChatSession}: from {@code logits} after {@code tokens[0..len)},
     * sample, stop at end-of-generation, a stop token, a stop string or {@code options.maxTokens()}, stream the text
     * (held back where it could begin a stop string), run each accepted token. {@code tokens} has room for
     * {@code len + options.maxTokens()}; {@code logits} is reused for every step.
     */
    static Decoded decode(LlamaSession session, Tokenizer tokenizer, GenerationOptions options, float[] logits, int[] tokens,
                          int len, java.util.List<String> stopStrings, Consumer<String> onText) {
        Vocabulary vocab = tokenizer.vocabulary();
        Sampler sampler = new Sampler(options);
        Utf8Stream utf8 = new Utf8Stream();
        ChatSession.StopText stops = new ChatSession.StopText(stopStrings, onText);
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        int cached = len;
        int generated = 0;
        while (generated < options.maxTokens()) {
            int next = sampler.sample(logits, tokens, len);
            if (options.stopAtEndOfGeneration() && vocab.isEndOfGeneration(next)) {
                reason = GenerationResult.StopReason.END_OF_GENERATION;
                break;
            }
            if (options.isStopToken(next)) {
                reason = GenerationResult.StopReason.STOP_TOKEN;
                break;
            }
            tokens[len++] = next;
            generated++;
            if (stops.push(utf8.push(tokenizer.piece(next, false)))) {
                reason = GenerationResult.StopReason.STOP_STRING;
                break;
            }
            if (generated < options.maxTokens()) {
                session.forwardInto(logits, next);
                cached = len;
            }
        }
        if (reason != GenerationResult.StopReason.STOP_STRING) {
            stops.push(utf8.flush());
            stops.finish();
        }
        return new Decoded(len, cached, reason, stops.text());
    }

    /** The file's {@code tokenizer.chat_template} (Jinja text), or null when it has none. */
    public String chatTemplateText() {
        return file.has("tokenizer.chat_template") ? file.getString("tokenizer.chat_template") : null;
    }

    /** A conversation in the file's chat template (ChatML when it has none, as llama.cpp), no system prompt. */
    public ChatSession chat() { return chat(null, null); }

    /**
     * A conversation with this model on its session (do not interleave with {@link #generate}). {@code template}
     * is a template name ({@code chatml}, {@code llama3}, ...) or Jinja text to recognise, or null for the file's
     * own; {@code systemPrompt} opens every rendering, or null for none. Throws {@link IllegalArgumentException}
     * for a template Minnow does not know.
     */
    public ChatSession chat(String template, String systemPrompt) {
        String source = template != null ? template : chatTemplateText();
        ChatTemplate t = source == null ? ChatTemplate.CHATML : ChatTemplate.detect(source);
        return new ChatSession(this, t, systemPrompt);
    }

    @Override
    public void close() {
        session.close();
        file.close();
    }

    @Override
    public String toString() {
        LlamaConfig c = model.config();
        return "LanguageModel[" + path.getFileName() + ", " + c.architecture() + " dim " + c.dim() + ", " + c.layers() + " layers, "
                + c.heads() + "/" + c.kvHeads() + " heads, ffn " + c.ffnDim() + ", vocab " + c.vocabSize()
                + ", ctx " + session.contextSize() + " (" + session.kvCacheType() + " cache)]";
    }
}
