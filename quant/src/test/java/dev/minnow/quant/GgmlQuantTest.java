package dev.minnow.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.SplittableRandom;
import dev.minnow.tensor.testing.Gen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GgmlQuantTest {
    static final EnumSet<DType> SUPPORTED = EnumSet.of(DType.F32, DType.F16, DType.BF16, DType.Q4_0, DType.Q4_1,
            DType.Q5_0, DType.Q5_1, DType.Q8_0, DType.Q8_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K,
            DType.Q6_K, DType.Q8_K);

    static byte[] quantize(DType t, float[] x) {
        byte[] q = new byte[(int) GgmlQuant.rowBytes(t, x.length)];
        GgmlQuant.quantizeRow(t, x, 0, MemorySegment.ofArray(q), 0, x.length);
        return q;
    }

    static float[] dequantize(DType t, byte[] q, int n) {
        float[] y = new float[n];
        GgmlQuant.dequantizeRow(t, MemorySegment.ofArray(q), 0, y, 0, n);
        return y;
    }

    /** llama.cpp tests/test-quantize-fns.cpp: x = 0.1 + 2cos(i + offset), "RMSE" = √Σd² / n, n = 4096. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void roundTripErrorWithinLlamaCppsBudget(DType t) {
        int n = 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.1 + 2 * Math.cos(i + 0.0));
        }
        float[] y = dequantize(t, quantize(t, x), n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
        }
        double err = Math.sqrt(sum) / n;
        double budget = t == DType.Q2_K ? 0.0075 : t == DType.Q3_K ? 0.004 : 0.002;
        assertTrue(err < budget, t + " round-trip error " + err + " over budget " + budget);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void zeroRowsStayZeroAndOffsetsAreHonoured(DType t) {
        int n = 2 * t.blockSize() * (t.blockSize() == 1 ? 32 : 1);
        float[] x = new float[n + 3];
        SplittableRandom r = Gen.random("offsets-" + t);
        for (int i = 3; i < n + 3; i++) {
            x[i] = (float) r.nextGaussian();
        }
        long bytes = GgmlQuant.rowBytes(t, n);
        byte[] a = quantize(t, java.util.Arrays.copyOfRange(x, 3, n + 3));
        byte[] b = new byte[(int) bytes + 5];
        GgmlQuant.quantizeRow(t, x, 3, MemorySegment.ofArray(b), 5, n);
        assertArrayEquals(a, java.util.Arrays.copyOfRange(b, 5, b.length), t + ": offsets change the bytes");
        float[] y = new float[n + 2];
        GgmlQuant.dequantizeRow(t, MemorySegment.ofArray(b), 5, y, 2, n);
        assertArrayEquals(dequantize(t, a, n), java.util.Arrays.copyOfRange(y, 2, n + 2), 0f);
        float[] zeros = dequantize(t, quantize(t, new float[n]), n);
        for (float z : zeros) {
            assertTrue(z == 0f, t + ": zero row gave " + z); // -0 allowed: Q4_0 stores d = 0/-8 = -0 like llama.cpp
        }
    }

    @Test
    void q8_0RoundsHalfAwayFromZeroWithTheUnroundedScale() {
        float[] x = new float[32];
        x[0] = 127f;   // amax 127: d = 1, id = 1
        x[1] = 2.5f;   // roundf: 3 (nearest_int would give 2)
        x[2] = -2.5f;  // -3
        x[3] = 0.5f;   // 1
        x[4] = -0.49999997f; // 0: the addition must not round up in float
        x[5] = 1.4999999f;   // 1
        byte[] q = quantize(DType.Q8_0, x);
        assertEquals(0x3c00, (q[0] & 0xff) | (q[1] & 0xff) << 8, "d = f16(1.0)");
        assertEquals(127, q[2]);
        assertEquals(3, q[3]);
        assertEquals(-3, q[4]);
        assertEquals(1, q[5]);
        assertEquals(0, q[6]);
        assertEquals(1, q[7]);
    }

    @Test
    void q8_kRoundsHalfToEvenAndStoresANegativeScale() {
        float[] x = new float[256];
        x[0] = 127f;  // max 127: iscale = -1, d = -1
        x[1] = 2.5f;  // nearest_int(-2.5) = -2
        x[2] = 1.5f;  // nearest_int(-1.5) = -2
        x[3] = -0.5f; // 0
        byte[] q = quantize(DType.Q8_K, x);
        assertEquals(-1f, Float.intBitsToFloat((q[0] & 0xff) | (q[1] & 0xff) << 8 | (q[2] & 0xff) << 16 | (q[3] & 0xff) << 24));
        assertEquals(-127, q[4]);
        assertEquals(-2, q[5]);
        assertEquals(-2, q[6]);
        assertEquals(0, q[7]);
        assertEquals(-127 - 4, (short) ((q[260] & 0xff) | q[261] << 8), "bsums[0]");
    }

    @Test
    void q4_0UsesTheSignedMaximumAndTruncatingCast() {
        float[] x = new float[32];
        x[0] = -8f;    // signed max -8: d = 1, id = 1, q = min(15, (int8)(x + 8.5))
        x[16] = 7f;    // 15, high nibble of byte 0
        x[1] = 0.4f;   // 8
        x[17] = -0.6f; // 7
        x[2] = 7.6f;   // (int8)16.1 = 16 -> min 15
        byte[] q = quantize(DType.Q4_0, x);
        assertEquals(0x3c00, (q[0] & 0xff) | (q[1] & 0xff) << 8);
        assertEquals(0x0 | 15 << 4, q[2] & 0xff);
        assertEquals(8 | 7 << 4, q[3] & 0xff);
        assertEquals(15 | 8 << 4, q[4] & 0xff);
        float[] y = dequantize(DType.Q4_0, q, 32);
        assertEquals(-8f, y[0]);
        assertEquals(7f, y[16]);
        assertEquals(7f, y[2]);
    }

    @Test
    void q6_kAndQ4_kHandLayouts() {
        // one Q6_K block: d = 1, all scales 1, quant level q at element e = e % 64
        byte[] b = new byte[210];
        for (int s = 0; s < 16; s++) {
            b[192 + s] = 1;
        }
        b[208] = 0x00;
        b[209] = 0x3c;
        int[] level = new int[256];
        for (int e = 0; e < 256; e++) {
            level[e] = (e * 7) & 63;
        }
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                b[64 * h + l] = (byte) ((level[e] & 15) | (level[e + 64] & 15) << 4);
                b[64 * h + l + 32] = (byte) ((level[e + 32] & 15) | (level[e + 96] & 15) << 4);
                b[128 + 32 * h + l] = (byte) (level[e] >> 4 | (level[e + 32] >> 4) << 2 | (level[e + 64] >> 4) << 4
                        | (level[e + 96] >> 4) << 6);
            }
        }
        float[] y = dequantize(DType.Q6_K, b, 256);
        for (int e = 0; e < 256; e++) {
            assertEquals(level[e] - 32, y[e], "Q6_K element " + e);
        }
        // one Q4_K block: d = 1, dmin = 0.5, group j has scale j+1 and min 2j (6-bit packing of get_scale_min_k4)
        byte[] k = new byte[144];
        k[1] = 0x3c;  // d = 1
        k[3] = 0x38;  // dmin = 0.5
        for (int j = 0; j < 8; j++) {
            int sc = j + 1 + (j >= 4 ? 40 : 0);
            int m = 2 * j + (j >= 4 ? 30 : 0);
            if (j < 4) {
                k[4 + j] = (byte) sc;
                k[8 + j] = (byte) m;
            } else {
                k[8 + j] = (byte) ((sc & 15) | (m & 15) << 4);
                k[4 + j - 4] |= (byte) ((sc >> 4) << 6);
                k[4 + j] |= (byte) ((m >> 4) << 6);
            }
        }
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                k[16 + 32 * c + l] = (byte) (l % 16 | (15 - l % 16) << 4);
            }
        }
        float[] z = dequantize(DType.Q4_K, k, 256);
        for (int e = 0; e < 256; e++) {
            int j = e / 32;
            int sc = j + 1 + (j >= 4 ? 40 : 0);
            int m = 2 * j + (j >= 4 ? 30 : 0);
            int q = j % 2 == 0 ? e % 16 : 15 - e % 16;
            assertEquals(sc * q - 0.5f * m, z[e], "Q4_K element " + e);
        }
    }

    @Test
    void infinityAndNanFollowTheCCode() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = i;
        }
        x[0] = Float.NaN;      // MAX(amax, NaN) is NaN, then replaced by the next |x|: amax = 31
        byte[] q = quantize(DType.Q8_0, x);
        assertEquals(Float.floatToFloat16(31f / 127f), (short) ((q[0] & 0xff) | q[1] << 8));
        assertEquals(0, q[2], "NaN quantizes to 0 (x86 cvttss2si gives 0x80000000, low byte 0)");
        assertEquals(127, q[33]);
        x[0] = Float.POSITIVE_INFINITY; // d = inf, id = 0, inf*0 = NaN -> 0, finite*0 -> 0
        q = quantize(DType.Q8_0, x);
        assertEquals(0x7c00, (q[0] & 0xff) | (q[1] & 0xff) << 8);
        for (int j = 0; j < 32; j++) {
            assertEquals(0, q[2 + j]);
        }
        float[] y = new float[256];
        y[5] = Float.NaN;
        byte[] k = quantize(DType.Q4_K, y);   // must not throw or loop
        assertEquals(144, k.length);
    }

    @Test
    void badArgumentsGiveClearExceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GgmlQuant.rowBytes(DType.Q4_K, 100));
        assertTrue(e.getMessage().contains("not a multiple of the Q4_K block size 256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GgmlQuant.dequantizeRow(DType.Q8_0, MemorySegment.ofArray(new byte[60]), 0, new float[64], 0, 64));
        assertTrue(e.getMessage().contains("needs 68 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GgmlQuant.quantizeRow(DType.Q6_K, new float[256], 0, MemorySegment.ofArray(new byte[300]), 100, 256));
        assertTrue(e.getMessage().contains("needs 210 bytes at offset 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GgmlQuant.quantizeRow(DType.I32, new float[4], 0, MemorySegment.ofArray(new byte[16]), 0, 4));
        assertTrue(e.getMessage().contains("no GGML block format for type I32"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> GgmlQuant.dequantizeRow(DType.Q8_0, MemorySegment.ofArray(new byte[34]), 0, new float[16], 0, 32));
        for (DType t : DType.values()) {
            assertEquals(SUPPORTED.contains(t), GgmlQuant.supports(t), t.toString());
        }
        assertFalse(GgmlQuant.supports(DType.F64));
    }

    /** Any bytes are a valid block (NaN/inf scales included): dequantizing and re-quantizing never throws. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void arbitraryBytesDequantizeAndRequantizeWithoutFailing(DType t) {
        SplittableRandom r = Gen.random("fuzz-" + t);
        int n = t.blockSize() == 1 ? 64 : 3 * t.blockSize();
        for (int round = 0; round < 20; round++) {
            byte[] q = new byte[(int) GgmlQuant.rowBytes(t, n)];
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) r.nextInt(256);
            }
            float[] y = dequantize(t, q, n);
            byte[] again = quantize(t, y);
            assertEquals(q.length, again.length);
        }
    }
}
