package dev.minnow.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("conv.bias", Tensor.of(new float[] {-1, 0.5f}, 2));
        Tensor i8 = Tensor.allocate(DType.I8, 3);
        i8.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 1, (byte) -7);
        m.put("q", i8);
        Tensor h = Tensor.allocate(DType.F16, 2);
        h.setFloat(1.5f, 0);
        m.put("half", h);
        m.put("bn.num_batches_tracked", Tensor.allocate(DType.I64));
        return m;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] raw(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h);
        return bb.array();
    }

    @Test
    void roundTripsAndReturnsViews() throws IOException {
        Path p = write("a.safetensors", SafetensorsWriter.encode(sample(), Map.of("format", "pt")));
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertEquals(5, st.names().size());
            assertEquals("pt", st.metadata().get("format"));
            Tensor w = st.tensor("conv.weight");
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloatArray());
            assertTrue(w.segment().isMapped(), "tensor must be a view of the mapping");
            assertEquals(-7f, st.tensor("q").getFloat(1));
            assertEquals(1.5f, st.tensor("half").getFloat(0));
            assertEquals(0, st.tensor("bn.num_batches_tracked").rank());
            assertEquals(0L, (long) st.tensor("bn.num_batches_tracked").getFloat());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> st.tensor("nope"));
            assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("a.safetensors"), e.getMessage());
        }
    }

    private ModelFormatException bad(String json, int dataBytes) throws IOException {
        Path p = write("bad.safetensors", raw(json, dataBytes));
        return assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p).close(), json);
    }

    @Test
    void rejectsViolationsNamingTheTensor() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        assertTrue(bad("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2).getMessage().contains("'w'"));
        assertTrue(bad("{\"w\":{" + ok.replace("[0,8]", "[0,12]") + "}}", 12).getMessage().contains("needs 8"));
        assertTrue(bad("{\"w\":{" + ok.replace("[0,8]", "[4,12]") + "}}", 8).getMessage().contains("outside"));
        assertTrue(bad("{\"w\":{" + ok.replace("[0,8]", "[8,0]") + "}}", 8).getMessage().contains("outside"));
        assertTrue(bad("{\"a\":{" + ok + "},\"b\":{" + ok.replace("[0,8]", "[4,12]") + "}}", 12).getMessage().contains("overlaps"));
        assertTrue(bad("{\"a\":{" + ok + "},\"a\":{" + ok.replace("[0,8]", "[8,16]") + "}}", 16).getMessage().contains("duplicate"));
        assertTrue(bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", 8)
                .getMessage().contains("overflow"));
        assertTrue(bad("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8).getMessage().contains("'w'"));
        bad("{\"w\":{" + ok + "}", 8);
        bad("{\"w\":{" + ok + "}}x", 8);
        bad("[1,2]", 0);
        bad("{\"__metadata__\":{\"a\":1}}", 0);
        bad("{\"a\":" + "[".repeat(100_000) + "}", 0);
        // header length larger than the file
        byte[] b = raw("{}", 0);
        b[0] = 100;
        Path p = write("len.safetensors", b);
        assertTrue(assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p)).getMessage().contains("header length"));
        byte[] huge = raw("{}", 0);
        Arrays.fill(huge, 0, 8, (byte) 0xff);
        Path p2 = write("huge.safetensors", huge);
        assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p2));
        Path p3 = write("short.safetensors", new byte[5]);
        assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p3));
    }

    /** Random byte flips, insertions of structural characters and truncations: a clean load or the format exception. */
    @Test
    void fuzzMutationsAndTruncations() throws IOException {
        byte[] valid = SafetensorsWriter.encode(sample(), Map.of("k", "v"));
        long seed = Gen.seed("safetensors-fuzz");
        SplittableRandom r = new SplittableRandom(seed);
        byte[] specials = "{}[],:\"0123456789-eE.\\ ".getBytes(StandardCharsets.US_ASCII);
        int loaded = 0;
        for (int iter = 0; iter < 3000; iter++) {
            byte[] b;
            if (iter % 5 == 0) {
                b = Arrays.copyOf(valid, r.nextInt(valid.length));
            } else {
                b = valid.clone();
                int flips = 1 + r.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = r.nextInt(r.nextBoolean() ? Math.min(valid.length, 200) : valid.length);
                    b[at] = r.nextBoolean() ? (byte) r.nextInt(256) : specials[r.nextInt(specials.length)];
                }
            }
            Path p = write("fuzz.safetensors", b);
            try (SafetensorsFile st = SafetensorsFile.open(p)) {
                for (String n : st.names()) {
                    Tensor t = st.tensor(n);
                    if (t.elementCount() > 0 && t.elementCount() < 1000) {
                        t.toFloatArray();
                    }
                }
                loaded++;
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains("fuzz.safetensors"), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("iteration " + iter + " seed=" + seed + ": " + e, e);
            }
        }
        assertTrue(loaded > 0, "some mutations (of data bytes) must still load");
    }
}
