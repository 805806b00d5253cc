package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** synth, tokenize, generate, logits and bench -m on a tiny synthesised model, and their one-line errors. */
class LlmCommandsTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void synth() {
        model = dir.resolve("tiny.gguf");
        String[] r = MainTest.capture(() -> Main.execute("synth", "--dim", "32", "--layers", "1", "--heads", "4",
                "--kv-heads", "2", "--ffn", "48", "--ctx", "64", "--type", "f16", "-o", model.toString()));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("llama dim 32, 1 layers, 4/2 heads, ffn 48") && r[1].contains("F16"), r[1]);
    }

    @Test
    void tokenizeGenerateLogitsBench() throws IOException {
        String[] r = MainTest.capture(() -> Main.execute("tokenize", "-m", model.toString(), "-p", "the fish", "--ids"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].strip().startsWith("[") && r[1].strip().endsWith("]"), r[1]);

        Path inp = dir.resolve("texts.inp");
        Files.writeString(inp, "a b\n__ggml_vocab_test__\n\n__ggml_vocab_test__\nriver\n__ggml_vocab_test__\n");
        r = MainTest.capture(() -> Main.execute("tokenize", "-m", model.toString(), "-f", inp.toString(), "--ids"));
        assertEquals("0", r[0], r[2]);
        assertEquals(3, r[1].lines().count(), r[1]);
        assertEquals("", r[1].lines().toList().get(1), "an empty text gives an empty line");

        r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "5", "--ids"));
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        assertEquals(2, lines.length, r[1]);
        assertEquals(5, lines[0].substring(lines[0].indexOf('|') + 1).trim().split(" ").length, lines[0]);
        assertTrue(lines[1].startsWith("prompt ") && lines[1].contains("prefill") && lines[1].contains("decode")
                && lines[1].contains("load"), lines[1]);

        r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "4",
                "--temp", "0.9", "--top-p", "0.9", "--seed", "3", "--kv-type", "f16", "--ctx", "32"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("the fish"), r[1]);

        // penalties and stop strings reach the generation options; a bad value is a one-line error
        r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "4",
                "--frequency-penalty", "0.5", "--presence-penalty", "0.2", "--repeat-penalty", "1.1", "--stop", "zz"));
        assertEquals("0", r[0], r[2]);
        r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "4",
                "--frequency-penalty", "NaN"));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("frequency and presence penalties must be finite"), r[2]);

        Path npy = dir.resolve("l.npy");
        r = MainTest.capture(() -> Main.execute("logits", "-m", model.toString(), "-p", "the fish", "-o", npy.toString()));
        assertEquals("0", r[0], r[2]);
        byte[] b = Files.readAllBytes(npy);
        String header = new String(b, 10, (b[8] & 0xff) | (b[9] & 0xff) << 8, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'<f4'") && header.contains("'shape': ("), header);
        assertEquals(0, (10 + header.length()) % 64, "npy header padded to 64 bytes");

        r = MainTest.capture(() -> Main.execute("bench", "-m", model.toString(), "-p", "4", "-n", "2", "-r", "1"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("pp4") && r[1].contains("tg2") && r[1].contains("t/s"), r[1]);

        // one row pair per thread count, and with --bandwidth the decode roofline columns
        System.setProperty("minnow.probe.bytes", String.valueOf(64L << 20)); // the smallest probe buffer
        try {
            r = MainTest.capture(() -> Main.execute("bench", "-m", model.toString(), "-p", "4", "-n", "2", "-r", "1",
                    "-t", "1,1", "--bandwidth"));
        } finally {
            System.clearProperty("minnow.probe.bytes");
        }
        assertEquals("0", r[0], r[2]);
        assertEquals(2, r[1].lines().filter(l -> l.contains("| tg2 ")).count(), r[1]);
        assertTrue(r[1].contains("% bw") && r[1].lines().filter(l -> l.contains("| tg2 ")).allMatch(l -> l.matches(".*\\d+% \\|$")), r[1]);

        r = MainTest.capture(() -> Main.execute("bench", "-m", model.toString(), "-t", "0"));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("thread count 0 is outside 1.."), r[2]);
    }

    /** synth --arch writes each architecture; generate, logits and bench -m run it through LanguageModel. */
    @Test
    void otherArchitecturesSynthesiseAndRun() {
        String[][] archs = {{"qwen2"}, {"stablelm", "--parallel-residual", "--qk-norm"}, {"phi3", "--rope-factors", "--qkv-bias"}};
        for (String[] a : archs) {
            Path m = dir.resolve(a[0] + ".gguf");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("synth", "--arch", a[0], "--dim", "32",
                    "--layers", "1", "--heads", "4", "--kv-heads", "2", "--ffn", "64", "--ctx", "64", "--type", "q8_0",
                    "-o", m.toString()));
            args.addAll(java.util.Arrays.asList(a).subList(1, a.length));
            String[] r = MainTest.capture(() -> Main.execute(args.toArray(String[]::new)));
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains(a[0] + " dim 32, 1 layers, 4/2 heads, ffn 64") && r[1].contains("Q8_0"), r[1]);
            r = MainTest.capture(() -> Main.execute("generate", "-m", m.toString(), "-p", "the fish", "-n", "3", "--ids"));
            assertEquals("0", r[0], r[2]);
            r = MainTest.capture(() -> Main.execute("logits", "-m", m.toString(), "-p", "the fish", "-o", dir.resolve(a[0] + ".npy").toString()));
            assertEquals("0", r[0], r[2]);
            r = MainTest.capture(() -> Main.execute("bench", "-m", m.toString(), "-p", "4", "-n", "2", "-r", "1"));
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("tg2"), r[1]);
        }
        String[] r = MainTest.capture(() -> Main.execute("synth", "--arch", "qwen2", "--parallel-residual", "--dim", "32",
                "--layers", "1", "--heads", "4", "--ffn", "48", "-o", dir.resolve("y.gguf").toString()));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("parallel residual is a stablelm option"), r[2]);
    }

    /**
     * --threads on generate, logits and perplexity sets the threads the kernels use; perplexity prints its running
     * estimate per chunk (stderr, llama-perplexity's [i]ppl, form) and ends with the same value as the final one.
     */
    @Test
    void threadsAndPerplexity() throws IOException {
        int active = dev.minnow.kernels.Parallel.threads();
        String property = System.getProperty("minnow.threads");
        try {
            dev.minnow.kernels.Parallel.setActiveThreads(dev.minnow.kernels.Parallel.poolSize());
            String[] r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "3",
                    "--ids", "--threads", "1"));
            assertEquals("0", r[0], r[2]);
            assertEquals(1, dev.minnow.kernels.Parallel.threads(), "generate --threads 1");
            dev.minnow.kernels.Parallel.setActiveThreads(dev.minnow.kernels.Parallel.poolSize());
            r = MainTest.capture(() -> Main.execute("logits", "-m", model.toString(), "-p", "the fish", "--threads", "1",
                    "-o", dir.resolve("t.npy").toString()));
            assertEquals("0", r[0], r[2]);
            assertEquals(1, dev.minnow.kernels.Parallel.threads(), "logits --threads 1");
            dev.minnow.kernels.Parallel.setActiveThreads(dev.minnow.kernels.Parallel.poolSize());

            Path text = dir.resolve("ppl.txt");
            Files.writeString(text, "the fish swam up the river and the river ran down to the sea. ".repeat(12));
            r = MainTest.capture(() -> Main.execute("perplexity", "-m", model.toString(), "-f", text.toString(), "-c", "16",
                    "--chunks", "3", "--threads", "1"));
            assertEquals("0", r[0], r[2]);
            assertEquals(1, dev.minnow.kernels.Parallel.threads(), "perplexity --threads 1");
            java.util.regex.Matcher running = java.util.regex.Pattern.compile("\\[(\\d+)\\]([0-9.]+),").matcher(r[2]);
            java.util.List<String> estimates = new java.util.ArrayList<>();
            while (running.find()) {
                assertEquals(estimates.size() + 1, Integer.parseInt(running.group(1)), r[2]);
                estimates.add(running.group(2));
            }
            assertEquals(3, estimates.size(), "one running estimate per chunk: " + r[2]);
            assertTrue(r[1].startsWith("PPL = " + estimates.get(2) + " over 3 chunks of 16"), r[1] + " / " + r[2]);
            assertTrue(!estimates.get(0).equals(estimates.get(2)), "the estimate moves with the chunks: " + estimates);

            r = MainTest.capture(() -> Main.execute("perplexity", "-m", model.toString(), "-f", text.toString(), "--threads", "0"));
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("--threads must be at least 1, got 0"), r[2]);
        } finally {
            dev.minnow.kernels.Parallel.setActiveThreads(active);
            if (property == null) {
                System.clearProperty("minnow.threads");
            } else {
                System.setProperty("minnow.threads", property);
            }
        }
    }

    @Test
    void errorsAreOneLine() {
        String[] r = MainTest.capture(() -> Main.execute("generate", "-m", model.toString(), "-p", "the fish", "-n", "100", "--ctx", "16"));
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().filter(l -> !l.startsWith("minnow: kernels")).count(), r[2]);
        assertTrue(r[2].contains("exceeds the context size 16"), r[2]);

        r = MainTest.capture(() -> Main.execute("synth", "--arch", "mamba", "--dim", "32", "--layers", "1", "--heads", "4",
                "--ffn", "48", "-o", dir.resolve("x.gguf").toString()));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unsupported architecture 'mamba'; supported: llama, qwen2, stablelm, phi3"), r[2]);

        r = MainTest.capture(() -> Main.execute("generate", "-m", dir.resolve("missing.gguf").toString(), "-p", "x"));
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }
}
