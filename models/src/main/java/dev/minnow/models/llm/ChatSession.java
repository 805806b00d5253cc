package dev.minnow.models.llm;

import dev.minnow.models.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A conversation with a {@link LanguageModel}: the messages so far and the tokens in the model's KV cache. Each
 * {@link #send} renders the whole conversation with the {@link ChatTemplate}, tokenizes it, and runs only the tokens
 * after the longest prefix it shares with what the cache already holds (rewinding the cache where they part), so a
 * turn costs its new text, not the history. The reply is generated until an end-of-generation token, a stop token,
 * the template's end-of-turn text or the token limit, then joins the history.
 *
 * <pre>{@code
 * try (var lm = LanguageModel.load(Path.of("model.gguf"))) {
 *     ChatSession chat = lm.chat(null, "You are terse.");
 *     chat.send("Name a fish.", GenerationOptions.greedy().maxTokens(64), System.out::print);
 *     ChatSession.Turn t = chat.send("Another one.", GenerationOptions.greedy(), System.out::print);
 *     t.evaluatedTokens(); // only the second question and the template's markers
 * }
 * }</pre>
 *
 * Uses the model's one session: running {@link LanguageModel#generate} in between invalidates the reuse (the next turn
 * then evaluates everything again). Not thread-safe.
 */
public final class ChatSession {

    /**
     * What one {@link #send} did.
     *
     * @param reply           the assistant's text (cut before a stop string)
     * @param promptIds       the rendered conversation's tokens (with BOS where the vocabulary adds one)
     * @param reusedTokens    prompt tokens whose keys and values were already cached
     * @param evaluatedTokens prompt tokens this turn ran through the model ({@code promptIds.length - reusedTokens})
     * @param replyIds        the generated token ids (stop tokens excluded)
     * @param stopReason      why the reply ended
     * @param prefillNanos    time to run the evaluated prompt tokens
     * @param decodeNanos     time for the remaining generated tokens
     */
    public record Turn(String reply, int[] promptIds, int reusedTokens, int evaluatedTokens, int[] replyIds,
                       GenerationResult.StopReason stopReason, long prefillNanos, long decodeNanos) {
        /** Evaluated prompt tokens per second. */
        public double prefillTokensPerSecond() {
            return prefillNanos == 0 ? 0 : evaluatedTokens * 1e9 / prefillNanos;
        }

        /** Generated tokens per second after the first (each needs one forward pass). */
        public double decodeTokensPerSecond() {
            int steps = Math.max(0, replyIds.length - 1);
            return decodeNanos == 0 ? 0 : steps * 1e9 / decodeNanos;
        }
    }

    private final LanguageModel model;
    private final ChatTemplate template;
    private final String systemPrompt;
    private final List<ChatMessage> history = new ArrayList<>();
    private int[] cached = new int[0]; // the tokens at cache positions 0..cachedLength
    private int cachedLength;
    private long rewindsSeen = -1; // the session's rewind count after this chat's last rewind
    private float[] promptLogits;

    ChatSession(LanguageModel model, ChatTemplate template, String systemPrompt) {
        this.model = Objects.requireNonNull(model, "model");
        this.template = Objects.requireNonNull(template, "template");
        this.systemPrompt = systemPrompt;
    }

    public ChatTemplate template() { return template; }

    /** The system prompt, or null. */
    public String systemPrompt() { return systemPrompt; }

