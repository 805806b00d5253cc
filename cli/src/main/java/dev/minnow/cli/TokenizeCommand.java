package dev.minnow.cli;

import dev.minnow.models.tokenizer.Tokenizer;
import dev.minnow.models.tokenizer.Vocabulary;
import dev.minnow.tensor.gguf.GgufFile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow tokenize}: text to token ids with a GGUF file's tokenizer. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize text with the tokenizer of a GGUF file (a model or a vocab-only file).",
                "-p TEXT: one text, BOS added when the vocabulary asks (as llama-tokenize).",
                "-f FILE: texts separated by lines '__ggml_vocab_test__' (llama.cpp's .inp files), no BOS, one line of ids per text."})
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file with tokenizer.ggml.* metadata")
    Path model;

    static final class Input {
        @Option(names = {"-p", "--prompt"}, description = "text to tokenize")
        String text;

        @Option(names = {"-f", "--file"}, description = "file of texts separated by __ggml_vocab_test__ lines")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--ids", description = "print only the ids")
    boolean ids;

    @Option(names = "--no-bos", description = "with -p: do not add BOS")
    boolean noBos;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(model)) {
            tok = Tokenizer.of(Vocabulary.fromGguf(f));
        }
        if (input.text != null) {
            int[] result = tok.encode(input.text, !noBos);
            if (ids) {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < result.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(result[i]);
                }
                out.println(sb.append(']'));
            } else {
                for (int id : result) {
                    out.printf("%6d -> '%s'%n", id, new String(tok.piece(id, true), StandardCharsets.UTF_8));
                }
            }
            return 0;
        }
        for (byte[] text : readTexts(input.file)) {
            int[] result = tok.encode(text, false, false);
            if (ids) {
                out.println(GenerateCommand.join(result).isEmpty() ? "" : " " + GenerateCommand.join(result));
            } else {
                out.println(new String(text, StandardCharsets.UTF_8).replace("\n", "\\n") + " -> " + GenerateCommand.join(result));
            }
        }
        return 0;
    }

    /** llama.cpp's test-tokenizer-0 convention: texts separated by "\n__ggml_vocab_test__\n". */
    static List<byte[]> readTexts(Path file) {
        String all;
        try {
            all = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
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
}
