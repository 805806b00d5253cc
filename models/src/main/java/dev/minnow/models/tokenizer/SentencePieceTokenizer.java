package dev.minnow.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as llama.cpp runs it ({@code llm_tokenizer_spm}): spaces become U+2581 (a space is prefixed
 * to text that starts the input or follows a special token), the text is split into UTF-8 characters, and
 * neighbouring symbols are merged while their concatenation is a token, highest score first (ties: leftmost).
 * Symbols that are not tokens fall back to {@code <0xNN>} byte tokens.
 */
public final class SentencePieceTokenizer extends Tokenizer {
    private static final byte[] SPACE_MARK = {(byte) 0xE2, (byte) 0x96, (byte) 0x81}; // U+2581
    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0) {
                id = vocab.idOfLatin1(String.valueOf((char) b)); // llama.cpp's fallback: the byte itself
            }
            byteTokens[b] = id;
        }
    }

    @Override
    void encodeFragments(byte[] text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        boolean prevSpecial = true; // prefix the first text with a space
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        for (Fragment f : fragments) {
            if (f.isText()) {
                ByteArrayOutputStream escaped = new ByteArrayOutputStream(f.len() + 8);
                if (vocab.addSpacePrefix() && prevSpecial) {
                    escaped.writeBytes(SPACE_MARK);
                }
                for (int i = f.off(); i < f.off() + f.len(); i++) {
                    if (text[i] == ' ') {
                        escaped.writeBytes(SPACE_MARK);
                    } else {
                        escaped.write(text[i]);
                    }
                }
                new Session(escaped.toByteArray()).tokenize(out);
                prevSpecial = false;
            } else {
                out.add(f.token());
                prevSpecial = true;
            }
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) {
            out.add(vocab.eos());
        }
    }

    /** One text's merge state: a doubly linked list of symbols over byte ranges of {@code text}. */
    private final class Session {
        private final byte[] text;
        private final int[] start;
        private final int[] len;
        private final int[] prev;
        private final int[] next;
        private final PriorityQueue<Bigram> queue = new PriorityQueue<>();
        private final Map<String, long[]> revMerge = new HashMap<>();

        Session(byte[] text) {
            this.text = text;
            int n = 0;
            for (int off = 0; off < text.length; off += Math.min(utf8Length(text[off]), text.length - off)) {
                n++;
            }
            start = new int[n];
            len = new int[n];
            prev = new int[n];
            next = new int[n];
            int off = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.min(utf8Length(text[off]), text.length - off);
                start[i] = off;
                len[i] = l;
                off += l;
                prev[i] = i - 1;
                next[i] = off == text.length ? -1 : i + 1;
            }
        }

        void tokenize(IntList out) {
            int n = start.length;
            for (int i = 1; i < n; i++) {
                tryAddBigram(i - 1, i);
            }
            while (!queue.isEmpty()) {
                Bigram b = queue.poll();
                if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.size) {
                    continue; // one side already merged elsewhere
                }
                len[b.left] += len[b.right];
                len[b.right] = 0;
                next[b.left] = next[b.right];
                if (next[b.right] >= 0) {
                    prev[next[b.right]] = b.left;
                }
                tryAddBigram(prev[b.left], b.left);
                tryAddBigram(b.left, next[b.left]);
            }
            for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
                resegment(i, out);
            }
        }

        private void tryAddBigram(int left, int right) {
            if (left == -1 || right == -1) {
                return;
            }
            String key = Vocabulary.latin1(text, start[left], len[left] + len[right]);
            int id = vocab.idOfLatin1(key);
            if (id < 0) {
                return;
            }
            queue.add(new Bigram(left, right, vocab.score(id), len[left] + len[right]));
            revMerge.put(key, new long[] {left, right});
        }

        private void resegment(int sym, IntList out) {
            String key = Vocabulary.latin1(text, start[sym], len[sym]);
            int id = vocab.idOfLatin1(key);
            if (id >= 0) {
                out.add(id);
                return;
            }
            long[] pair = revMerge.get(key);
            if (pair == null) {
                for (int j = 0; j < len[sym]; j++) {
                    int t = byteTokens[text[start[sym] + j] & 0xff];
                    if (t < 0) {
                        throw new IllegalStateException("vocabulary has no byte-fallback token for byte 0x"
                                + Integer.toHexString(text[start[sym] + j] & 0xff));
                    }
                    out.add(t);
                }
                return;
            }
            resegment((int) pair[0], out);
            resegment((int) pair[1], out);
        }
    }

    /** Highest score first; among equal scores the leftmost (llama.cpp's llm_bigram_spm comparator). */
    private record Bigram(int left, int right, float score, int size) implements Comparable<Bigram> {
        @Override
        public int compareTo(Bigram o) {
            int c = Float.compare(o.score, score);
            return c != 0 ? c : Integer.compare(left, o.left);
        }
    }

    @Override
    public byte[] piece(int id, boolean special) {
        byte[] t = vocab.textUnsafe(vocab.checkToken(id));
        return switch (vocab.type(id)) {
            case NORMAL -> unescape(t);
            case CONTROL, UNKNOWN -> special ? t.clone() : new byte[0];
            case USER_DEFINED -> t.clone();
            case BYTE -> new byte[] {(byte) parseByteToken(t)};
            case UNDEFINED, UNUSED -> new byte[0];
        };
    }

    private static int parseByteToken(byte[] t) {
        // "<0xNN>"
        if (t.length == 6 && t[0] == '<' && t[1] == '0' && t[2] == 'x' && t[5] == '>') {
            return Integer.parseInt(new String(t, 3, 2, java.nio.charset.StandardCharsets.US_ASCII), 16);
        }
        return t.length > 0 ? t[0] & 0xff : 0;
    }

    private static byte[] unescape(byte[] t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length);
        for (int i = 0; i < t.length; i++) {
            if (i + 2 < t.length && t[i] == SPACE_MARK[0] && t[i + 1] == SPACE_MARK[1] && t[i + 2] == SPACE_MARK[2]) {
                out.write(' ');
                i += 2;
            } else {
                out.write(t[i]);
            }
        }
        return out.toByteArray();
    }

    @Override
    boolean removeLeadingSpace() { return vocab.addSpacePrefix(); }
}
