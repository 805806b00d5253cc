package dev.minnow.models.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How byte-level BPE splits text into words before merging, by {@code tokenizer.ggml.pre}. GPT-2's split is a
 * hand-written scanner equivalent to its regex (as llama.cpp's {@code unicode_regex_split_custom_gpt2}); the
 * others are sequences of Java patterns with {@code \s} spelled out as Unicode White_Space, applied one after
 * another, where each keeps both the matched and the unmatched stretches as words (llama.cpp's semantics).
 */
public enum PreTokenizer {
    /** {@code gpt-2} (and mpt, olmo, jais): {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    GPT2(List.of("gpt-2", "gpt2", "mpt", "olmo", "jais"), List.of()),
    /** {@code default}: punctuation runs, then GPT-2's split, then digit runs, then digit triples. */
    DEFAULT(List.of("default", ""), List.of(
            "[\\p{P}$+<=>^~|]+",
            "GPT2",
            "\\p{N}+",
            "[0-9][0-9][0-9]")),
    /** {@code llama-bpe} (Llama 3). */
    LLAMA3(List.of("llama-bpe", "llama3", "smaug-bpe", "falcon3"), List.of(
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
    /** {@code qwen2} (Qwen 2 / 2.5, DeepSeek-R1-Qwen) and {@code stablelm2} (StableLM 2: same regex in llama.cpp). */
    QWEN2(List.of("qwen2", "qwen2.5", "qwen-2.5", "deepseek-r1-qwen", "stablelm2"), List.of(
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"));

    private final List<String> ggufNames;
    private final List<Pattern> patterns; // a null entry means the GPT-2 scanner

    PreTokenizer(List<String> ggufNames, List<String> regexes) {
        this.ggufNames = ggufNames;
        List<Pattern> ps = new ArrayList<>();
        for (String r : regexes) {
            ps.add(r.equals("GPT2") ? null : Pattern.compile(withUnicodeWhitespace(r)));
        }
        this.patterns = ps.isEmpty() ? java.util.Collections.singletonList(null) : ps;
    }

    /** Spells {@code \s} and {@code \S} out as Unicode White_Space (inside and outside character classes). */
    static String withUnicodeWhitespace(String regex) {
        String ws = UnicodeClasses.WHITESPACE_CLASS;
        StringBuilder sb = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char d = regex.charAt(i + 1);
                i++;
                if (d == 's') {
                    sb.append(inClass ? ws : "[" + ws + "]");
                } else if (d == 'S' && !inClass) {
                    sb.append("[^").append(ws).append(']');
                } else {
                    sb.append(c).append(d);
                }
                continue;
            }
            if (c == '[') {
                inClass = true;
            } else if (c == ']') {
                inClass = false;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value; throws naming the supported ones. */
    public static PreTokenizer ofGguf(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        for (PreTokenizer p : values()) {
            if (p.ggufNames.contains(n)) {
                return p;
            }
        }
        List<String> all = new ArrayList<>();
        for (PreTokenizer p : values()) {
            all.addAll(p.ggufNames.stream().filter(s -> !s.isEmpty()).toList());
        }
        throw new IllegalArgumentException("unsupported BPE pre-tokenizer '" + name + "'; supported: " + String.join(", ", all));
    }

    /** Splits code points {@code cps} into words; returns their lengths in code points (all positive). */
    public int[] split(int[] cps) {
        List<int[]> words = new ArrayList<>();
        words.add(new int[] {0, cps.length});
        for (Pattern p : patterns) {
            List<int[]> next = new ArrayList<>();
            for (int[] w : words) {
                if (w[1] == 0) {
                    continue;
                }
                if (p == null) {
                    gpt2(cps, w[0], w[0] + w[1], next);
                } else {
                    regex(p, cps, w[0], w[0] + w[1], next);
                }
            }
            words = next;
        }
        int[] lens = new int[words.size()];
        for (int i = 0; i < lens.length; i++) {
            lens[i] = words.get(i)[1];
        }
        return lens;
    }

    private static void regex(Pattern p, int[] cps, int from, int to, List<int[]> out) {
        String s = new String(cps, from, to - from);
        Matcher m = p.matcher(s);
        int last = 0; // in chars
        int lastCp = from;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            int startCp = lastCp + s.codePointCount(last, m.start());
            if (startCp > lastCp) {
                out.add(new int[] {lastCp, startCp - lastCp});
            }
            int lenCp = s.codePointCount(m.start(), m.end());
            out.add(new int[] {startCp, lenCp});
            last = m.end();
            lastCp = startCp + lenCp;
        }
        if (lastCp < to) {
            out.add(new int[] {lastCp, to - lastCp});
        }
    }

    /** GPT-2's regex as a scanner over code points in {@code [from, to)}. */
    private static void gpt2(int[] cps, int from, int to, List<int[]> out) {
        int pos = from;
        int prevEnd = from;
        while (pos < to) {
            int cp = cps[pos];
            // 's|'t|'re|'ve|'m|'ll|'d
            if (cp == '\'' && pos + 1 < to) {
                int c1 = cps[pos + 1];
                if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                    pos += 2;
                    prevEnd = add(out, prevEnd, pos);
                    continue;
                }
                if (pos + 2 < to) {
                    int c2 = cps[pos + 2];
                    if (c1 == 'r' && c2 == 'e' || c1 == 'v' && c2 == 'e' || c1 == 'l' && c2 == 'l') {
                        pos += 3;
                        prevEnd = add(out, prevEnd, pos);
                        continue;
                    }
                }
            }
            int lookAt = cp == ' ' ? pos + 1 : pos; // the optional leading space
            int kind = kind(cps, lookAt, to);
            if (kind == LETTER || kind == NUMBER || kind == OTHER) {
                pos = lookAt;
                while (kind(cps, pos, to) == kind) {
                    pos++;
                }
                prevEnd = add(out, prevEnd, pos);
                continue;
            }
            int spaces = 0;
            while (pos + spaces < to && UnicodeClasses.isWhitespace(cps[pos + spaces])) {
                spaces++;
            }
            if (spaces > 1 && pos + spaces < to) {
                // \s+(?!\S): leave the last space to prefix the next word
                pos += spaces - 1;
                prevEnd = add(out, prevEnd, pos);
                continue;
            }
            if (spaces > 0) {
                pos += spaces;
                prevEnd = add(out, prevEnd, pos);
                continue;
            }
            pos++;
            prevEnd = add(out, prevEnd, pos);
        }
    }

    private static final int NONE = 0;
    private static final int LETTER = 1;
    private static final int NUMBER = 2;
    private static final int OTHER = 3;
    private static final int SPACE = 4;

    private static int kind(int[] cps, int pos, int to) {
        if (pos >= to) {
            return NONE;
        }
        int cp = cps[pos];
        if (UnicodeClasses.isWhitespace(cp)) {
            return SPACE;
        }
        if (UnicodeClasses.isLetter(cp)) {
            return LETTER;
        }
        if (UnicodeClasses.isNumber(cp)) {
            return NUMBER;
        }
        return OTHER;
    }

    private static int add(List<int[]> out, int prevEnd, int end) {
        if (end > prevEnd) {
            out.add(new int[] {prevEnd, end - prevEnd});
        }
        return end;
    }
}
