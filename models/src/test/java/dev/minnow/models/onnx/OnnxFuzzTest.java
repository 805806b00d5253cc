package dev.minnow.models.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.testing.Fixtures;
import dev.minnow.tensor.testing.Gen;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile ONNX files (mutations of the digits export): a clean load or a {@link ModelFormatException}, nothing else. */
@Tag("conformance")
class OnnxFuzzTest {
    @TempDir
    Path dir;

    static byte[] replace(byte[] b, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII), t = to.getBytes(StandardCharsets.US_ASCII);
        byte[] out = b.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                return out;
            }
        }
        throw new AssertionError("'" + from + "' not found");
    }

    @Test
    void unsupportedOperatorNamesNodeOpAndOpset() throws IOException {
        byte[] valid = Files.readAllBytes(Fixtures.path("digits/model.onnx"));
        Path p = dir.resolve("bad-op.onnx");
        Files.write(p, replace(valid, "\"\u0004Relu", "\"\u0004Relx"));
        try (OnnxModel m = OnnxModel.open(p)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> new OnnxGraph(m));
            assertTrue(e.getMessage().contains("Relx") && e.getMessage().contains("opset 13") && e.getMessage().contains("node '"),
                    e.getMessage());
        }
    }

    @Test
    void fuzzMutationsAndTruncations() throws IOException {
        byte[] valid = Files.readAllBytes(Fixtures.path("digits/model.onnx"));
        long seed = Gen.seed("onnx-fuzz");
        SplittableRandom r = new SplittableRandom(seed);
        Path p = dir.resolve("fuzz.onnx");
        int loaded = 0;
        for (int iter = 0; iter < 600; iter++) {
            byte[] b;
            if (iter % 4 == 0) {
                b = Arrays.copyOf(valid, r.nextInt(valid.length));
            } else {
                b = valid.clone();
                for (int f = 1 + r.nextInt(4); f > 0; f--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            Files.write(p, b);
            try (OnnxModel m = OnnxModel.open(p)) {
                new OnnxGraph(m);
                loaded++;
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains("fuzz.onnx"), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("iteration " + iter + " seed=" + seed + ": " + e, e);
            }
        }
        assertTrue(loaded > 0, "some mutations (of weight bytes) must still load");
    }
}
