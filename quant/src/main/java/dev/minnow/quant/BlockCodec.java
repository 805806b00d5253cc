package dev.minnow.quant;

/**
 * One GGML storage format: converts whole blocks between f32 and the packed little-endian bytes of
 * ggml-common.h. Quantizers reproduce llama.cpp's {@code quantize_row_*_ref} byte for byte and dequantizers
 * {@code dequantize_row_*} bit for bit, including the order of float operations. Offsets count array elements;
 * callers ({@link GgmlQuant}) check bounds and block multiples.
 */
sealed interface BlockCodec
        permits F32Codec, F16Codec, BF16Codec, Q4_0Codec, Q4_1Codec, Q5_0Codec, Q5_1Codec, Q8_0Codec, Q8_1Codec,
                Q2_KCodec, Q3_KCodec, Q4_KCodec, Q5_KCodec, Q6_KCodec, Q8_KCodec {

    /** Quantizes {@code nBlocks} blocks of {@code x} starting at {@code xOff} into {@code y} at byte {@code yOff}. */
    void quantize(float[] x, int xOff, byte[] y, int yOff, int nBlocks);

    /** Dequantizes {@code nBlocks} blocks from byte {@code xOff} of {@code x} into {@code y} at {@code yOff}. */
    void dequantize(byte[] x, int xOff, float[] y, int yOff, int nBlocks);

    static int u8(byte[] b, int i) { return b[i] & 0xff; }

    static short le16(byte[] b, int i) { return (short) ((b[i] & 0xff) | (b[i + 1] << 8)); }

    static int le32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    static float half(byte[] b, int i) { return CFloat.fromHalf(le16(b, i)); }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }
}
