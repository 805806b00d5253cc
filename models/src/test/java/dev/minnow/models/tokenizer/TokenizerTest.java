package dev.minnow.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.testing.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The tokenizer algorithms on small synthetic vocabularies, with answers worked out by hand. */
class TokenizerTest {

    /** &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, 256 byte tokens, then pieces with scores. */
    private static Vocabulary spm(String[] pieces, float[] pieceScores) {
        List<String> texts = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
        for (int b = 0; b < 256; b++) {
            texts.add(String.format("<0x%02X>", b));
            types.add(TokenType.BYTE);
        }
        float[] scores = new float[texts.size() + pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            texts.add(pieces[i]);
            types.add(TokenType.NORMAL);
            scores[259 + i] = pieceScores[i];
        }
        return Vocabulary.builder(Vocabulary.Model.LLAMA, texts).scores(scores)
                .types(types.toArray(TokenType[]::new)).build();
    }

    @Test
    void sentencePieceMergesHighestScoreFirst() {
        // "▁ab": candidates "▁a" (score -5) and "ab" (score -1): "ab" wins, then "▁ab" is not a token.
        Vocabulary v = spm(new String[] {"▁", "a", "b", "▁a", "ab", "▁ab_"}, new float[] {-1, -2, -2, -5, -1, -9});
        Tokenizer t = Tokenizer.of(v);
        int sp = v.id("▁");
        int ab = v.id("ab");
        assertArrayEquals(new int[] {sp, ab}, t.encode("ab", false));
        assertArrayEquals(new int[] {1, sp, ab}, t.encode("ab", true));
        // with "▁ab" in the vocabulary the two symbols merge again
        Vocabulary v2 = spm(new String[] {"▁", "a", "b", "▁a", "ab", "▁ab"}, new float[] {-1, -2, -2, -5, -1, -9});
        assertArrayEquals(new int[] {v2.id("▁ab")}, Tokenizer.of(v2).encode("ab", false));
    }

    @Test
    void sentencePieceTiesGoLeftmost() {
        // "aaa": "aa" can form at (0,1) or (1,2) with equal scores: the left pair merges first.
        Vocabulary v = spm(new String[] {"▁", "a", "aa"}, new float[] {-1, -1, -1});
        Tokenizer t = Tokenizer.of(v);
        assertArrayEquals(new int[] {v.id("▁"), v.id("aa"), v.id("a")}, t.encode("aaa", false));
    }

    @Test
    void sentencePieceFallsBackToBytesAndDecodes() {
        Vocabulary v = spm(new String[] {"▁", "h", "i", "hi", "▁hi"}, new float[] {-1, -2, -2, -2, -3});
        Tokenizer t = Tokenizer.of(v);
        // "é" (C3 A9) is not in the vocabulary: two byte tokens
        int[] ids = t.encode("hi é", false);
        assertArrayEquals(new int[] {v.id("▁hi"), v.id("▁"), 3 + 0xC3, 3 + 0xA9}, ids);
        assertEquals("hi é", t.decode(ids));
        // a leading space in the input survives the round trip (only the added prefix is removed)
        assertEquals(" hi", t.decode(t.encode(" hi", false)));
        assertArrayEquals(new int[0], t.encode("", false));
        assertEquals("", t.decode(1, 2)); // control tokens decode to nothing
    }

    private static Vocabulary bpe(List<String> tokens, List<String> merges, String pre) {
        return Vocabulary.builder(Vocabulary.Model.GPT2, tokens).merges(merges).preTokenizer(pre).build();
    }

    @Test
    void bytePairMergesByRankAndMapsBytes() {
        // Ġ is GPT-2's stand-in for the space byte.
        List<String> tokens = List.of("h", "e", "l", "o", "Ġ", "he", "ll", "hell", "hello", "Ġh", "<|endoftext|>");
        List<String> merges = List.of("h e", "l l", "he ll", "hell o", "Ġ h");
        Vocabulary v = bpe(tokens, merges, "gpt-2");
        Tokenizer t = Tokenizer.of(v);
        // " hel": "h e" (rank 0) merges before "Ġ h" (rank 4), after which "Ġ he" is no merge
        assertArrayEquals(new int[] {v.id("hello"), v.id("Ġ"), v.id("he"), v.id("l")}, t.encode("hello hel", false));
        assertArrayEquals(new int[] {v.id("Ġh")}, t.encode(" h", false));
        assertEquals("hello hel", t.decode(t.encode("hello hel", false)));
        // control token text is not parsed without parseSpecial, and is with it
        int eot = v.id("<|endoftext|>");
        assertTrue(v.isEndOfGeneration(eot));
        assertArrayEquals(new int[] {v.id("he"), eot}, t.encode("he<|endoftext|>", false, true));
    }

