package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ChatSession on a synthesised model whose vocabulary has ChatML's markers as control tokens and whose file carries
 * OpenHermes' ChatML template: each turn runs only the tokens after the prefix already cached, and the logits it
 * ends with equal a fresh session's over the whole rendered conversation.
 */
class ChatSessionTest {
    static final String CHATML_JINJA = ChatTemplateTest.LLAMA_CPP_CASES.get(0).template();
    static final ModelSynth.Spec SPEC = new ModelSynth.Spec(32, 2, 4, 2, 64, 512, DType.F32, 5);

    @TempDir
    static Path dir;
    static Path model;
    static Vocabulary vocab;

    @BeforeAll
    static void synthesise() {
        vocab = ModelSynth.withControlTokens(ModelSynth.byteLevelVocabulary(120), "<|im_start|>", "<|im_end|>");
        model = dir.resolve("chat.gguf");
        ModelSynth.writeLlama(model, SPEC, vocab, CHATML_JINJA);
    }

    static LanguageModel load(int ctx) {
        return LanguageModel.load(model, LanguageModel.Options.defaults().contextSize(ctx).batchSize(16));
    }

    /** What the KV cache holds after a turn: its prompt and the generated tokens that were run. */
    static int[] cachedAfter(ChatSession.Turn t) {
        boolean lastRun = t.stopReason() == GenerationResult.StopReason.END_OF_GENERATION
                || t.stopReason() == GenerationResult.StopReason.STOP_TOKEN;
        int run = Math.max(0, t.replyIds().length - (lastRun ? 0 : 1));
        int[] c = Arrays.copyOf(t.promptIds(), t.promptIds().length + run);
        System.arraycopy(t.replyIds(), 0, c, t.promptIds().length, run);
        return c;
    }

