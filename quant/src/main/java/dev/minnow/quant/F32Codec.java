package dev.minnow.quant;

/** F32: plain little-endian floats (a "block" of one). */
final class F32Codec implements BlockCodec {
    static final F32Codec INSTANCE = new F32Codec();

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            BlockCodec.put32(y, yOff + 4 * i, Float.floatToRawIntBits(x[xOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Float.intBitsToFloat(BlockCodec.le32(x, xOff + 4 * i));
        }
    }
}
