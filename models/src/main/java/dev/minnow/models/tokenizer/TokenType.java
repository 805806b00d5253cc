package dev.minnow.models.tokenizer;

/** The {@code tokenizer.ggml.token_type} values of GGUF (llama.cpp's {@code llama_token_type}). */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    /** The type for a GGUF token_type value; unknown values are {@link #UNDEFINED}, as in llama.cpp. */
    public static TokenType ofGguf(int value) {
        return value >= 1 && value <= 6 ? values()[value] : UNDEFINED;
    }
}
