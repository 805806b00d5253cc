package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.models.llm.ModelSynth;
import dev.minnow.tensor.DType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow chat} driven through a piped stdin on a tiny synthesised ChatML model. */
class ChatCommandTest {
    static final Pattern STATS = Pattern.compile("prompt (\\d+) tok \\((\\d+) run, (\\d+) reused\\) \\| prefill .* tok/s \\| decode .* tok/s \\((\\d+) tok\\)");

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void synth() {
        model = dir.resolve("chat.gguf");
        var vocab = ModelSynth.withControlTokens(ModelSynth.byteLevelVocabulary(100), "<|im_start|>", "<|im_end|>");
        ModelSynth.writeLlama(model, new ModelSynth.Spec(32, 1, 4, 2, 48, 256, DType.F32, 3), vocab,
                "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
    }

    static String[] chat(String stdin, String... args) {
        InputStream in = System.in;
        String threads = System.getProperty("minnow.threads");
        int active = dev.minnow.kernels.Parallel.threads();
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "chat";
            System.arraycopy(args, 0, all, 1, args.length);
            return MainTest.capture(() -> Main.execute(all));
        } finally {
            System.setIn(in);
            dev.minnow.kernels.Parallel.setActiveThreads(active); // --threads caps the running pool too
            if (threads == null) {
                System.clearProperty("minnow.threads"); // --threads sets it; other tests keep their default
            } else {
                System.setProperty("minnow.threads", threads);
            }
        }
    }

    static List<Matcher> stats(String out) {
        return out.lines().map(STATS::matcher).filter(Matcher::find).toList();
    }

    @Test
    void turnsResetAndQuit() {
        String[] r = chat("the fish\nand the river?\n/reset\n\nhello\n/quit\nnever read\n",
                "-m", model.toString(), "-n", "5", "--threads", "2");
        assertEquals("0", r[0], r[2]);
        String first = r[1].lines().findFirst().orElseThrow();
        assertTrue(first.contains("chat template chatml (from the model), ctx 256"), first);
        assertTrue(r[1].contains("(conversation cleared)"), r[1]);
        List<Matcher> s = stats(r[1]);
        assertEquals(3, s.size(), "three replies, the line after /quit unread: " + r[1]);
        int prompt1 = Integer.parseInt(s.get(0).group(1));
        assertEquals(0, Integer.parseInt(s.get(0).group(3)), "nothing cached at first");
        assertEquals(prompt1, Integer.parseInt(s.get(0).group(2)));
        int reused2 = Integer.parseInt(s.get(1).group(3));
        assertTrue(reused2 >= prompt1 - 1, "turn 2 reuses turn 1's prompt: " + s.get(1).group());
        assertEquals(Integer.parseInt(s.get(1).group(1)), reused2 + Integer.parseInt(s.get(1).group(2)));
        int reused3 = Integer.parseInt(s.get(2).group(3));
        assertTrue(reused3 >= 3 && reused3 < prompt1, "after /reset only the opening markers are reused: " + s.get(2).group());
        for (Matcher m : s) {
            assertTrue(Integer.parseInt(m.group(4)) <= 5, m.group());
        }
    }

    @Test
    void systemPromptForcedTemplateAndEndOfInput() {
        String[] r = chat("hi\n", "-m", model.toString(), "-n", "3", "--system", "Be brief.", "--chat-template", "zephyr",
                "--temp", "0.7", "--seed", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().findFirst().orElseThrow().contains("chat template zephyr (forced)"), r[1]);
        List<Matcher> s = stats(r[1]);
        assertEquals(1, s.size(), r[1]);
        // BOS + "<|system|>\nBe brief.<|endoftext|>\n<|user|>\nhi<|endoftext|>\n<|assistant|>\n" in byte-level BPE
        assertTrue(Integer.parseInt(s.get(0).group(1)) > 20, s.get(0).group());
    }

    @Test
    void errorsAreOneLine() {
        String[] r = chat("hi\n", "-m", model.toString(), "--chat-template", "{{ unknown }}");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().filter(l -> !l.startsWith("minnow: kernels")).count(), r[2]);
        assertTrue(r[2].contains("minnow chat: unknown chat template \"{{ unknown }}\": Minnow recognises the families chatml"), r[2]);

        // a turn that does not fit is reported and the conversation goes on
        r = chat("the little fish swam under a stone and waited there until the heron went away\nhi\n",
                "-m", model.toString(), "--ctx", "40", "-n", "4");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("minnow chat: the conversation (") && r[2].contains("exceeds the context size 40"), r[2]);
        assertEquals(1, stats(r[1]).size(), r[1]);
    }
}
