package dev.minnow.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** llama.cpp's tokenizer test vectors (test-tokenizer-0): every text must give exactly llama.cpp's ids. */
@Tag("conformance")
class TokenizerConformanceTest {

    /** The .inp convention: texts separated by lines holding only __ggml_vocab_test__. */
    static List<byte[]> readTexts(Path inp) throws IOException {
        byte[] raw = Files.readAllBytes(inp);
        String all = new String(raw, StandardCharsets.ISO_8859_1); // byte-exact
        String sep = "\n__ggml_vocab_test__\n";
        List<byte[]> texts = new ArrayList<>();
        int pos = 0;
        while (pos < all.length()) {
            int next = all.indexOf(sep, pos);
            if (next < 0) {
                next = all.length();
            }
            texts.add(all.substring(pos, next).getBytes(StandardCharsets.ISO_8859_1));
            pos = next + sep.length();
        }
        return texts;
    }

    static int[] parseIds(String line) {
        String t = line.trim();
        return t.isEmpty() ? new int[0] : Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "gpt-2"})
    void encodesExactlyLikeLlamaCpp(String vocabName) throws IOException {
        Path gguf = Fixtures.path("tokenizer/ggml-vocab-" + vocabName + ".gguf");
        List<byte[]> texts = readTexts(Fixtures.path("tokenizer/ggml-vocab-" + vocabName + ".gguf.inp"));
        List<String> lines = Files.readAllLines(Fixtures.path("tokenizer/ggml-vocab-" + vocabName + ".gguf.out"), StandardCharsets.UTF_8);
        assertEquals(lines.size(), texts.size(), "texts in .inp vs lines in .out");
        assertTrue(texts.size() > 40, "expected the full test set, got " + texts.size());
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(gguf)) {
            tok = Tokenizer.of(Vocabulary.fromGguf(f));
        }
        int roundTrips = 0;
        for (int i = 0; i < texts.size(); i++) {
            byte[] text = texts.get(i);
            int[] expect = parseIds(lines.get(i));
            int[] got = tok.encode(text, false, false);
            String shown = new String(text, StandardCharsets.UTF_8).replace("\n", "\\n").replace("\t", "\\t");
            assertEquals(Arrays.toString(expect), Arrays.toString(got), vocabName + " text #" + i + " '" + shown + "'");
            byte[] back = tok.decodeBytes(got, false);
            assertEquals(new String(text, StandardCharsets.UTF_8), new String(back, StandardCharsets.UTF_8),
                    vocabName + " decode of text #" + i);
            roundTrips++;
        }
        assertEquals(texts.size(), roundTrips);
    }

    /** Random text over awkward characters round-trips through the real vocabularies; random bytes never throw. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "gpt-2"})
    void randomTextRoundTrips(String vocabName) {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(Fixtures.path("tokenizer/ggml-vocab-" + vocabName + ".gguf"))) {
            tok = Tokenizer.of(Vocabulary.fromGguf(f));
        }
        int[] alphabet = {' ', ' ', '\n', '\t', 'a', 'e', 'T', 'h', 'z', '\'', 's', '1', '0', '!', '.', '<', '>', '#',
                0xE9, 0xFC, 0x4E2D, 0x6587, 0x0410, 0x1F999, 0x1F600, 0x200D, 0xFE0F, 0x0301, 0x00A0, 0x3000, 0x0E01};
        long seed = dev.minnow.tensor.testing.Gen.seed("roundtrip-" + vocabName);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int iter = 0; iter < 300; iter++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(40);
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
            }
            String text = sb.toString();
            int[] ids = tok.encode(text, false);
            assertEquals(text, tok.decode(ids), vocabName + " seed " + seed + " text " + Arrays.toString(text.codePoints().toArray()));
            byte[] junk = new byte[r.nextInt(20)];
            r.nextBytes(junk);
            for (int id : tok.encode(junk, true, true)) {
                assertTrue(id >= 0 && id < tok.vocabulary().size(), "id " + id + " from random bytes, seed " + seed);
            }
        }
    }
}
