package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.Q4Panels;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The specification of {@link QuantKernels}: straight ports of ggml's reference code ({@code quantize_row_q8_*_ref}
 * in ggml-quants.c and {@code ggml_vec_dot_*_generic} in ggml-cpu/quants.c), same integer sums and the same order
 * of float operations (llama.cpp compiles its own with FMA contraction allowed, so its floats may differ in the last bits).
 */
public class ScalarQuantKernels implements QuantKernels {
    public static final ScalarQuantKernels INSTANCE = new ScalarQuantKernels();

    protected static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    protected static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected ScalarQuantKernels() {}

    @Override public String name() { return "scalar"; }

    @Override public int vectorBits() { return 0; }

    // ---- helpers ----

    protected static float half(MemorySegment s, long off) { return Float.float16ToFloat(s.get(S16, off)); }

    protected static int u8(MemorySegment s, long off) { return s.get(B, off) & 0xff; }

    protected static int i8(MemorySegment s, long off) { return s.get(B, off); }

    protected static void checkBlocks(int n, int block, String kernel) {
        if (n < 0 || n % block != 0) {
            throw new IllegalArgumentException(kernel + ": length " + n + " is not a multiple of the block size " + block);
        }
    }

    /** As {@link #checkBlocks(int, int, String)}, naming the kernel "kernel type" only when it fails (no string per call). */
    protected static void checkBlocks(int n, int block, String kernel, DType type) {
        if (n < 0 || n % block != 0) {
            checkBlocks(n, block, kernel + " " + type);
        }
    }

    /** ggml's nearest_int. */
    static int nearestInt(float f) {
        return (Float.floatToRawIntBits(f + 12582912.0f) & 0x007fffff) - 0x00400000;
    }

