package dev.minnow.models.llm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token pieces (byte strings that may split a UTF-8 character, e.g. byte-fallback tokens)
 * into text: {@link #push} returns the characters that are complete so far and keeps an incomplete tail.
 */
final class Utf8Stream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    String push(byte[] piece) {
        pending.writeBytes(piece);
        byte[] b = pending.toByteArray();
        int complete = completePrefix(b);
        pending.reset();
        pending.write(b, complete, b.length - complete);
        return new String(b, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is left (malformed bytes become U+FFFD). */
    String flush() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** Length of the longest prefix that does not end inside a (possibly valid) multi-byte sequence. */
    private static int completePrefix(byte[] b) {
        int n = b.length;
        // look back at most 3 bytes for a lead byte whose sequence is cut off
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xff;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
