package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.models.lightfield.LightField;
import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.testing.Fixtures;
import dev.minnow.tensor.testing.Gen;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loaders on mutated fixture headers (digits CNN, MobileR2L): digits and punctuation in the JSON header are flipped,
 * which changes shapes, offsets and names. Only a clean load or a {@link ModelFormatException} naming the file is
 * allowed.
 */
@Tag("conformance")
class ModelLoadFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedHeaders() throws IOException {
        fuzz(Fixtures.path("digits/model.safetensors"), p -> CnnModel.load(p, "digits").close(), "digits-fuzz");
        fuzz(Fixtures.path("lightfield/model.safetensors"), p -> LightField.load(p).close(), "lightfield-fuzz");
    }

    interface Loader {
        void load(Path p);
    }

    private void fuzz(Path fixture, Loader loader, String name) throws IOException {
        byte[] valid = Files.readAllBytes(fixture);
        int headerEnd = (int) Math.min(valid.length, 8 + (valid[0] & 0xff | (valid[1] & 0xff) << 8 | (valid[2] & 0xff) << 16));
        byte[] alphabet = "0123456789[],\"".getBytes(StandardCharsets.US_ASCII);
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        Path p = dir.resolve(name + ".safetensors");
        int loaded = 0;
        for (int iter = 0; iter < 300; iter++) {
            byte[] b = valid.clone();
            for (int f = 1 + r.nextInt(2); f > 0; f--) {
                int at = 8 + r.nextInt(headerEnd - 8);
                if (Character.isDigit(b[at]) || b[at] == ',' || b[at] == ']') {
                    b[at] = alphabet[r.nextInt(alphabet.length)];
                }
            }
            Files.write(p, b);
            try {
                loader.load(p);
                loaded++;
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains(p.getFileName().toString()), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail(name + " iteration " + iter + " seed=" + seed + ": " + e, e);
            }
        }
        assertTrue(loaded > 0, name + ": some mutations must still load");
    }
}
