package dev.minnow.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Text to token ids and back, as llama.cpp does it ({@code llama_tokenize} / {@code llama_detokenize}): first the
 * text is split around special tokens (user-defined ones always, control and unknown ones only when
 * {@code parseSpecial}), then each raw fragment goes through the model's algorithm.
 */
public abstract sealed class Tokenizer permits SentencePieceTokenizer, BytePairTokenizer {
    protected final Vocabulary vocab;
    private final int[] specialsLongestFirst;

    Tokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        List<Integer> specials = new ArrayList<>();
        for (int id = 0; id < vocab.size(); id++) {
            TokenType t = vocab.type(id);
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN) {
                specials.add(id);
            }
        }
        specials.sort(Comparator.comparingInt((Integer id) -> -vocab.textUnsafe(id).length));
        this.specialsLongestFirst = specials.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokenizer for {@code vocab}'s model. */
    public static Tokenizer of(Vocabulary vocab) {
        return switch (vocab.model()) {
            case LLAMA -> new SentencePieceTokenizer(vocab);
            case GPT2 -> new BytePairTokenizer(vocab);
        };
    }

    public Vocabulary vocabulary() { return vocab; }

    /** Encodes without parsing special-token texts; {@code addSpecial} adds BOS/EOS as the vocabulary asks. */
    public int[] encode(String text, boolean addSpecial) {
        return encode(text, addSpecial, false);
    }

    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return encode(text.getBytes(StandardCharsets.UTF_8), addSpecial, parseSpecial);
    }

    /** Encodes UTF-8 bytes (invalid sequences are tokenized byte by byte, as llama.cpp does). */
    public int[] encode(byte[] utf8, boolean addSpecial, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (utf8.length > 0) {
            fragments.add(new Fragment(-1, 0, utf8.length));
            partition(utf8, fragments, parseSpecial);
        }
        IntList out = new IntList();
        encodeFragments(utf8, fragments, addSpecial, out);
        return out.toArray();
    }

    /** A piece of the input: a special token ({@code token >= 0}) or raw text {@code [off, off+len)}. */
    record Fragment(int token, int off, int len) {
        boolean isText() { return token < 0; }
    }

    abstract void encodeFragments(byte[] text, List<Fragment> fragments, boolean addSpecial, IntList out);

    /** The bytes token {@code id} stands for; control and unknown tokens give nothing unless {@code special}. */
    public abstract byte[] piece(int id, boolean special);

    /** Whether decoding drops one leading space of the first piece (SentencePiece's space prefix). */
    abstract boolean removeLeadingSpace();

    /** Concatenated pieces ({@code llama_detokenize} with remove_special=false). */
    public byte[] decodeBytes(int[] ids, boolean special) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean stripSpace = removeLeadingSpace();
        for (int id : ids) {
            byte[] p = piece(vocab.checkToken(id), special);
            int start = stripSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            stripSpace = false;
            out.write(p, start, p.length - start);
        }
        return out.toByteArray();
    }

    /** Decodes ids to text (control tokens omitted; malformed UTF-8 becomes U+FFFD). */
    public String decode(int... ids) {
        return new String(decodeBytes(ids, false), StandardCharsets.UTF_8);
    }

    /** Splits raw fragments around special tokens, longest token first (llama.cpp's tokenizer_st_partition). */
    private void partition(byte[] text, List<Fragment> fragments, boolean parseSpecial) {
        for (int special : specialsLongestFirst) {
            TokenType type = vocab.type(special);
            if (!parseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
                continue;
            }
            byte[] needle = vocab.textUnsafe(special);
            for (int i = 0; i < fragments.size(); i++) {
                Fragment f = fragments.get(i);
                if (!f.isText()) {
                    continue;
                }
                int match = indexOf(text, f.off(), f.off() + f.len(), needle);
                if (match < 0) {
                    continue;
                }
                List<Fragment> replacement = new ArrayList<>(3);
                int start = f.off();
                int end = f.off() + f.len();
                while (match >= 0) {
                    if (match > start) {
                        replacement.add(new Fragment(-1, start, match - start));
                    }
                    replacement.add(new Fragment(special, 0, 0));
                    start = match + needle.length;
                    match = indexOf(text, start, end, needle);
                }
                if (start < end) {
                    replacement.add(new Fragment(-1, start, end - start));
                }
                fragments.remove(i);
                fragments.addAll(i, replacement);
                i += replacement.size() - 1;
            }
        }
    }

    private static int indexOf(byte[] hay, int from, int to, byte[] needle) {
        if (needle.length == 0) {
            return -1;
        }
        outer:
        for (int i = from; i + needle.length <= to; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Bytes in a UTF-8 sequence from its lead byte, by the high nibble (llama.cpp's unicode_len_utf8). */
    static int utf8Length(byte lead) {
        int hi = (lead & 0xff) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
