package dev.minnow.cli;

import dev.minnow.models.llm.ChatSession;
import dev.minnow.models.llm.GenerationOptions;
import dev.minnow.models.llm.LanguageModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minnow chat}: a conversation over stdin lines. Each reply streams, then one line of figures: prompt tokens
 * run and reused from the KV cache, decode speed. {@code /reset} starts over, {@code /quit} or end of input exits.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a GGUF language model in its chat template; one message per line, /reset, /quit.")
final class ChatCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @picocli.CommandLine.Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--system", description = "system prompt")
    String system;

    @Option(names = "--chat-template",
            description = "template name (chatml, llama2, llama3, gemma, phi3, zephyr, mistral-v7, ...) or Jinja text; "
                    + "default: the model's tokenizer.chat_template, ChatML when it has none")
    String chatTemplate;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "most tokens per reply (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Override
    public Integer call() {
        Timing.threads(threads);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        GenerationOptions options = sampling.generation(maxTokens);
        LanguageModel.Options load = sampling.load();
        try (LanguageModel lm = LanguageModel.load(model, load)) {
            ChatSession chat = lm.chat(chatTemplate, system);
            String source = chatTemplate != null ? "forced" : lm.chatTemplateText() != null ? "from the model" : "default, the model has none";
            out.printf(Locale.ROOT, "%s: chat template %s (%s), ctx %d | /reset clears, /quit exits%n",
                    model.getFileName(), chat.template().templateName(), source, lm.contextSize());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while (true) {
                out.print("> ");
                out.flush();
                line = in.readLine();
                if (line == null) {
                    out.println();
                    break;
                }
                String command = line.strip();
                if (command.isEmpty()) {
                    continue;
                }
                if (command.equals("/quit") || command.equals("/exit")) {
                    break;
                }
                if (command.equals("/reset")) {
                    chat.reset();
                    out.println("(conversation cleared)");
                    continue;
                }
                ChatSession.Turn turn;
                try {
                    turn = chat.send(line, options, out::print);
                } catch (IllegalArgumentException e) {
                    System.err.println("minnow chat: " + e.getMessage());
                    continue;
                }
                out.println();
                out.println(statsLine(turn));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /** After each reply: prompt tokens run and reused, then decode speed. */
    static String statsLine(ChatSession.Turn t) {
        return String.format(Locale.ROOT, "prompt %d tok (%d run, %d reused) | prefill %.1f tok/s | decode %.1f tok/s (%d tok)",
                t.promptIds().length, t.evaluatedTokens(), t.reusedTokens(), t.prefillTokensPerSecond(),
                t.decodeTokensPerSecond(), t.replyIds().length);
    }
}