    @Test
    void byteToUnicodeIsABijection() {
        boolean[] seen = new boolean[512];
        for (int b = 0; b < 256; b++) {
            int cp = UnicodeClasses.byteToCodePoint(b);
            assertTrue(!seen[cp], "code point " + cp + " used twice");
            seen[cp] = true;
            assertEquals(b, UnicodeClasses.codePointToByte(cp));
        }
        assertEquals('Ġ', UnicodeClasses.byteToCodePoint(' '));
        assertEquals('Ċ', UnicodeClasses.byteToCodePoint('\n'));
        assertEquals('A', UnicodeClasses.byteToCodePoint('A'));
    }

    private static List<String> words(PreTokenizer p, String s) {
        int[] cps = s.codePoints().toArray();
        List<String> out = new ArrayList<>();
        int at = 0;
        for (int len : p.split(cps)) {
            out.add(new String(cps, at, len));
            at += len;
        }
        assertEquals(cps.length, at);
        return out;
    }

    @Test
    void gpt2PreTokenizerSplitsLikeItsRegex() {
        assertEquals(List.of("Hello", ",", " world", "'s", " 123", "  ", " x", "!!", "\n"),
                words(PreTokenizer.GPT2, "Hello, world's 123   x!!\n"));
        assertEquals(List.of(" ", "\u00a0", "é"), words(PreTokenizer.GPT2, " \u00a0é").subList(0, 1).size() == 1
                ? words(PreTokenizer.GPT2, " \u00a0é") : List.of());
    }

    /** The hand-written GPT-2 scanner agrees with the GPT-2 regex run by java.util.regex on random text. */
    @Test
    void gpt2ScannerMatchesRegexOnRandomText() {
        Pattern gpt2 = Pattern.compile(PreTokenizer.withUnicodeWhitespace(
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"));
        int[] alphabet = {' ', ' ', ' ', '\n', '\t', 'a', 'B', 'z', '\'', 's', 't', 'l', 'r', 'e', 'v', '1', '9', '!',
                '.', '-', 0xA0, 0x3000, 0xE9, 0x4E2D, 0x0661, 0x00BD, 0x1F600, 0x0301, 0x2028};
        long seed = Gen.seed("gpt2ScannerMatchesRegex");
        SplittableRandom r = new SplittableRandom(seed);
        for (int iter = 0; iter < 2000; iter++) {
            int n = r.nextInt(24);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            List<String> expect = new ArrayList<>();
            Matcher m = gpt2.matcher(s);
            int last = 0;
            while (m.find()) {
                if (m.start() > last) {
                    expect.add(s.substring(last, m.start()));
                }
                expect.add(m.group());
                last = m.end();
            }
            if (last < s.length()) {
                expect.add(s.substring(last));
            }
            assertEquals(expect, words(PreTokenizer.GPT2, s), "text " + Arrays.toString(s.codePoints().toArray()) + " seed " + seed);
        }
    }

    @Test
    void otherPreTokenizersSplit() {
        assertEquals(List.of("Hello", " world", " ", "123", "4", "\n\n", "x"), words(PreTokenizer.LLAMA3, "Hello world 1234\n\nx"));
        assertEquals(List.of("1", "2", "3"), words(PreTokenizer.QWEN2, "123"));
        assertEquals(List.of("Hi", "!!", " ", "123", "4"), words(PreTokenizer.DEFAULT, "Hi!! 1234"));
    }

    @Test
    void unsupportedNamesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreTokenizer.ofGguf("falcon-x"));
        assertTrue(e.getMessage().contains("falcon-x") && e.getMessage().contains("gpt-2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.Model.ofGguf("bert"));
        assertTrue(e.getMessage().contains("bert") && e.getMessage().contains("llama"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder(Vocabulary.Model.LLAMA, List.of("a")).bos(5).build());
    }
}
