package dev.minnow.tensor.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path tmp;

    static byte[] sample(Path dir) throws IOException {
        float[] w = new float[4 * 32];
        for (int i = 0; i < w.length; i++) {
            w[i] = i * 0.5f - 3;
        }
        try (Tensor t = Tensor.of(w, 4, 32); Tensor b = Tensor.of(new float[] {1, 2, 3})) {
            Path p = dir.resolve("sample.gguf");
            new GgufWriter()
                    .putString("general.architecture", "llama")
                    .putU32("llama.block_count", 2)
                    .putF32("llama.rope.freq_base", 10000f)
                    .putBool("flag", true)
                    .putStringArray("tokenizer.ggml.tokens", new String[] {"<s>", "▁a", "é"})
                    .putF32Array("tokenizer.ggml.scores", new float[] {0f, -1f, -2.5f})
                    .putI32Array("tokenizer.ggml.token_type", new int[] {3, 1, 1})
                    .addTensor("w", t)
                    .addTensor("b", b)
                    .write(p);
            return Files.readAllBytes(p);
        }
    }

    @Test
    void roundTrip() throws IOException {
        sample(tmp);
        try (GgufFile f = GgufFile.open(tmp.resolve("sample.gguf"))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(10000f, f.getFloat("llama.rope.freq_base"));
            assertTrue(f.getBool("flag", false));
            assertArrayEquals(new String[] {"<s>", "▁a", "é"}, f.getStringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(new float[] {0f, -1f, -2.5f}, f.getFloatArray("tokenizer.ggml.scores"));
            assertArrayEquals(new int[] {3, 1, 1}, f.getIntArray("tokenizer.ggml.token_type"));
            Tensor w = f.tensor("w");
            assertArrayEquals(new long[] {4, 32}, w.shape());
            assertEquals(DType.F32, w.dtype());
            assertEquals(33 * 0.5f - 3, w.getFloat(1, 1));
            assertEquals(0, f.dataStart() % 32);
            assertArrayEquals(new float[] {1, 2, 3}, f.tensor("b").toFloatArray());
        }
    }

    @Test
    void wrongTypesAndMissingKeysNameTheKey() throws IOException {
        sample(tmp);
        try (GgufFile f = GgufFile.open(tmp.resolve("sample.gguf"))) {
            var e = assertThrows(GgufFormatException.class, () -> f.getInt("general.architecture"));
            assertTrue(e.getMessage().contains("general.architecture") && e.getMessage().contains("STRING"), e.getMessage());
            var m = assertThrows(GgufFormatException.class, () -> f.getInt("llama.embedding_length"));
            assertTrue(m.getMessage().contains("missing required key 'llama.embedding_length'"), m.getMessage());
            var t = assertThrows(GgufFormatException.class, () -> f.getFloatArray("tokenizer.ggml.tokens"));
            assertTrue(t.getMessage().contains("ARRAY of STRING"), t.getMessage());
            assertThrows(GgufFormatException.class, () -> f.tensor("nope"));
        }
    }

    @Test
    void rejectsBadMagicVersionAndAbsurdCounts() throws IOException {
        byte[] good = sample(tmp);
        byte[] b = good.clone();
        b[0] = 'X';
        assertMessage(b, "bad magic");
        b = good.clone();
        b[4] = 9;
        assertMessage(b, "unsupported GGUF version 9");
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE);
        assertMessage(b, "tensor count");
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1L << 40);
        assertMessage(b, "metadata count");
        // first key's length set absurd
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 50);
        assertMessage(b, "absurd length");
        // truncated anywhere in the data section: a tensor runs past the end
        assertMessage(java.util.Arrays.copyOf(good, good.length - 3), "runs past the end");
    }

    static void assertMessage(byte[] bytes, String part) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            var e = assertThrows(GgufFormatException.class, () -> GgufFile.read(Path.of("t.gguf"), s).close());
            assertTrue(e.getMessage().contains(part) && e.getMessage().startsWith("t.gguf"), e.getMessage());
        }
    }

    /** Seeded mutation and truncation fuzzing: a load either succeeds or throws GgufFormatException. */
    @Test
    void fuzzMutationsAndTruncations() throws IOException {
        byte[] good = sample(tmp);
        long seed = dev.minnow.tensor.testing.Gen.seed("gguf-fuzz");
        SplittableRandom r = new SplittableRandom(seed);
        int loaded = 0, rejected = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(good.length);
            for (int iter = 0; iter < 4000; iter++) {
                byte[] b = good.clone();
                int len = b.length;
                int kind = r.nextInt(4);
                if (kind == 0) {
                    len = r.nextInt(b.length + 1);
                } else {
                    int flips = 1 + r.nextInt(4);
                    for (int k = 0; k < flips; k++) {
                        int at = r.nextInt(Math.min(b.length, kind == 1 ? 200 : b.length));
                        b[at] = switch (r.nextInt(4)) {
                            case 0 -> (byte) r.nextInt(256);
                            case 1 -> (byte) 0xff;
                            case 2 -> 0;
                            default -> (byte) (b[at] ^ (1 << r.nextInt(8)));
                        };
                    }
                }
                MemorySegment view = s.asSlice(0, len);
                MemorySegment.copy(b, 0, view, ValueLayout.JAVA_BYTE, 0, len);
                try (GgufFile f = GgufFile.read(Path.of("fuzz.gguf"), view)) {
                    for (String name : f.tensorInfos().keySet()) {
                        f.tensor(name).elementCount();
                    }
                    loaded++;
                } catch (GgufFormatException e) {
                    rejected++;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("iteration " + iter + " seed=" + seed + ": unexpected " + e, e);
                }
            }
        }
        assertTrue(rejected > 1000 && loaded > 10, "loaded " + loaded + " rejected " + rejected);
    }

    @Tag("conformance")
    @Test
    void readsEveryFixtureGguf() throws IOException {
        Path root = Fixtures.root();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".gguf"))::iterator) {
                try (GgufFile f = GgufFile.open(p)) {
                    assertTrue(f.has("general.architecture") || f.has("tokenizer.ggml.model"), p.toString());
                    for (var t : f.tensorInfos().values()) {
                        assertEquals(t.byteSize(), f.tensorData(t.name()).byteSize());
                    }
                    files++;
                }
            }
        }
        assertTrue(files >= 20, "expected the fixture GGUF files, found " + files);
        try (GgufFile f = GgufFile.open(Fixtures.path("llm/m3-gqa-f32.gguf"))) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(32000, f.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(DType.F16, f.tensor("token_embd.weight").dtype());
            assertArrayEquals(new long[] {32000, 64}, f.tensor("token_embd.weight").shape());
        }
    }
}
