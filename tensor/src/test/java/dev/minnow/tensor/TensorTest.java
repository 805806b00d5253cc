package dev.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.io.MappedFile;
import dev.minnow.tensor.io.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorTest {
    @TempDir
    Path tmp;

    static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void viewsShareMemoryAndDoNotCopy() {
        try (Tensor t = Tensor.of(iota(24), 2, 3, 4)) {
            Tensor s = t.slice(1, 1, 3);
            assertArrayEquals(new long[] {2, 2, 4}, s.shape());
            assertEquals(4f, s.getFloat(0, 0, 0));
            assertEquals(23f, s.getFloat(1, 1, 3));
            Tensor tr = t.transpose(1, 2);
            assertArrayEquals(new long[] {2, 4, 3}, tr.shape());
            assertFalse(tr.isContiguous());
            assertEquals(t.getFloat(1, 2, 3), tr.getFloat(1, 3, 2));
            tr.setFloat(-1f, 1, 3, 2);
            assertEquals(-1f, t.getFloat(1, 2, 3), "a transpose is a view");
            Tensor r = t.reshape(6, -1);
            assertArrayEquals(new long[] {6, 4}, r.shape());
            assertEquals(t.getFloat(1, 0, 1), r.getFloat(3, 1));
            Tensor row = t.row(1);
            assertArrayEquals(new long[] {3, 4}, row.shape());
            assertEquals(12f, row.getFloat(0, 0));
            // reshape of a non-contiguous view copies
            Tensor c = tr.reshape(24);
            assertEquals(tr.getFloat(0, 1, 0), c.getFloat(3));
            assertEquals(24, t.toFloatArray().length);
        }
    }

    @Test
    void toStringShowsDtypeShapeAndValues() {
        try (Tensor t = Tensor.of(iota(8), 2, 4)) {
            assertEquals("Tensor[F32 [2, 4] [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, …]]", t.toString());
        }
        try (Tensor q = Tensor.allocate(DType.Q4_0, 2, 64)) {
            assertEquals("Tensor[Q4_0 [2, 64]]", q.toString());
            assertEquals(2 * 2 * 18, q.segment().byteSize());
        }
    }

    @Test
    void badShapesAndIndicesNameWhatWasExpected() {
        try (Tensor t = Tensor.of(iota(6), 2, 3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.getFloat(2, 0));
            assertTrue(e.getMessage().contains("[2, 0]") && e.getMessage().contains("[2, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> t.slice(1, 2, 5));
            assertTrue(e.getMessage().contains("[2, 5)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.transpose(0, 2));
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(iota(5), 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.F32, Long.MAX_VALUE, 4));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.Q8_0, 3, 33));
        try (Tensor q = Tensor.allocate(DType.Q8_0, 2, 64)) {
            assertThrows(IllegalArgumentException.class, () -> q.slice(1, 0, 16));
            assertThrows(IllegalArgumentException.class, () -> q.transpose(0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.getFloat(0, 0));
            assertArrayEquals(new long[] {1, 64}, q.slice(0, 1, 2).shape());
        }
    }

    @Test
    void dtypeSizes() {
        assertEquals(34, DType.Q8_0.byteSize(32));
        assertEquals(210 * 2, DType.Q6_K.byteSize(512));
        assertEquals(DType.Q4_K, DType.fromGgmlId(12));
        assertEquals(DType.BF16, DType.fromGgmlId(30));
        var e = assertThrows(IllegalArgumentException.class, () -> DType.fromGgmlId(99));
        assertTrue(e.getMessage().contains("99"));
        assertThrows(IllegalArgumentException.class, () -> DType.Q4_0.byteSize(31));
        for (DType t : DType.values()) {
            if (t.ggmlId() >= 0) {
                assertEquals(t, DType.fromGgmlId(t.ggmlId()));
            }
        }
    }

    @Test
    void halfAndBfloat16Conversions() {
        assertEquals(1.0f, Half.f16ToF32(Half.f32ToF16(1.0f)));
        assertEquals((short) 0x3c00, Half.f32ToF16(1.0f));
        assertEquals((short) 0x7bff, Half.f32ToF16(65504f));
        assertEquals(Float.POSITIVE_INFINITY, Half.f16ToF32(Half.f32ToF16(70000f)));
        // round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10
        assertEquals(1.0f, Half.f16ToF32(Half.f32ToF16(1f + 0x1p-11f)));
        assertEquals((short) 0x3f80, Half.f32ToBf16(1.0f));
        assertEquals(1.0f, Half.bf16ToF32((short) 0x3f80));
        assertEquals((short) 0x3f80, Half.f32ToBf16(Float.intBitsToFloat(0x3f808000))); // tie -> even
        assertEquals((short) 0x3f82, Half.f32ToBf16(Float.intBitsToFloat(0x3f818000))); // tie -> even (up)
        assertTrue(Float.isNaN(Half.bf16ToF32(Half.f32ToBf16(Float.NaN))));
        try (Tensor h = Tensor.allocate(DType.F16, 3)) {
            h.setFloat(0.5f, 1);
            assertEquals(0.5f, h.getFloat(1));
        }
    }

    @Test
    void mappedFileViewsAreBoundsChecked() throws IOException {
        Path p = tmp.resolve("w.bin");
        ByteBuffer bb = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            bb.putFloat(i);
        }
        Files.write(p, bb.array());
        try (MappedFile f = MappedFile.open(p)) {
            assertEquals(64, f.size());
            Tensor t = f.tensor(16, DType.F32, 3, 4);
            assertEquals(4f, t.getFloat(0, 0));
            assertEquals(15f, t.getFloat(2, 3));
            var e = assertThrows(ModelFormatException.class, () -> f.tensor(32, DType.F32, 3, 4));
            assertTrue(e.getMessage().contains("w.bin") && e.getMessage().contains("@32"), e.getMessage());
            assertThrows(ModelFormatException.class, () -> f.slice(-1, 4));
            assertThrows(ModelFormatException.class, () -> f.slice(60, Long.MAX_VALUE));
            assertThrows(ModelFormatException.class, () -> f.tensor(0, DType.F32, Long.MAX_VALUE, 2));
        }
        Path empty = tmp.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        try (MappedFile f = MappedFile.open(empty)) {
            assertEquals(0, f.size());
            assertThrows(ModelFormatException.class, () -> f.slice(0, 1));
        }
    }
}
