package dev.minnow.quant;

/**
 * Q4_0, 18 bytes per 32 values: {@code half d; uint8 qs[16]}; element j is the low nibble of qs[j] and element
 * j+16 the high nibble; x = (q − 8)·d. Quantizer: {@code quantize_row_q4_0_ref} (d = max/−8 with max the signed
 * value of largest magnitude; q = min(15, (int8)(x/d + 8.5))).
 */
final class Q4_0Codec implements BlockCodec {
    static final Q4_0Codec INSTANCE = new Q4_0Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 18) {
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < 32; j++) {
                float v = x[xo + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (byte) CFloat.cvtt(x[xo + j] * id + 8.5f)) & 0xff;
                int q1 = Math.min(15, (byte) CFloat.cvtt(x[xo + 16 + j] * id + 8.5f)) & 0xff;
                y[yo + 2 + j] = (byte) (q0 | q1 << 4);
            }
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 18, yo += 32) {
            float d = BlockCodec.half(x, xo);
            for (int j = 0; j < 16; j++) {
                int q = BlockCodec.u8(x, xo + 2 + j);
                y[yo + j] = ((q & 0x0f) - 8) * d;
                y[yo + 16 + j] = ((q >>> 4) - 8) * d;
            }
        }
    }
}
