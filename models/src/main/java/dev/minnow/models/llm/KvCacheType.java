package dev.minnow.models.llm;

/** Element type of the key/value cache. F16 halves its memory; llama.cpp's default. */
public enum KvCacheType {
    F32, F16;

    /** "f32" or "f16" (case-insensitive). */
    public static KvCacheType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            default -> throw new IllegalArgumentException("KV cache type must be f32 or f16, got '" + s + "'");
        };
    }
}
