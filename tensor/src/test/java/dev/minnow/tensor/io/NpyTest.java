package dev.minnow.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Fixtures;
import dev.minnow.tensor.testing.Gen;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsF32AndI64() {
        Tensor x = Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 1, 2, 3);
        Path p = dir.resolve("x.npy");
        Npy.write(p, x);
        Tensor y = Npy.read(p);
        assertArrayEquals(x.shape(), y.shape());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        Tensor l = Tensor.allocate(DType.I64, 3);
        l.segment().set(Tensor.I64_LE, 8, -5L);
        Npy.write(p, l);
        try (NpyFile f = NpyFile.open(p)) {
            assertEquals(DType.I64, f.header().dtype());
            assertEquals(-5f, f.tensor().getFloat(1));
            assertEquals(0, f.header().dataOffset() % 64, "header padded to 64 bytes like NumPy");
        }
        Tensor s = Tensor.allocate(DType.F32);
        Npy.write(p, s);
        assertEquals(0, Npy.read(p).rank());
    }

    private static byte[] v2(String dict, int dataBytes) {
        byte[] h = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer bb = ByteBuffer.allocate(12 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(Npy.MAGIC).put((byte) 2).put((byte) 0).putInt(h.length).put(h);
        return bb.array();
    }

    @Test
    void readsVersion2AndRejectsBadHeaders() throws IOException {
        Path p = dir.resolve("v2.npy");
        Files.write(p, v2("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }\n", 8));
        assertArrayEquals(new long[] {2, 1}, Npy.read(p).shape());
        String[] bad = {
            "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
            "{'descr': '<f4', 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
            "{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }",
        };
        for (String d : bad) {
            Files.write(p, v2(d, 8));
            assertThrows(ModelFormatException.class, () -> Npy.read(p), d);
        }
    }

    @Test
    void fuzzMutationsAndTruncations() throws IOException {
        byte[] valid = Npy.encode(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        long seed = Gen.seed("npy-fuzz");
        SplittableRandom r = new SplittableRandom(seed);
        byte[] specials = "{}(),:'0123456789 TrueFalse<>f4i8".getBytes(StandardCharsets.US_ASCII);
        Path p = dir.resolve("fuzz.npy");
        int loaded = 0;
        for (int iter = 0; iter < 2000; iter++) {
            byte[] b = iter % 4 == 0 ? Arrays.copyOf(valid, r.nextInt(valid.length)) : valid.clone();
            if (iter % 4 != 0) {
                for (int f = 1 + r.nextInt(3); f > 0; f--) {
                    b[r.nextInt(Math.min(b.length, 80))] = r.nextBoolean() ? (byte) r.nextInt(256) : specials[r.nextInt(specials.length)];
                }
            }
            Files.write(p, b);
            try {
                Npy.read(p).close();
                loaded++;
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains("fuzz.npy"), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("iteration " + iter + " seed=" + seed + ": " + e, e);
            }
        }
        assertTrue(loaded > 0);
    }

    @Test
    @Tag("conformance")
    void readsFixtureLogits() {
        Tensor t = Npy.read(Fixtures.path("cnn/squeezenet1_1/logits.npy"));
        assertArrayEquals(new long[] {1, 1000}, t.shape());
        Tensor y = Npy.read(Fixtures.path("digits/test_y.npy"));
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {360}, y.shape());
    }
}
