package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ChatSession on the fixture model with the real Llama-2 SentencePiece vocabulary (no chat template in the file, so
 * Llama 2's {@code [INST]} format is forced): the markers are ordinary text and the space prefix applies once, yet each
 * turn still reuses the cached prefix and ends with the logits of a fresh run over the whole conversation.
 */
@Tag("conformance")
class ChatConformanceTest {
    @Test
    void llama2TurnsOnTheSentencePieceVocabulary() {
        var path = Fixtures.path("llm/m3-gqa-f32.gguf");
        var options = LanguageModel.Options.defaults().contextSize(256).batchSize(32);
        try (LanguageModel lm = LanguageModel.load(path, options); LanguageModel fresh = LanguageModel.load(path, options)) {
            ChatSession chat = lm.chat("llama2-sys", "You are a helpful assistant");
            GenerationOptions greedy = GenerationOptions.greedy().maxTokens(4);
            ChatSession.Turn t1 = chat.send("Hello", greedy, s -> { });
            String rendered = "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]";
            assertArrayEquals(lm.tokenizer().encode(rendered, true, true), t1.promptIds());
            assertEquals(1, t1.promptIds()[0], "BOS");

            ChatSession.Turn t2 = chat.send("Who are you", greedy, s -> { });
            int expect = ChatSessionTest.commonPrefix(ChatSessionTest.cachedAfter(t1), t2.promptIds());
            assertEquals(expect, t2.reusedTokens());
            assertTrue(t2.reusedTokens() >= t1.promptIds().length, "turn 1's prompt is reused: " + t2.reusedTokens());
            List<ChatMessage> sent = chat.messages().subList(0, 4);
            assertArrayEquals(lm.tokenizer().encode(ChatTemplate.LLAMA_2_SYS.apply(sent, true), true, true), t2.promptIds());
            float diff = ChatSessionTest.maxAbsDiff(fresh.session().forward(t2.promptIds()), chat.promptLogits());
            assertTrue(diff <= 1e-4f, "turn-2 logits vs a fresh session: " + diff);
        }
    }
}
