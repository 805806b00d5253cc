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
}
