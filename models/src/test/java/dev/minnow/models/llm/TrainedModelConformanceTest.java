package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A trained model (tiny-py, llama arch, Q8_0 and Q4_K_M with Q6_K) against llama.cpp's greedy continuations:
 * prompt ids and all 48 generated ids, with llama.cpp's default F16 KV cache.
 */
@Tag("conformance")
class TrainedModelConformanceTest {

    record Sample(String prompt, int[] promptIds, int[] continuation) {}

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    static String unescape(String json) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\' && i + 1 < json.length()) {
                char d = json.charAt(++i);
                switch (d) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> sb.append(d);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static List<Sample> samples(String type) throws IOException {
        String json = Files.readString(Fixtures.path("llm/trained/samples.json"), StandardCharsets.UTF_8);
        int start = json.indexOf("\"" + type + "\": [");
        assertTrue(start >= 0, "no samples for " + type);
        int end = json.indexOf("\n  ]", start);
        Matcher m = Pattern.compile("\"prompt\": \"((?:[^\"\\\\]|\\\\.)*)\",\\s*\"prompt_ids\": \\[([^\\]]*)\\],\\s*\"continuation_ids\": \\[([^\\]]*)\\]")
                .matcher(json.substring(start, end));
        List<Sample> out = new ArrayList<>();
        while (m.find()) {
            out.add(new Sample(unescape(m.group(1)), ints(m.group(2)), ints(m.group(3))));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_K_M"})
    void greedyContinuationsMatchLlamaCpp(String type) throws IOException {
        List<Sample> samples = samples(type);
        assertEquals(3, samples.size(), "samples parsed");
        try (LanguageModel lm = LanguageModel.load(Fixtures.path("llm/trained/tiny-py-" + type + ".gguf"),
                LanguageModel.Options.defaults().contextSize(64).kvCacheType(KvCacheType.F16))) {
            int fullyAgreed = 0;
            for (Sample s : samples) {
                int[] ids = lm.tokenizer().encode(s.prompt(), true);
                assertArrayEquals(s.promptIds(), ids, type + " prompt ids of '" + s.prompt() + "'");
                LlamaSession session = lm.session();
                session.reset();
                float[] logits = session.forward(ids);
                // the scalar-kernel pass (the slow specification) checks 8 tokens, the default pass 32 of the 48 (all 48
                // agreed when last run in full; kept shorter for the suite time)
                int steps = Math.min(s.continuation().length, dev.minnow.kernels.KernelProvider.get().vectorBits() == 0 ? 8 : 32);
                int agreed = 0;
                boolean tie = false;
                for (int expect : Arrays.copyOf(s.continuation(), steps)) {
                    int next = Sampler.argmax(logits);
                    if (next != expect) {
                        float gap = logits[next] - logits[expect];
                        assertTrue(gap < 1e-3f, type + " '" + s.prompt() + "' step " + agreed + ": chose " + next
                                + " over llama.cpp's " + expect + " by " + gap);
                        tie = true;
                        break; // a genuine near-tie: from here the sequences may part
                    }
                    agreed++;
                    logits = session.forward(next);
                }
                System.out.printf("tiny-py %s '%s': %d of %d greedy ids agree%n", type, s.prompt().replace("\n", "\\n"), agreed, steps);
                assertTrue(agreed == steps || tie, type + ": only " + agreed + " ids agree");
                fullyAgreed += agreed == steps ? 1 : 0;
            }
            assertTrue(fullyAgreed >= 2, type + ": only " + fullyAgreed + " of 3 prompts agree to the end");
        }
    }
}
