package dev.minnow.models.llm;

import java.util.Objects;

/**
 * One message of a conversation: a role ({@code system}, {@code user}, {@code assistant}, or whatever a template
 * knows) and its text.
 *
 * <pre>{@code
 * List.of(ChatMessage.system("You are terse."), ChatMessage.user("Hi"))
 * }</pre>
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }

    public static ChatMessage user(String content) { return new ChatMessage("user", content); }

    public static ChatMessage assistant(String content) { return new ChatMessage("assistant", content); }
}