    /** The conversation so far, system prompt first when there is one. */
    public List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>(history.size() + 2);
        if (systemPrompt != null) {
            all.add(ChatMessage.system(systemPrompt));
        }
        all.addAll(history);
        return all;
    }

    /** Forgets the conversation (the system prompt stays; its cached tokens are reused by the next turn). */
    public void reset() { history.clear(); }

    /** Copy of the logits after the last turn's prompt (before sampling), or null before the first turn. */
    float[] promptLogits() { return promptLogits == null ? null : promptLogits.clone(); }

    /**
     * Adds {@code userText} as a user message, generates the assistant's reply streaming its text to {@code onText},
     * and adds the reply to the conversation. Throws {@link IllegalArgumentException} (and changes nothing) when the
     * rendered conversation plus {@code options.maxTokens()} does not fit the context.
     */
    public Turn send(String userText, GenerationOptions options, Consumer<String> onText) {
        Objects.requireNonNull(userText, "userText");
        List<ChatMessage> conversation = messages();
        conversation.add(ChatMessage.user(userText));
        Tokenizer tokenizer = model.tokenizer();
        int[] ids = tokenizer.encode(template.apply(conversation, true), true, true);
        LlamaSession session = model.session();
        long need = (long) ids.length + options.maxTokens();
        if (ids.length == 0 || need > session.contextSize()) {
            throw new IllegalArgumentException("the conversation (" + ids.length + " tokens) + max tokens ("
                    + options.maxTokens() + ") = " + need + " exceeds the context size " + session.contextSize()
                    + "; reset the conversation (/reset), raise the context (--ctx) or lower max tokens (-n)");
        }
        if (session.position() != cachedLength || session.rewinds() != rewindsSeen) {
            cachedLength = 0; // someone else used the session: nothing cached can be trusted
        }
        int reused = commonPrefix(cached, cachedLength, ids);
        if (reused == ids.length) {
            reused--; // the last prompt token must run to give the logits
        }
        session.rewind(reused);
        rewindsSeen = session.rewinds();
        cachedLength = reused;
        session.sparsity(options.sparsity());

        int[] tokens = Arrays.copyOf(ids, ids.length + options.maxTokens());
        long t0 = System.nanoTime();
        float[] logits = session.forward(Arrays.copyOfRange(ids, reused, ids.length));
        long prefill = System.nanoTime() - t0;
        cached = tokens;
        cachedLength = ids.length;
        promptLogits = logits.clone();

        java.util.List<String> stopStrings = new java.util.ArrayList<>(template.stopStrings());
        stopStrings.addAll(options.stopStrings());
        long t1 = System.nanoTime();
        LanguageModel.Decoded d = LanguageModel.decode(session, tokenizer, options, logits, tokens, ids.length, stopStrings, onText);
        cachedLength = d.cachedLength();
        int len = d.length();
        GenerationResult.StopReason reason = d.reason();
        long decode = System.nanoTime() - t1;
        String reply = d.text();
        history.add(ChatMessage.user(userText));
        history.add(ChatMessage.assistant(reply));
        return new Turn(reply, ids, reused, ids.length - reused, Arrays.copyOfRange(tokens, ids.length, len), reason,
                prefill, decode);
    }

    private static int commonPrefix(int[] a, int aLength, int[] b) {
        int n = Math.min(aLength, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    /**
     * The reply text as it streams: holds back whatever could be the start of a stop string and cuts the text where
     * one appears.
     */
    static final class StopText {
        private final List<String> stops;
        private final Consumer<String> out;
        private final StringBuilder text = new StringBuilder();
        private int emitted;

        StopText(List<String> stops, Consumer<String> out) {
            this.stops = stops;
            this.out = out;
        }

        /** Appends {@code piece}; true when a stop string has appeared (the text is then cut before it). */
        boolean push(String piece) {
            if (piece.isEmpty()) {
                return false;
            }
            int from = Math.max(0, emitted - maxStopLength());
            text.append(piece);
            int cut = -1;
            for (String s : stops) {
                int at = text.indexOf(s, from);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                }
            }
            if (cut >= 0) {
                text.setLength(cut);
                emit(cut);
                return true;
            }
            emit(text.length() - heldBack());
            return false;
        }

        void finish() { emit(text.length()); }

        String text() { return text.toString(); }

        private void emit(int upTo) {
            if (upTo > emitted) {
                out.accept(text.substring(emitted, upTo));
                emitted = upTo;
            }
        }

        /** Length of the longest tail of the text that is a proper prefix of a stop string. */
        private int heldBack() {
            int best = 0;
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, text.length()); k > best; k--) {
                    if (s.startsWith(text.substring(text.length() - k))) {
                        best = k;
                        break;
                    }
                }
            }
            return best;
        }

        private int maxStopLength() {
            int m = 0;
            for (String s : stops) {
                m = Math.max(m, s.length());
            }
            return m;
        }
    }
}
