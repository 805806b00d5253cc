package dev.minnow.models.llm;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The chat formats Minnow can render, as llama.cpp's built-in templates ({@code llm_chat_apply_template} in
 * {@code src/llama-chat.cpp}): each one turns a list of {@link ChatMessage}s into the prompt text that model family
 * was trained on, byte for byte as llama.cpp renders it. This is not a Jinja engine: a model's
 * {@code tokenizer.chat_template} is recognised by the markers it contains ({@link #detect}, the same heuristics and
 * order as llama.cpp's {@code llm_chat_detect_template}), then the family's fixed format is applied.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.detect(jinjaFromGguf);   // or ChatTemplate.named("chatml")
 * String prompt = t.apply(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
 * }</pre>
 *
 * The prompt carries no BOS: tokenizing it with {@code addSpecial} adds one where the vocabulary asks, as llama.cpp
 * does. Tokenize with {@code parseSpecial} so that markers like {@code <|im_start|>} become their special tokens.
 */
public enum ChatTemplate {
    CHATML("chatml", "<|im_end|>"),
    LLAMA_2("llama2", "</s>"),
    LLAMA_2_SYS("llama2-sys", "</s>"),
    LLAMA_2_SYS_BOS("llama2-sys-bos", "</s>"),
    LLAMA_2_SYS_STRIP("llama2-sys-strip", "</s>"),
    MISTRAL_V1("mistral-v1", "</s>"),
    MISTRAL_V3("mistral-v3", "</s>"),
    MISTRAL_V3_TEKKEN("mistral-v3-tekken", "</s>"),
    MISTRAL_V7("mistral-v7", "</s>"),
    MISTRAL_V7_TEKKEN("mistral-v7-tekken", "</s>"),
    PHI_3("phi3", "<|end|>"),
    PHI_4("phi4", "<|im_end|>"),
    FALCON_3("falcon3", "<|user|>"),
    ZEPHYR("zephyr", "<|endoftext|>"),
    MONARCH("monarch", "</s>"),
    GEMMA("gemma", "<end_of_turn>"),
    ORION("orion", "</s>"),
    OPENCHAT("openchat", "<|end_of_turn|>"),
    VICUNA("vicuna", "</s>"),
    VICUNA_ORCA("vicuna-orca", "</s>"),
    DEEPSEEK("deepseek", "<|EOT|>"),
    DEEPSEEK_2("deepseek2", "<｜end▁of▁sentence｜>"),
    DEEPSEEK_3("deepseek3", "<｜end▁of▁sentence｜>"),
    COMMAND_R("command-r", "<|END_OF_TURN_TOKEN|>"),
    LLAMA_3("llama3", "<|eot_id|>"),
    CHATGLM_3("chatglm3", "<|user|>"),
    CHATGLM_4("chatglm4", "<|user|>"),
    GLMEDGE("glmedge", "<|user|>"),
    MINICPM("minicpm", "<用户>"),
    EXAONE_3("exaone3", "[|endofturn|]"),
    EXAONE_4("exaone4", "[|endofturn|]"),
    RWKV_WORLD("rwkv-world", "\n\n"),
    GRANITE("granite", "<|end_of_text|>"),
    GIGACHAT("gigachat", "<|message_sep|>"),
    MEGREZ("megrez", "<|turn_end|>"),
    YANDEX("yandex", "\n\n"),
    BAILING("bailing", "<role>"),
    LLAMA_4("llama4", "<|eot|>"),
    SMOLVLM("smolvlm", "<end_of_utterance>");

    private final String templateName;
    private final String endOfTurn;

    ChatTemplate(String templateName, String endOfTurn) {
        this.templateName = templateName;
        this.endOfTurn = endOfTurn;
    }

    /** llama.cpp's name for this template (what {@code --chat-template} takes). */
    public String templateName() { return templateName; }

    /**
     * Text that ends an assistant turn in this format; a reply is cut there even when the model spells it with
     * ordinary tokens instead of its end-of-generation token.
     */
    public List<String> stopStrings() { return List.of(endOfTurn); }

    /** All names, comma-separated, for messages. */
    public static String knownNames() {
        return Arrays.stream(values()).map(ChatTemplate::templateName).collect(Collectors.joining(", "));
    }

    /** The template called {@code name} (llama.cpp's names: chatml, llama2, llama3, gemma, phi3, zephyr, ...). */
    public static ChatTemplate named(String name) {
        ChatTemplate t = byName(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown chat template name '" + name + "'; known: " + knownNames());
        }
        return t;
    }

    private static ChatTemplate byName(String name) {
        for (ChatTemplate t : values()) {
            if (t.templateName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * The family of a Jinja chat template (a model's {@code tokenizer.chat_template}) or a template name, by the
     * markers it contains, in the order llama.cpp's {@code llm_chat_detect_template} checks them. Throws
     * {@link IllegalArgumentException} naming the known families when none matches.
     */
    public static ChatTemplate detect(String template) {
        ChatTemplate t = tryDetect(template);
        if (t == null) {
            String shown = template.length() > 60 ? template.substring(0, 60) + "..." : template;
            throw new IllegalArgumentException("unknown chat template \"" + shown.replace("\n", "\\n")
                    + "\": Minnow recognises the families " + knownNames()
                    + "; force one with --chat-template NAME (Java: ChatTemplate.named)");
        }
        return t;
    }

    /** As {@link #detect}, but null for an unknown template. */
    public static ChatTemplate tryDetect(String template) {
        ChatTemplate byName = byName(template);
        if (byName != null) {
            return byName;
        }
        Marks m = new Marks(template);
        if (m.has("<|im_start|>")) {
            return m.has("<|im_sep|>") ? PHI_4 : m.has("<end_of_utterance>") ? SMOLVLM : CHATML;
        }
        if (template.startsWith("mistral") || m.has("[INST]")) {
            if (m.has("[SYSTEM_PROMPT]")) {
                return MISTRAL_V7;
            }
            if (m.has("' [INST] ' + system_message") || m.has("[AVAILABLE_TOOLS]")) {
                // Mistral's official v1, v3 and v3-tekken templates
                return m.has(" [INST]") ? MISTRAL_V1 : m.has("\"[INST]\"") ? MISTRAL_V3_TEKKEN : MISTRAL_V3;
            }
            if (m.has("content.strip()")) {
                return LLAMA_2_SYS_STRIP;
            }
            if (m.has("bos_token + '[INST]")) {
                return LLAMA_2_SYS_BOS;
            }
            return m.has("<<SYS>>") ? LLAMA_2_SYS : LLAMA_2;
        }
        if (m.has("<|assistant|>") && m.has("<|end|>")) {
            return PHI_3;
        }
        if (m.has("[gMASK]<sop>")) {
            return CHATGLM_4;
        }
        if (m.has("<|assistant|>") && m.has("<|user|>")) {
            return m.has("</s>") ? FALCON_3 : GLMEDGE;
        }
        if (m.has("<|{{ item['role'] }}|>") && m.has("<|begin_of_image|>")) {
            return GLMEDGE;
        }
        if (m.has("<|user|>") && m.has("<|endoftext|>")) {
            return ZEPHYR;
        }
        if (m.has("bos_token + message['role']")) {
            return MONARCH;
        }
        if (m.has("<start_of_turn>")) {
            return GEMMA;
        }
        if (m.has("'\\n\\nAssistant: ' + eos_token")) {
            return ORION;
        }
        if (m.has("GPT4 Correct ")) {
            return OPENCHAT;
        }
        if (m.has("USER: ") && m.has("ASSISTANT: ")) {
            return m.has("SYSTEM: ") ? VICUNA_ORCA : VICUNA;
        }
        if (m.has("### Instruction:") && m.has("<|EOT|>")) {
            return DEEPSEEK;
        }
        if (m.has("<|START_OF_TURN_TOKEN|>") && m.has("<|USER_TOKEN|>")) {
            return COMMAND_R;
        }
        if (m.has("<|start_header_id|>") && m.has("<|end_header_id|>")) {
            return LLAMA_3;
        }
        if (m.has("[gMASK]sop")) {
            return CHATGLM_3;
        }
        if (m.has("<用户>")) {
            return MINICPM;
        }
        if (m.has("'Assistant: ' + message['content'] + eos_token")) {
            return DEEPSEEK_2;
        }
        if (m.has("<｜Assistant｜>") && m.has("<｜User｜>") && m.has("<｜end▁of▁sentence｜>")) {
            return DEEPSEEK_3;
        }
        if (m.has("[|system|]") && m.has("[|assistant|]") && m.has("[|endofturn|]")) {
            return m.has("[|tool|]") ? EXAONE_4 : EXAONE_3;
        }
        if (m.has("rwkv-world") || m.has("{{- 'User: ' + message['content']|trim + '\\n\\n' -}}")) {
            return RWKV_WORLD;
        }
        if (m.has("<|start_of_role|>")) {
            return GRANITE;
        }
        if (m.has("message['role'] + additional_special_tokens[0] + message['content'] + additional_special_tokens[1]")) {
            return GIGACHAT;
        }
        if (m.has("<|role_start|>")) {
            return MEGREZ;
        }
        if (m.has(" Ассистент:")) {
            return YANDEX;
        }
        if (m.has("<role>ASSISTANT</role>") && m.has("'HUMAN'")) {
            return BAILING;
        }
        if (m.has("<|header_start|>") && m.has("<|header_end|>")) {
            return LLAMA_4;
        }
        return null;
    }

    private record Marks(String text) {
        boolean has(String s) { return text.contains(s); }
    }

    /**
     * Renders {@code messages} in this format. {@code addAssistantPrompt} appends the opening of an assistant turn
     * (llama.cpp's {@code add_ass}) for the formats that have one; some formats ignore it, as in llama.cpp.
     */
    public String apply(List<ChatMessage> messages, boolean addAssistantPrompt) {
        StringBuilder sb = new StringBuilder();
        switch (this) {
            case CHATML -> {
                for (ChatMessage m : messages) {
                    sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<|im_start|>assistant\n");
                }
            }
            case MISTRAL_V7, MISTRAL_V7_TEKKEN -> {
                String space = this == MISTRAL_V7 ? " " : "";
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append("[SYSTEM_PROMPT]").append(space).append(m.content()).append("[/SYSTEM_PROMPT]");
                        case "user" -> sb.append("[INST]").append(space).append(m.content()).append("[/INST]");
                        default -> sb.append(space).append(m.content()).append("</s>");
                    }
                }
            }
            case MISTRAL_V1, MISTRAL_V3, MISTRAL_V3_TEKKEN -> {
                String leading = this == MISTRAL_V1 ? " " : "";
                String trailing = this == MISTRAL_V3_TEKKEN ? "" : " ";
                boolean insideTurn = false;
                for (ChatMessage m : messages) {
                    if (!insideTurn) {
                        sb.append(leading).append("[INST]").append(trailing);
                        insideTurn = true;
                    }
                    switch (m.role()) {
                        case "system" -> sb.append(m.content()).append("\n\n");
                        case "user" -> sb.append(m.content()).append(leading).append("[/INST]");
                        default -> {
                            sb.append(trailing).append(this == MISTRAL_V3 ? trim(m.content()) : m.content()).append("</s>");
                            insideTurn = false;
                        }
                    }
                }
            }
            case LLAMA_2, LLAMA_2_SYS, LLAMA_2_SYS_BOS, LLAMA_2_SYS_STRIP -> {
                boolean systemMessages = this != LLAMA_2;
                boolean bosInHistory = this == LLAMA_2_SYS_BOS;
                boolean strip = this == LLAMA_2_SYS_STRIP;
                boolean insideTurn = true; // the first turn's BOS comes from the tokenizer
                sb.append("[INST] ");
                for (ChatMessage m : messages) {
                    String content = strip ? trim(m.content()) : m.content();
                    if (!insideTurn) {
                        insideTurn = true;
                        sb.append(bosInHistory ? "<s>[INST] " : "[INST] ");
                    }
                    switch (m.role()) {
                        case "system" -> {
                            if (systemMessages) {
                                sb.append("<<SYS>>\n").append(content).append("\n<</SYS>>\n\n");
                            } else {
                                sb.append(content).append('\n'); // folded into the first user message
                            }
                        }
                        case "user" -> sb.append(content).append(" [/INST]");
                        default -> {
                            sb.append(content).append("</s>");
                            insideTurn = false;
                        }
                    }
                }
            }
            case PHI_3 -> {
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|end|>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>\n");
                }
            }
            case PHI_4 -> {
                for (ChatMessage m : messages) {
                    sb.append("<|im_start|>").append(m.role()).append("<|im_sep|>").append(m.content()).append("<|im_end|>");
                }
                if (addAssistantPrompt) {
                    sb.append("<|im_start|>assistant<|im_sep|>");
                }
            }
            case FALCON_3 -> {
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append('\n');
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>\n");
                }
            }
            case ZEPHYR -> {
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|endoftext|>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>\n");
                }
            }
            case MONARCH -> {
                for (int i = 0; i < messages.size(); i++) {
                    ChatMessage m = messages.get(i);
                    sb.append(i == 0 ? "" : "<s>").append(m.role()).append('\n').append(m.content()).append("</s>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<s>assistant\n");
                }
            }
            case GEMMA -> {
                // no system role: system text is merged into the next user turn
                StringBuilder system = new StringBuilder();
                for (ChatMessage m : messages) {
                    if (m.role().equals("system")) {
                        system.append(trim(m.content()));
                        continue;
                    }
                    String role = m.role().equals("assistant") ? "model" : m.role();
                    sb.append("<start_of_turn>").append(role).append('\n');
                    if (!system.isEmpty() && !role.equals("model")) {
                        sb.append(system).append("\n\n");
                        system.setLength(0);
                    }
                    sb.append(trim(m.content())).append("<end_of_turn>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<start_of_turn>model\n");
                }
            }
            case ORION -> {
                StringBuilder system = new StringBuilder();
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> system.append(m.content());
                        case "user" -> {
                            sb.append("Human: ");
                            if (!system.isEmpty()) {
                                sb.append(system).append("\n\n");
                                system.setLength(0);
                            }
                            sb.append(m.content()).append("\n\nAssistant: </s>");
                        }
                        default -> sb.append(m.content()).append("</s>");
                    }
                }
            }
            case OPENCHAT -> {
                for (ChatMessage m : messages) {
                    if (m.role().equals("system")) {
                        sb.append(m.content()).append("<|end_of_turn|>");
                    } else {
                        sb.append("GPT4 Correct ").append(upperFirst(m.role())).append(": ").append(m.content()).append("<|end_of_turn|>");
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("GPT4 Correct Assistant:");
                }
            }
            case VICUNA, VICUNA_ORCA -> {
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append(this == VICUNA_ORCA ? "SYSTEM: " + m.content() + "\n" : m.content() + "\n\n");
                        case "user" -> sb.append("USER: ").append(m.content()).append('\n');
                        case "assistant" -> sb.append("ASSISTANT: ").append(m.content()).append("</s>\n");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("ASSISTANT:");
                }
            }
            case DEEPSEEK -> {
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append(m.content());
                        case "user" -> sb.append("### Instruction:\n").append(m.content()).append('\n');
                        case "assistant" -> sb.append("### Response:\n").append(m.content()).append("\n<|EOT|>\n");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("### Response:\n");
                }
            }
            case COMMAND_R -> {
                for (ChatMessage m : messages) {
                    String tag = switch (m.role()) {
                        case "system" -> "<|SYSTEM_TOKEN|>";
                        case "user" -> "<|USER_TOKEN|>";
                        case "assistant" -> "<|CHATBOT_TOKEN|>";
                        default -> null;
                    };
                    if (tag != null) {
                        sb.append("<|START_OF_TURN_TOKEN|>").append(tag).append(trim(m.content())).append("<|END_OF_TURN_TOKEN|>");
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>");
                }
            }
            case LLAMA_3 -> {
                for (ChatMessage m : messages) {
                    sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                            .append(trim(m.content())).append("<|eot_id|>");
                }
                if (addAssistantPrompt) {
                    sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                }
            }
            case CHATGLM_3 -> {
                sb.append("[gMASK]sop");
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n ").append(m.content());
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>");
                }
            }
            case CHATGLM_4 -> {
                sb.append("[gMASK]<sop>");
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n").append(m.content());
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>\n");
                }
            }
            case GLMEDGE -> {
                for (ChatMessage m : messages) {
                    sb.append("<|").append(m.role()).append("|>\n").append(m.content());
                }
                if (addAssistantPrompt) {
                    sb.append("<|assistant|>");
                }
            }
            case MINICPM -> {
                for (ChatMessage m : messages) {
                    if (m.role().equals("user")) {
                        sb.append("<用户>").append(trim(m.content())).append("<AI>");
                    } else {
                        sb.append(trim(m.content()));
                    }
                }
            }
            case DEEPSEEK_2 -> {
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append(m.content()).append("\n\n");
                        case "user" -> sb.append("User: ").append(m.content()).append("\n\n");
                        case "assistant" -> sb.append("Assistant: ").append(m.content()).append("<｜end▁of▁sentence｜>");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("Assistant:");
                }
            }
            case DEEPSEEK_3 -> {
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append(m.content()).append("\n\n");
                        case "user" -> sb.append("<｜User｜>").append(m.content());
                        case "assistant" -> sb.append("<｜Assistant｜>").append(m.content()).append("<｜end▁of▁sentence｜>");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("<｜Assistant｜>");
                }
            }
            case EXAONE_3, EXAONE_4 -> {
                for (ChatMessage m : messages) {
                    String c = trim(m.content());
                    switch (m.role()) {
                        case "system" -> sb.append("[|system|]").append(c).append("[|endofturn|]\n");
                        case "user" -> sb.append("[|user|]").append(c).append('\n');
                        case "assistant" -> sb.append("[|assistant|]").append(c).append("[|endofturn|]\n");
                        case "tool" -> {
                            if (this == EXAONE_4) {
                                sb.append("[|tool|]").append(c).append("[|endofturn|]\n");
                            }
                        }
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("[|assistant|]");
                }
            }
            case RWKV_WORLD -> {
                // the assistant prompt follows a final user message, whatever addAssistantPrompt says (as llama.cpp)
                for (int i = 0; i < messages.size(); i++) {
                    ChatMessage m = messages.get(i);
                    String c = trim(m.content());
                    switch (m.role()) {
                        case "system" -> sb.append("System: ").append(c).append("\n\n");
                        case "user" -> {
                            sb.append("User: ").append(c).append("\n\n");
                            if (i == messages.size() - 1) {
                                sb.append("Assistant:");
                            }
                        }
                        case "assistant" -> sb.append("Assistant: ").append(c).append("\n\n");
                        default -> { }
                    }
                }
            }
            case GRANITE -> {
                for (ChatMessage m : messages) {
                    sb.append("<|start_of_role|>").append(m.role()).append("<|end_of_role|>");
                    if (m.role().equals("assistant_tool_call")) {
                        sb.append("<|tool_call|>");
                    }
                    sb.append(m.content()).append("<|end_of_text|>\n");
                }
                if (addAssistantPrompt) {
                    sb.append("<|start_of_role|>assistant<|end_of_role|>\n");
                }
            }
            case GIGACHAT -> {
                boolean hasSystem = !messages.isEmpty() && messages.get(0).role().equals("system");
                sb.append("<s>");
                if (hasSystem) {
                    sb.append(messages.get(0).content()).append("<|message_sep|>");
                }
                for (int i = hasSystem ? 1 : 0; i < messages.size(); i++) {
                    ChatMessage m = messages.get(i);
                    switch (m.role()) {
                        case "user" -> sb.append("user<|role_sep|>").append(m.content()).append("<|message_sep|>")
                                .append("available functions<|role_sep|>[]<|message_sep|>");
                        case "assistant" -> sb.append("assistant<|role_sep|>").append(m.content()).append("<|message_sep|>");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("assistant<|role_sep|>");
                }
            }
            case MEGREZ -> {
                for (ChatMessage m : messages) {
                    sb.append("<|role_start|>").append(m.role()).append("<|role_end|>").append(m.content()).append("<|turn_end|>");
                }
                if (addAssistantPrompt) {
                    sb.append("<|role_start|>assistant<|role_end|>");
                }
            }
            case YANDEX -> {
                sb.append("<s>");
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "user" -> sb.append(" Пользователь: ").append(m.content()).append("\n\n");
                        case "assistant" -> sb.append(" Ассистент: ").append(m.content()).append("\n\n");
                        default -> { }
                    }
                }
                if (addAssistantPrompt) {
                    sb.append(" Ассистент:[SEP]");
                }
            }
            case BAILING -> {
                for (ChatMessage m : messages) {
                    String role = m.role().equals("user") ? "HUMAN" : asciiUpper(m.role());
                    sb.append("<role>").append(role).append("</role>").append(m.content());
                }
                if (addAssistantPrompt) {
                    sb.append("<role>ASSISTANT</role>");
                }
            }
            case LLAMA_4 -> {
                for (ChatMessage m : messages) {
                    sb.append("<|header_start|>").append(m.role()).append("<|header_end|>\n\n")
                            .append(trim(m.content())).append("<|eot|>");
                }
                if (addAssistantPrompt) {
                    sb.append("<|header_start|>assistant<|header_end|>\n\n");
                }
            }
            case SMOLVLM -> {
                sb.append("<|im_start|>"); // SmolVLM's BOS; the turns are not ChatML
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case "system" -> sb.append(m.content()).append("\n\n");
                        case "user" -> sb.append("User: ").append(m.content()).append("<end_of_utterance>\n");
                        default -> sb.append("Assistant: ").append(m.content()).append("<end_of_utterance>\n");
                    }
                }
                if (addAssistantPrompt) {
                    sb.append("Assistant:");
                }
            }
        }
        return sb.toString();
    }

    /** Strips C {@code isspace} characters (space, \t, \n, \v, \f, \r) from both ends, as llama.cpp's trim. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isCSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isCSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static String upperFirst(String s) {
        return s.isEmpty() ? s : asciiUpper(s.substring(0, 1)) + s.substring(1);
    }

    /** ASCII-only upper case (C {@code toupper} in the "C" locale). */
    private static String asciiUpper(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return sb.toString();
    }

    @Override
    public String toString() { return templateName; }
}
