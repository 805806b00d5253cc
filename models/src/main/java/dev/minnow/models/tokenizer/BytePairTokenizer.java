package dev.minnow.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE as llama.cpp runs it ({@code llm_tokenizer_bpe}): the {@link PreTokenizer} splits text into
 * words, each word's UTF-8 bytes become GPT-2's visible stand-in characters, and neighbouring symbols merge by
 * merge rank, lowest first (ties: leftmost). Symbols left that are not tokens are emitted byte by byte where a
 * single-byte token exists.
 */
public final class BytePairTokenizer extends Tokenizer {
    private final PreTokenizer preTokenizer;
    private final Map<String, Integer> mergeRanks; // "left right" -> rank
    private final Map<String, Integer> idsByText;  // token text as a Java string -> id

    BytePairTokenizer(Vocabulary vocab) {
        super(vocab);
        this.preTokenizer = PreTokenizer.ofGguf(vocab.preTokenizer());
        List<String> merges = vocab.merges();
        this.mergeRanks = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int sp = m.indexOf(' ', 1);
            if (sp > 0) {
                mergeRanks.putIfAbsent(m.substring(0, sp) + " " + m.substring(sp + 1), rank);
            }
        }
        this.idsByText = HashMap.newHashMap(vocab.size());
        for (int id = 0; id < vocab.size(); id++) {
            idsByText.put(new String(vocab.textUnsafe(id), StandardCharsets.UTF_8), id);
        }
    }

    public PreTokenizer preTokenizer() { return preTokenizer; }

    @Override
    void encodeFragments(byte[] text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        for (Fragment f : fragments) {
            if (f.isText()) {
                tokenize(new String(text, f.off(), f.len(), StandardCharsets.UTF_8), out);
            } else {
                out.add(f.token());
            }
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) {
            out.add(vocab.eos());
        }
    }

    private void tokenize(String text, IntList out) {
        int[] cps = text.codePoints().toArray();
        int[] wordLengths = preTokenizer.split(cps);
        int at = 0;
        for (int wl : wordLengths) {
            byte[] utf8 = new String(cps, at, wl).getBytes(StandardCharsets.UTF_8);
            at += wl;
            StringBuilder mapped = new StringBuilder(utf8.length);
            for (byte b : utf8) {
                mapped.appendCodePoint(UnicodeClasses.byteToCodePoint(b));
            }
            mergeWord(mapped.toString(), out);
        }
    }

    /** Merges one byte-mapped word (all its characters are in the BMP: one char per symbol at the start). */
    private void mergeWord(String word, IntList out) {
        int n = word.length();
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 == n ? -1 : i + 1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>();
        for (int i = 1; i < n; i++) {
            addBigram(word, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0
                    || len[b.left] + len[b.right] != b.text.length()
                    || !word.regionMatches(start[b.left], b.text, 0, len[b.left])
                    || !word.regionMatches(start[b.right], b.text, len[b.left], len[b.right])) {
                continue; // outdated
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(word, start, len, prev[b.left], b.left, queue);
            addBigram(word, start, len, b.left, next[b.left], queue);
        }
        for (int i = 0; i < n; i++) {
            if (len[i] == 0) {
                continue;
            }
            String sym = word.substring(start[i], start[i] + len[i]);
            Integer id = idsByText.get(sym);
            if (id != null) {
                out.add(id);
                continue;
            }
            // llama.cpp looks up each byte of the symbol's UTF-8 text as a one-byte token
            for (byte b : sym.getBytes(StandardCharsets.UTF_8)) {
                if (b >= 0) {
                    Integer single = idsByText.get(String.valueOf((char) b));
                    if (single != null) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private void addBigram(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        String l = word.substring(start[left], start[left] + len[left]);
        String r = word.substring(start[right], start[right] + len[right]);
        Integer rank = mergeRanks.get(l + " " + r);
        if (rank != null) {
            queue.add(new Bigram(left, right, l + r, rank));
        }
    }

    /** Lowest rank first; among equal ranks the leftmost (llama.cpp's llm_bigram_bpe comparator). */
    private record Bigram(int left, int right, String text, int rank) implements Comparable<Bigram> {
        @Override
        public int compareTo(Bigram o) {
            int c = Integer.compare(rank, o.rank);
            return c != 0 ? c : Integer.compare(left, o.left);
        }
    }

    @Override
    public byte[] piece(int id, boolean special) {
        byte[] t = vocab.textUnsafe(vocab.checkToken(id));
        return switch (vocab.type(id)) {
            case NORMAL -> unmapBytes(new String(t, StandardCharsets.UTF_8));
            case CONTROL, UNKNOWN -> special ? t.clone() : new byte[0];
            case USER_DEFINED -> t.clone();
            case BYTE, UNDEFINED, UNUSED -> new byte[0];
        };
    }

    /** GPT-2 stand-in characters back to bytes; characters outside the table are kept as UTF-8. */
    private static byte[] unmapBytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        s.codePoints().forEach(cp -> {
            int b = UnicodeClasses.codePointToByte(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }

    @Override
    boolean removeLeadingSpace() { return vocab.addSpacePrefix(); }
}