    static int commonPrefix(int[] a, int[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void turnsReuseTheCacheAndMatchAFreshSession() {
        try (LanguageModel lm = load(512); LanguageModel fresh = load(512)) {
            assertEquals(CHATML_JINJA, lm.chatTemplateText());
            ChatSession chat = lm.chat(null, "You are a small fish.");
            assertEquals(ChatTemplate.CHATML, chat.template());
            GenerationOptions options = GenerationOptions.greedy().maxTokens(6);

            StringBuilder streamed = new StringBuilder();
            ChatSession.Turn t1 = chat.send("Where do you live?", options, streamed::append);
            assertEquals(streamed.toString(), t1.reply());
            assertEquals(0, t1.reusedTokens());
            assertEquals(t1.promptIds().length, t1.evaluatedTokens());
            String rendered = "<|im_start|>system\nYou are a small fish.<|im_end|>\n<|im_start|>user\nWhere do you live?<|im_end|>\n<|im_start|>assistant\n";
            assertArrayEquals(lm.tokenizer().encode(rendered, true, true), t1.promptIds());
            assertEquals(vocab.bos(), t1.promptIds()[0], "BOS from the tokenizer");
            assertEquals(vocab.id("<|im_start|>"), t1.promptIds()[1], "markers are their control tokens");
            assertTrue(t1.replyIds().length > 0, "a reply: " + t1);

            ChatSession.Turn t2 = chat.send("In the river.", options, s -> { });
            int expectReused = commonPrefix(cachedAfter(t1), t2.promptIds());
            assertEquals(expectReused, t2.reusedTokens(), "reuse is the common prefix with the cache");
            assertEquals(t2.promptIds().length - expectReused, t2.evaluatedTokens());
            assertTrue(t2.reusedTokens() >= t1.promptIds().length - 1 && t2.evaluatedTokens() < t2.promptIds().length / 2,
                    "turn 2 runs little more than its own text: " + t2.reusedTokens() + " reused, " + t2.evaluatedTokens() + " run");
            List<ChatMessage> conversation = chat.messages();
            assertEquals(5, conversation.size());
            assertEquals(ChatMessage.assistant(t1.reply()), conversation.get(2));
            assertArrayEquals(lm.tokenizer().encode(ChatTemplate.CHATML.apply(conversation.subList(0, 4), true), true, true),
                    t2.promptIds());
            float diff = maxAbsDiff(fresh.session().forward(t2.promptIds()), chat.promptLogits());
            assertTrue(diff <= 1e-4f, "turn-2 logits vs a fresh session over the whole conversation: " + diff);

            // a new conversation keeps only the system prompt's tokens: the cache is rewound and overwritten
            chat.reset();
            assertEquals(1, chat.messages().size());
            ChatSession.Turn t3 = chat.send("Hello!", options, s -> { });
            int expect3 = commonPrefix(cachedAfter(t2), t3.promptIds());
            assertEquals(expect3, t3.reusedTokens());
            assertTrue(expect3 > 5 && expect3 < t2.promptIds().length, "system prompt reused: " + expect3);
            fresh.session().reset();
            diff = maxAbsDiff(fresh.session().forward(t3.promptIds()), chat.promptLogits());
            assertTrue(diff <= 1e-4f, "after a rewind: " + diff);

            // the same conversation again: everything is cached but the last token, which must run for the logits
            chat.reset();
            ChatSession.Turn t4 = chat.send("Hello!", options, s -> { });
            assertArrayEquals(t3.promptIds(), t4.promptIds());
            assertEquals(1, t4.evaluatedTokens());
            assertArrayEquals(t3.replyIds(), t4.replyIds(), "greedy: the same reply");
        }
    }

    @Test
    void stopTokenEndsTheReplyAndOtherUseOfTheSessionForcesAFullRun() {
        try (LanguageModel lm = load(256)) {
            ChatSession chat = lm.chat("chatml", null);
            ChatSession.Turn probe = chat.send("fish", GenerationOptions.greedy().maxTokens(1), s -> { });
            int first = probe.replyIds()[0];
            chat.reset();
            ChatSession.Turn t = chat.send("fish", GenerationOptions.greedy().maxTokens(5).stopTokens(first), s -> { });
            assertEquals(GenerationResult.StopReason.STOP_TOKEN, t.stopReason());
            assertEquals(0, t.replyIds().length);
            assertEquals("", t.reply());

            lm.generate("the river", GenerationOptions.greedy().maxTokens(3), s -> { });
            ChatSession.Turn after = chat.send("more", GenerationOptions.greedy().maxTokens(2), s -> { });
            assertEquals(0, after.reusedTokens(), "the session moved under the chat: nothing is trusted");

            // rewritten behind the chat's back to the very same position: still detected
            int position = lm.session().position();
            lm.session().reset();
            int[] other = new int[position];
            Arrays.fill(other, 65);
            lm.session().forward(other);
            assertEquals(position, lm.session().position());
            ChatSession.Turn rewritten = chat.send("again", GenerationOptions.greedy().maxTokens(2), s -> { });
            assertEquals(0, rewritten.reusedTokens());
        }
    }

    @Test
    void contextOverflowIsAnErrorThatChangesNothing() {
        try (LanguageModel lm = load(48)) {
            ChatSession chat = lm.chat();
            chat.send("hi", GenerationOptions.greedy().maxTokens(2), s -> { });
            List<ChatMessage> before = chat.messages();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> chat.send("the little fish swam under a stone and waited", GenerationOptions.greedy().maxTokens(16), s -> { }));
            assertTrue(e.getMessage().contains("exceeds the context size 48") && e.getMessage().contains("/reset"), e.getMessage());
            assertEquals(before, chat.messages());
        }
    }

    @Test
    void templatesFromTheFileOrForced() {
        Path none = dir.resolve("no-template.gguf");
        Path unknown = dir.resolve("unknown-template.gguf");
        ModelSynth.writeLlama(none, SPEC, vocab);
        ModelSynth.writeLlama(unknown, SPEC, vocab, "{% for m in messages %}{{ m.content }}{% endfor %}");
        try (LanguageModel a = LanguageModel.load(none); LanguageModel b = LanguageModel.load(unknown)) {
            assertNull(a.chatTemplateText());
            assertEquals(ChatTemplate.CHATML, a.chat().template(), "no template: ChatML, as llama.cpp");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::chat);
            assertTrue(e.getMessage().startsWith("unknown chat template \"{% for m in messages %}") && e.getMessage().contains("gemma"),
                    e.getMessage());
            assertEquals(ChatTemplate.LLAMA_3, b.chat("llama3", null).template());
            assertEquals(ChatTemplate.GEMMA, b.chat(ChatTemplateTest.LLAMA_CPP_CASES.get(5).template(), null).template());
        }
    }

    @Test
    void stopTextHoldsBackPrefixesAndCutsAtTheStop() {
        List<String> out = new ArrayList<>();
        ChatSession.StopText st = new ChatSession.StopText(List.of("<|im_end|>", "\n\n"), out::add);
        assertEquals(false, st.push("Hel"));
        assertEquals(false, st.push("lo <|im"));
        assertEquals(List.of("Hel", "lo "), out, "'<|im' may start a stop string: held back");
        assertEquals(false, st.push("x"));
        assertEquals("Hello <|imx", String.join("", out));
        assertEquals(false, st.push(" a\n"));
        assertEquals(true, st.push("\nrest"));
        assertEquals("Hello <|imx a", st.text());
        assertEquals("Hello <|imx a", String.join("", out));

        out.clear();
        ChatSession.StopText tail = new ChatSession.StopText(List.of("<|im_end|>"), out::add);
        tail.push("ab<|");
        tail.finish();
        assertEquals("ab<|", String.join("", out), "a held-back tail is flushed at the end");
    }
}
