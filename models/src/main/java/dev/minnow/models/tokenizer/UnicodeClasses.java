package dev.minnow.models.tokenizer;

/**
 * The code point classes llama.cpp's pre-tokenizers use: letters (L*), numbers (N*), and whitespace by the Unicode
 * White_Space property (which Java's {@code Character.isWhitespace} does not follow: it omits U+00A0 and U+202F
 * and adds U+001C..U+001F). Also GPT-2's byte-to-unicode table.
 */
final class UnicodeClasses {
    private UnicodeClasses() {}

    static boolean isLetter(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> true;
            default -> false;
        };
    }

    static boolean isNumber(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /** Unicode White_Space (PropList.txt). */
    static boolean isWhitespace(int cp) {
        return cp >= 0x09 && cp <= 0x0D || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** A regex character class body for {@link #isWhitespace}, to stand in for {@code \s} in Java patterns. */
    static final String WHITESPACE_CLASS = "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

    private static final int[] BYTE_TO_CP = new int[256];
    private static final int[] CP_TO_BYTE = new int[324];

    static {
        java.util.Arrays.fill(CP_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            int cp = printable ? b : 256 + extra++;
            BYTE_TO_CP[b] = cp;
            CP_TO_BYTE[cp] = b;
        }
    }

    /** GPT-2's visible stand-in for a byte (bytes_to_unicode). */
    static int byteToCodePoint(int b) { return BYTE_TO_CP[b & 0xff]; }

    /** The byte a GPT-2 stand-in code point means, or -1. */
    static int codePointToByte(int cp) { return cp >= 0 && cp < CP_TO_BYTE.length ? CP_TO_BYTE[cp] : -1; }
}