    /** C roundf then conversion to int8 as x86-64 does it (NaN and out of range give 0x80000000, low byte 0). */
    static byte roundfToInt8(float f) {
        if (f != f) {
            return 0;
        }
        float r = Math.abs(f) < 0x1p23f ? (float) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f) : f;
        return (byte) (r >= 0x1p31f || r < -0x1p31f ? Integer.MIN_VALUE : (int) r);
    }

    /** GGML_FP32_TO_FP16 (NaN becomes ±0x7E00). */
    static short toHalf(float f) {
        if (f != f) {
            return (short) (((Float.floatToRawIntBits(f) >>> 16) & 0x8000) | 0x7e00);
        }
        return Float.floatToFloat16(f);
    }

    // ---- activation quantizers ----

    @Override
    public void quantizeQ8_0(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        checkBlocks(n, 32, "quantizeQ8_0");
        for (int i = 0; i < n / 32; i++) {
            long xo = (xOff + 32L * i) * 4;
            long yo = dstOff + 34L * i;
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(x.get(F32, xo + 4L * j));
                amax = amax > a ? amax : a;
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            dst.set(S16, yo, toHalf(d));
            for (int j = 0; j < 32; j++) {
                dst.set(B, yo + 2 + j, roundfToInt8(x.get(F32, xo + 4L * j) * id));
            }
        }
    }

    @Override
    public void quantizeQ8_1(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        checkBlocks(n, 32, "quantizeQ8_1");
        for (int i = 0; i < n / 32; i++) {
            long xo = (xOff + 32L * i) * 4;
            long yo = dstOff + 36L * i;
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(x.get(F32, xo + 4L * j));
                amax = amax > a ? amax : a;
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            dst.set(S16, yo, toHalf(d));
            int sum = 0;
            for (int j = 0; j < 16; j++) {
                byte q0 = roundfToInt8(x.get(F32, xo + 4L * j) * id);
                byte q1 = roundfToInt8(x.get(F32, xo + 4L * (16 + j)) * id);
                dst.set(B, yo + 4 + j, q0);
                dst.set(B, yo + 20 + j, q1);
                sum += q0;
                sum += q1;
            }
            dst.set(S16, yo + 2, toHalf(sum * d));
        }
    }

    @Override
    public void quantizeQ8_K(int n, MemorySegment x, long xOff, MemorySegment dst, long dstOff) {
        checkBlocks(n, 256, "quantizeQ8_K");
        for (int i = 0; i < n / 256; i++) {
            long xo = (xOff + 256L * i) * 4;
            long yo = dstOff + 292L * i;
            float max = 0f;
            float amax = 0f;
            for (int j = 0; j < 256; j++) {
                float v = x.get(F32, xo + 4L * j);
                float ax = Math.abs(v);
                if (ax > amax) {
                    amax = ax;
                    max = v;
                }
            }
            if (amax == 0f) {
                dst.asSlice(yo, 292).fill((byte) 0);
                continue;
            }
            float iscale = -127.f / max;
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int l = 0; l < 16; l++) {
                    int j = 16 * g + l;
                    byte q = (byte) Math.min(127, nearestInt(iscale * x.get(F32, xo + 4L * j)));
                    dst.set(B, yo + 4 + j, q);
                    sum += q;
                }
                dst.set(S16, yo + 260 + 2L * g, (short) sum);
            }
            dst.set(F32, yo, 1 / iscale);
        }
    }

    // ---- dots over 32-element blocks ----

    @Override
    public float dotQ8_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ8_0Q8_0");
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 34L * ib;
            long y = aOff + 34L * ib;
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += i8(w, x + 2 + j) * i8(a, y + 2 + j);
            }
            sumf += sumi * (half(w, x) * half(a, y));
        }
        return sumf;
    }

    @Override
    public float dotQ4_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ4_0Q8_0");
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 18L * ib;
            long y = aOff + 34L * ib;
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, x + 2 + j);
                sumi0 += ((q & 0x0f) - 8) * i8(a, y + 2 + j);
                sumi1 += ((q >>> 4) - 8) * i8(a, y + 18 + j);
            }
            int sumi = sumi0 + sumi1;
            sumf += sumi * half(w, x) * half(a, y);
        }
        return sumf;
    }

    @Override
    public float dotQ4_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ4_1Q8_1");
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 20L * ib;
            long y = aOff + 36L * ib;
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, x + 4 + j);
                sumi0 += (q & 0x0f) * i8(a, y + 4 + j);
                sumi1 += (q >>> 4) * i8(a, y + 20 + j);
            }
            int sumi = sumi0 + sumi1;
            sumf += (half(w, x) * half(a, y)) * sumi + half(w, x + 2) * half(a, y + 2);
        }
        return sumf;
    }

    @Override
    public float dotQ5_0Q8_0(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ5_0Q8_0");
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 22L * ib;
            long y = aOff + 34L * ib;
            int qh = w.get(I32, x + 2);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, x + 6 + j);
                int x0 = ((q & 0x0f) | ((qh >>> j) << 4) & 0x10) - 16;
                int x1 = ((q >>> 4) | (qh >>> (j + 12)) & 0x10) - 16;
                sumi0 += x0 * i8(a, y + 2 + j);
                sumi1 += x1 * i8(a, y + 18 + j);
            }
            int sumi = sumi0 + sumi1;
            sumf += (half(w, x) * half(a, y)) * sumi;
        }
        return sumf;
    }

    @Override
    public float dotQ5_1Q8_1(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 32, "dotQ5_1Q8_1");
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            long x = wOff + 24L * ib;
            long y = aOff + 36L * ib;
            int qh = w.get(I32, x + 4);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, x + 8 + j);
                int x0 = (q & 0x0f) | ((qh >>> j) << 4) & 0x10;
                int x1 = (q >>> 4) | (qh >>> (j + 12)) & 0x10;
                sumi0 += x0 * i8(a, y + 4 + j);
                sumi1 += x1 * i8(a, y + 20 + j);
            }
            int sumi = sumi0 + sumi1;
            sumf += (half(w, x) * half(a, y)) * sumi + half(w, x + 2) * half(a, y + 2);
        }
        return sumf;
    }

    // ---- dots over 256-element super-blocks (activations Q8_K: f32 d at 0, qs at 4, bsums at 260) ----

    @Override
    public float dotQ2_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ2_KQ8_K");
        float sumf = 0;
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 84L * i;
            long y = aOff + 292L * i;
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += a.get(S16, y + 260 + 2L * j) * (u8(w, x + j) >>> 4);
            }
            float dy = a.get(F32, y);
            float dall = dy * half(w, x + 80);
            float dmin = dy * half(w, x + 82);
            int isum = 0;
            int is = 0;
            long q8 = y + 4;
            for (int k = 0; k < 2; k++) {
                long q2 = x + 16 + 32L * k;
                for (int shift = 0; shift < 8; shift += 2) {
                    int d = u8(w, x + is++) & 0xf;
                    int isuml = 0;
                    for (int l = 0; l < 16; l++) {
                        isuml += i8(a, q8 + l) * ((u8(w, q2 + l) >>> shift) & 3);
                    }
                    isum += d * isuml;
                    d = u8(w, x + is++) & 0xf;
                    isuml = 0;
                    for (int l = 16; l < 32; l++) {
                        isuml += i8(a, q8 + l) * ((u8(w, q2 + l) >>> shift) & 3);
                    }
                    isum += d * isuml;
                    q8 += 32;
                }
            }
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }

    /** Signed 6-bit scale (−32..31) of Q3_K group j from the 12 packed bytes at {@code so}. */
    protected static int q3Scale(MemorySegment w, long so, int j) {
        int sc = j < 8 ? u8(w, so + j) & 0xf : u8(w, so + j - 8) >>> 4;
        return (sc | ((u8(w, so + 8 + j % 4) >>> (2 * (j / 4))) & 3) << 4) - 32;
    }

    @Override
    public float dotQ3_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ3_KQ8_K");
        int[] aux8 = new int[256];
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 110L * i;
            long y = aOff + 292L * i;
            java.util.Arrays.fill(aux32, 0);
            int m = 1;
            int ai = 0;
            for (int j = 0; j < 256; j += 128) {
                long q3 = x + 32 + j / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int l = 0; l < 32; l++) {
                        aux8[ai + l] = ((u8(w, q3 + l) >>> shift) & 3) - ((u8(w, x + l) & m) != 0 ? 0 : 4);
                    }
                    ai += 32;
                    m <<= 1;
                }
            }
            int e = 0;
            for (int j = 0; j < 16; j++) {
                int scale = q3Scale(w, x + 96, j);
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 8; l++, e++) {
                        aux32[l] += scale * (i8(a, y + 4 + e) * aux8[e]);
                    }
                }
            }
            float d = half(w, x + 108) * a.get(F32, y);
            for (int l = 0; l < 8; l++) {
                sums[l] += d * aux32[l];
            }
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    /** {@code get_scale_min_k4}: 6-bit scale (or min) of Q4_K/Q5_K group j; scales at byte {@code so}. */
    protected static int k4Scale(MemorySegment w, long so, int j, boolean min) {
        if (j < 4) {
            return u8(w, so + j + (min ? 4 : 0)) & 63;
        }
        if (!min) {
            return (u8(w, so + j + 4) & 0xf) | (u8(w, so + j - 4) >>> 6) << 4;
        }
        return u8(w, so + j + 4) >>> 4 | (u8(w, so + j) >>> 6) << 4;
    }

    @Override
    public float dotQ4_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ4_KQ8_K");
        return dotQ45K(n, w, wOff, a, aOff, false);
    }

    @Override
    public float dotQ5_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ5_KQ8_K");
        return dotQ45K(n, w, wOff, a, aOff, true);
    }

    private float dotQ45K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff, boolean five) {
        int bytes = five ? 176 : 144;
        long qsAt = five ? 48 : 16;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        float sumf = 0;
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + (long) bytes * i;
            long y = aOff + 292L * i;
            java.util.Arrays.fill(aux32, 0);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                sumi += a.get(S16, y + 260 + 2L * j) * k4Scale(w, x + 4, j / 2, true);
            }
            for (int g = 0; g < 8; g++) {
                int scale = k4Scale(w, x + 4, g, false);
                long q = x + qsAt + 32L * (g / 2);
                int shift = (g & 1) * 4;
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 8; l++) {
                        int idx = 8 * c + l;
                        int v = (u8(w, q + idx) >>> shift) & 0xf;
                        if (five && (u8(w, x + 16 + idx) & (1 << g)) != 0) {
                            v += 16;
                        }
                        aux32[l] += scale * (i8(a, y + 4 + 32L * g + idx) * v);
                    }
                }
            }
            float dy = a.get(F32, y);
            float d = half(w, x) * dy;
            for (int l = 0; l < 8; l++) {
                sums[l] += d * aux32[l];
            }
            float dmin = half(w, x + 2) * dy;
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    /** Q6_K level (−32..31) of element e (0..255) of the block at x. */
    protected static int q6Level(MemorySegment w, long x, int e) {
        int h = e / 128;
        int r = e % 128;
        int k = r / 32;
        int l = r % 32;
        int ql = u8(w, x + 64L * h + l + 32L * (k & 1));
        int lo = k < 2 ? ql & 0xf : ql >>> 4;
        int hi = (u8(w, x + 128 + 32L * h + l) >>> (2 * k)) & 3;
        return (lo | hi << 4) - 32;
    }

    @Override
    public float dotQ6_KQ8_K(int n, MemorySegment w, long wOff, MemorySegment a, long aOff) {
        checkBlocks(n, 256, "dotQ6_KQ8_K");
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        for (int i = 0; i < n / 256; i++) {
            long x = wOff + 210L * i;
            long y = aOff + 292L * i;
            java.util.Arrays.fill(aux32, 0);
            int e = 0;
            for (int j = 0; j < 16; j++) {
                int scale = i8(w, x + 192 + j);
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 8; l++, e++) {
                        aux32[l] += scale * (i8(a, y + 4 + e) * q6Level(w, x, e));
                    }
                }
            }
            float d = half(w, x + 208) * a.get(F32, y);
            for (int l = 0; l < 8; l++) {
                sums[l] += d * aux32[l];
            }
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    // ---- f32 activations ----

    @Override
    public float dotF32(DType type, int n, MemorySegment w, long wOff, MemorySegment x, long xOff) {
        QuantKernels.activationType(type); // rejects unsupported weight types
        int bs = type.blockSize();
        checkBlocks(n, bs, "dotF32", type);
        float[] block = new float[bs];
        float sum = 0;
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(type, w, wOff + (long) type.bytesPerBlock() * b, block);
            long xo = (xOff + (long) bs * b) * 4;
            for (int j = 0; j < bs; j++) {
                sum += block[j] * x.get(F32, xo + 4L * j);
            }
        }
        return sum;
    }

    @Override
    public void dequantize(DType type, int n, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        QuantKernels.activationType(type); // rejects unsupported weight types
        int bs = type.blockSize();
        checkBlocks(n, bs, "dequantize", type);
        float[] block = new float[bs];
        for (int b = 0; b < n / bs; b++) {
            dequantizeBlock(type, w, wOff + (long) type.bytesPerBlock() * b, block);
            MemorySegment.copy(block, 0, y, F32, (yOff + (long) bs * b) * 4, bs);
        }
    }

    @Override
    public void dequantizePanel(DType type, int rows, int k0, int kc, MemorySegment w, long wOff, long rowBytes,
                                float[] panel, int off, int width) {
        checkPanel(type, rows, k0, kc, width);
        if (type == DType.F16) { // the F16 prefill's B panels: Float.float16ToFloat of each half
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < kc; p++) {
                    panel[off + p * width + r] = Float.float16ToFloat(w.get(S16, wOff + rowBytes * r + 2L * (k0 + p)));
                }
            }
            for (int p = 0; p < kc; p++) {
                for (int r = rows; r < width; r++) {
                    panel[off + p * width + r] = 0f;
                }
            }
            return;
        }
        QuantKernels.activationType(type); // rejects unsupported weight types
        int bs = type.blockSize();
        float[] block = new float[bs];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < kc / bs; b++) {
                dequantizeBlock(type, w, wOff + rowBytes * r + type.bytesPerBlock() * (long) (k0 / bs + b), block);
                for (int j = 0; j < bs; j++) {
                    panel[off + (b * bs + j) * width + r] = block[j];
                }
            }
        }
        for (int p = 0; p < kc; p++) {
            for (int r = rows; r < width; r++) {
                panel[off + p * width + r] = 0f;
            }
        }
    }

    /** The argument checks of {@link #dequantizePanel}. */
    protected static void checkPanel(DType type, int rows, int k0, int kc, int width) {
        int bs = type.blockSize();
        if (rows < 0 || rows > width || k0 < 0 || k0 % bs != 0 || kc < 0 || kc % bs != 0) {
            throw new IllegalArgumentException("dequantizePanel " + type + ": rows " + rows + " (width " + width
                    + "), depth " + k0 + " + " + kc + " must be whole blocks of " + bs);
        }
    }

    /**
     * The specification of {@link QuantKernels#dequantizeFromPanels}, element by element in the panel layout of
     * {@link Q4Panels} (the operations of {@link #dequantizeBlock} on the levels and scales the panels keep).
     */
    @Override
    public void dequantizeFromPanels(DType type, int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows,
                                     float[] panel, int off, int width) {
        long panelBytes = checkFromPanels(type, cols, k0, kc, p, pOff, r0, rows, width);
        boolean q4k = type == DType.Q4_K;
        boolean q6 = type == DType.Q6_K;
        for (int j = 0; j < rows; j++) {
            int row = r0 + j;
            long base = pOff + (row / Q4Panels.ROWS) * panelBytes;
            int lane = row % Q4Panels.ROWS;
            for (int b = k0 / 32; b < (k0 + kc) / 32; b++) {
                if (type == DType.Q8_0) { // q·d
                    long o = base + (long) Q4Panels.Q8_BLOCK * b;
                    float d = half(p, o + 512 + 2L * lane);
                    for (int e = 0; e < 32; e++) {
                        int level = (byte) (p.get(I32, o + 64L * (e / 4) + 4L * lane) >>> (8 * (e % 4)));
                        panel[off + (32 * b + e - k0) * width + j] = level * d;
                    }
                    continue;
                }
                long sb = base + (long) (b / 8) * (q6 ? Q4Panels.Q6K_SUPER : Q4Panels.Q4K_SUPER);
                long o = q4k ? sb + Q4Panels.Q4K_BLOCKS + 288L * (b % 8) : q6 ? sb + Q4Panels.Q6K_BLOCKS + 416L * (b % 8) : base + 288L * b;
                for (int e = 0; e < 32; e++) {
                    int plane = e / 8;
                    int k = e % 8;
                    int level = p.get(I32, o + 64L * plane + 4L * lane) >>> (4 * k) & 15;
                    float y;
                    if (q6) {
                        level |= (p.get(I32, o + 256 + 64L * (plane & 1) + 4L * lane) >>> (4 * k + 2 * (plane >> 1)) & 3) << 4;
                        float d = p.get(F32, sb + Q4Panels.Q6K_D + 4L * lane);
                        int sc = p.get(B, o + (plane < 2 ? 384 : 400) + lane);
                        y = d * sc * (level - 32);
                    } else if (q4k) {
                        float dl = p.get(F32, sb + Q4Panels.Q4K_D + 4L * lane) * p.get(B, o + 256 + lane);
                        float ml = p.get(F32, sb + Q4Panels.Q4K_DMIN + 4L * lane) * p.get(B, o + 272 + lane);
                        y = dl * level - ml;
                    } else {
                        y = (level - 8) * half(p, o + 256 + 2L * lane);
                    }
                    panel[off + (32 * b + e - k0) * width + j] = y;
                }
            }
        }
        for (int q = 0; q < kc; q++) {
            for (int j = rows; j < width; j++) {
                panel[off + q * width + j] = 0f;
            }
        }
    }

    /**
     * The argument checks of {@link #dequantizeFromPanels}; returns the bytes of one panel.
     */
    protected static long checkFromPanels(DType type, int cols, int k0, int kc, MemorySegment p, long pOff, int r0,
                                          int rows, int width) {
        long panelBytes = Q4Panels.panelBytes(type, cols); // rejects other types and bad row lengths
        int bs = type.blockSize();
        if (rows < 0 || rows > width || r0 < 0 || k0 < 0 || k0 % bs != 0 || kc < 0 || kc % bs != 0 || k0 + kc > cols) {
            throw new IllegalArgumentException("dequantizeFromPanels " + type + ": rows " + r0 + " + " + rows + " (width "
                    + width + "), depth " + k0 + " + " + kc + " must be whole blocks of " + bs + " within " + cols);
        }
        long need = pOff + (long) ((r0 + rows + Q4Panels.ROWS - 1) / Q4Panels.ROWS) * panelBytes;
        if (pOff < 0 || rows > 0 && need > p.byteSize()) {
            throw new IllegalArgumentException("dequantizeFromPanels " + type + ": rows " + r0 + " + " + rows + " of "
                    + cols + " need " + need + " panel bytes, the buffer has " + p.byteSize());
        }
        return panelBytes;
    }

    /** Dequantizes one block exactly as ggml's {@code dequantize_row_*} (same float operations and order). */
    public static void dequantizeBlock(DType type, MemorySegment w, long x, float[] y) {
        switch (type) {
            case Q8_0 -> {
                float d = half(w, x);
                for (int j = 0; j < 32; j++) {
                    y[j] = i8(w, x + 2 + j) * d;
                }
            }
            case Q4_0 -> {
                float d = half(w, x);
                for (int j = 0; j < 16; j++) {
                    int q = u8(w, x + 2 + j);
                    y[j] = ((q & 0xf) - 8) * d;
                    y[j + 16] = ((q >>> 4) - 8) * d;
                }
            }
            case Q4_1 -> {
                float d = half(w, x);
                float m = half(w, x + 2);
                for (int j = 0; j < 16; j++) {
                    int q = u8(w, x + 4 + j);
                    y[j] = (q & 0xf) * d + m;
                    y[j + 16] = (q >>> 4) * d + m;
                }
            }
            case Q5_0, Q5_1 -> {
                boolean one = type == DType.Q5_1;
                float d = half(w, x);
                float m = one ? half(w, x + 2) : 0f;
                long base = one ? x + 4 : x + 2;
                int qh = w.get(I32, base);
                for (int j = 0; j < 16; j++) {
                    int q = u8(w, base + 4 + j);
                    int x0 = (q & 0x0f) | ((qh >>> j) << 4) & 0x10;
                    int x1 = (q >>> 4) | (qh >>> (j + 12)) & 0x10;
                    if (one) {
                        y[j] = x0 * d + m;
                        y[j + 16] = x1 * d + m;
                    } else {
                        y[j] = (x0 - 16) * d;
                        y[j + 16] = (x1 - 16) * d;
                    }
                }
            }
            case Q2_K -> {
                float d = half(w, x + 80);
                float min = half(w, x + 82);
                int e = 0;
                int is = 0;
                for (int k = 0; k < 2; k++) {
                    long q = x + 16 + 32L * k;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int h = 0; h < 2; h++) {
                            int sc = u8(w, x + is++);
                            float dl = d * (sc & 0xf);
                            float ml = min * (sc >>> 4);
                            for (int l = 16 * h; l < 16 * h + 16; l++) {
                                y[e++] = dl * ((u8(w, q + l) >>> shift) & 3) - ml;
                            }
                        }
                    }
                }
            }
            case Q3_K -> {
                float dAll = half(w, x + 108);
                int e = 0;
                int is = 0;
                int m = 1;
                for (int k = 0; k < 2; k++) {
                    long q = x + 32 + 32L * k;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int h = 0; h < 2; h++) {
                            float dl = dAll * q3Scale(w, x + 96, is++);
                            for (int l = 16 * h; l < 16 * h + 16; l++) {
                                y[e++] = dl * (((u8(w, q + l) >>> shift) & 3) - ((u8(w, x + l) & m) != 0 ? 0 : 4));
                            }
                        }
                        m <<= 1;
                    }
                }
            }
            case Q4_K, Q5_K -> {
                boolean five = type == DType.Q5_K;
                float d = half(w, x);
                float min = half(w, x + 2);
                long q = x + (five ? 48 : 16);
                int e = 0;
                for (int g = 0; g < 8; g++) {
                    float dl = d * k4Scale(w, x + 4, g, false);
                    float ml = min * k4Scale(w, x + 4, g, true);
                    int shift = (g & 1) * 4;
                    for (int l = 0; l < 32; l++) {
                        int v = (u8(w, q + 32L * (g / 2) + l) >>> shift) & 0xf;
                        if (five && (u8(w, x + 16 + l) & (1 << g)) != 0) {
                            v += 16;
                        }
                        y[e++] = dl * v - ml;
                    }
                }
            }
            case Q6_K -> {
                float d = half(w, x + 208);
                for (int e = 0; e < 256; e++) {
                    int h = e / 128;
                    int r = e % 128;
                    int sc = i8(w, x + 192 + 8L * h + r % 32 / 16 + 2L * (r / 32));
                    y[e] = d * sc * q6Level(w, x, e);
                }
            }
            case F32, F16, BF16, F64, I8, U8, I16, I32, I64, BOOL, Q8_1, Q8_K ->
                    throw new IllegalArgumentException("not a quantized weight type: " + type);
        }
    }

    // ---- GEMV ----

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    /** A reusable activation buffer of at least {@code bytes}, in a shared (auto) arena so workers can read it. */
    protected static MemorySegment scratch(long bytes) {
        MemorySegment[] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
        }
        return holder[0];
    }

    @Override
    public void gemv(DType type, int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff,
                     MemorySegment y, long yOff) {
        DType act = QuantKernels.activationType(type);
        long rowBytes = type.byteSize(cols);
        if (rows < 0) {
            throw new IllegalArgumentException("gemv " + type + ": negative rows " + rows);
        }
        long need = wOff + rowBytes * rows;
        if (wOff < 0 || need > w.byteSize()) {
            throw new IllegalArgumentException("gemv " + type + ": " + rows + " rows of " + cols + " need " + need
                    + " weight bytes, the buffer has " + w.byteSize());
        }
        MemorySegment xq = scratch(act.byteSize(cols));
        quantizeActivation(type, cols, x, xOff, xq, 0);
        if (Parallel.shareable(w, x, y)) {
            Parallel.forRange(rows, 16, (from, to) -> gemvRows(type, cols, w, wOff, rowBytes, null, from, to, xq, y, yOff));
        } else {
            gemvRows(type, cols, w, wOff, rowBytes, null, 0, rows, xq, y, yOff);
        }
    }

    /**
     * y[j] = W[r_j,:]·xq for j in [from, to), where r_j = {@code rows[j]} (or j when {@code rows} is null), xq one
     * activation row already quantized (at byte offset 0). The dense GEMV passes null; the row-sparse GEMV of sparse
     * decoding ({@code ScalarSparseKernels.gemvRows}) passes its row list, so a sparse row runs the same row kernel as
     * the dense GEMV. The specification is one {@link #dot} per row; the vector twin runs its GEMV row kernels
     * against an activation row prepared once per call and must give the same floats as its own {@code dot}.
     */
    protected void gemvRows(DType type, int cols, MemorySegment w, long wOff, long rowBytes, int[] rows, int from, int to,
                            MemorySegment xq, MemorySegment y, long yOff) {
        for (int r = from; r < to; r++) {
            y.set(F32, (yOff + r) * 4, dot(type, cols, w, wOff + rowBytes * (rows == null ? r : rows[r]), xq, 0));
        }
    }

    @Override
    public void gemvQ4Panels(DType type, int from, int to, int cols, MemorySegment p, long pOff, Q4Panels.Activation a,
                             MemorySegment y, long yOff) {
        int blocks = cols / 32;
        long panelBytes = Q4Panels.panelBytes(type, cols);
        boolean q4k = type == DType.Q4_K;
        boolean q6 = type == DType.Q6_K;
        float[] xs = a.xs;
        int lanes = a.lanes; // 1 when prepared for this kernel
        if (type == DType.Q8_0) { // dotQ8_0Q8_0 per row: sumf += sumi·(d·d_a)
            for (int g = from; g < to; g++) {
                long panel = pOff + g * panelBytes;
                for (int r = 0; r < Q4Panels.ROWS; r++) {
                    float total = 0;
                    for (int b = 0; b < blocks; b++) {
                        long o = panel + (long) Q4Panels.Q8_BLOCK * b;
                        int sumi = 0;
                        for (int e = 0; e < 32; e++) {
                            int level = (byte) (p.get(I32, o + 64L * (e / 4) + 4L * r) >>> (8 * (e % 4)));
                            sumi += level * Math.round(xs[(32 * b + e) * lanes] / a.weight[e % 8]);
                        }
                        total += sumi * (Float.float16ToFloat(p.get(S16, o + 512 + 2L * r)) * a.da[b]);
                    }
                    y.set(F32, (yOff + 16L * g + r) * 4, total);
                }
            }
            return;
        }
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int r = 0; r < Q4Panels.ROWS; r++) {
                float total = 0;
                for (int b = 0; b < blocks; b++) {
                    long sb = panel + (long) (b / 8) * (q6 ? Q4Panels.Q6K_SUPER : Q4Panels.Q4K_SUPER);
                    long o = q4k ? sb + Q4Panels.Q4K_BLOCKS + 288L * (b % 8) : q6 ? sb + Q4Panels.Q6K_BLOCKS + 416L * (b % 8) : panel + 288L * b;
                    int half0 = 0;
                    int half1 = 0;
                    for (int j = 0; j < 4; j++) {
                        int v = p.get(I32, o + 64L * j + 4L * r);
                        int hv = q6 ? p.get(I32, o + 256 + 64L * (j & 1) + 4L * r) : 0;
                        for (int k = 0; k < 8; k++) {
                            // xs holds q_a times a power of two (Activation.weight, exact): scale it back to q_a
                            int qa = Math.round(xs[(32 * b + 8 * j + k) * lanes] / a.weight[k]);
                            int level = (v >>> (4 * k) & 15) | (hv >>> (4 * k + 2 * (j >> 1)) & 3) << 4;
                            if (j < 2) {
                                half0 += level * qa;
                            } else {
                                half1 += level * qa;
                            }
                        }
                    }
                    if (q6) {
                        float d = p.get(F32, sb + Q4Panels.Q6K_D + 4L * r);
                        float scaleA = d * p.get(B, o + 384 + r);
                        float scaleB = d * p.get(B, o + 400 + r);
                        total = total + ((scaleA * half0 - scaleA * a.cb[2 * b]) + (scaleB * half1 - scaleB * a.cb[2 * b + 1])) * a.da[b];
                        continue;
                    }
                    int s = half0 + half1;
                    float scale;
                    float min;
                    if (q4k) {
                        scale = p.get(F32, sb + Q4Panels.Q4K_D + 4L * r) * p.get(B, o + 256 + r);
                        min = p.get(F32, sb + Q4Panels.Q4K_DMIN + 4L * r) * p.get(B, o + 272 + r);
                    } else {
                        scale = Float.float16ToFloat(p.get(S16, o + 256 + 2L * r));
                        min = scale;
                    }
                    total = total + (scale * s - min * a.cb[b]) * a.da[b];
                }
                y.set(F32, (yOff + 16L * g + r) * 4, total);
            }
        }
    }

    @Override
    public void gemm(DType type, int m, int n, int k, MemorySegment w, long wOff, MemorySegment x, long xOff,
                     MemorySegment y, long yOff) {
        DType act = QuantKernels.activationType(type);
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm " + type + ": negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkBlocks(k, type.blockSize(), "gemm", type);
        long rowBytes = type.byteSize(k);
        long need = wOff + rowBytes * n;
        if (wOff < 0 || need > w.byteSize()) {
            throw new IllegalArgumentException("gemm " + type + ": " + n + " weight rows of " + k + " need " + need
                    + " bytes, the buffer has " + w.byteSize());
        }
        if (m == 0 || n == 0) {
            return;
        }
        long aBytes = act.byteSize(k);
        MemorySegment xq = scratch(aBytes * m);
        for (int i = 0; i < m; i++) {
            quantizeActivation(type, k, x, xOff + (long) i * k, xq, aBytes * i);
        }
        if (Parallel.shareable(w, x, y)) {
            Parallel.forRange(n, 4, (from, to) -> gemmColumns(type, m, n, k, w, wOff, rowBytes, from, to, xq, aBytes, y, yOff));
        } else {
            gemmColumns(type, m, n, k, w, wOff, rowBytes, 0, n, xq, aBytes, y, yOff);
        }
    }

    /**
     * Output columns [from, to) of {@link #gemm}: y[i·n + j] = W[j,:]·(activation row i at byte aBytes·i of xq).
     * The specification is one {@link #dot} per entry; the vector twin unpacks each weight block once for several
     * activation rows and must give the same floats as its own {@code dot}.
     */
    protected void gemmColumns(DType type, int m, int n, int k, MemorySegment w, long wOff, long rowBytes, int from,
                               int to, MemorySegment xq, long aBytes, MemorySegment y, long yOff) {
        for (int j = from; j < to; j++) {
            for (int i = 0; i < m; i++) {
                y.set(F32, (yOff + (long) i * n + j) * 4, dot(type, k, w, wOff + rowBytes * j, xq, aBytes * i));
            }
        }
    }
}
