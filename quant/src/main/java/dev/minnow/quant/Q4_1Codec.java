package dev.minnow.quant;

/**
 * Q4_1, 20 bytes per 32 values: {@code half d; half m; uint8 qs[16]} (nibble order as Q4_0); x = q·d + m.
 * Quantizer: {@code quantize_row_q4_1_ref} (d = (max − min)/15, m = min, q = min(15, (int8)((x − min)/d + 0.5))).
 */
final class Q4_1Codec implements BlockCodec {
    static final Q4_1Codec INSTANCE = new Q4_1Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 20) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                float v = x[xo + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 15f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            BlockCodec.put16(y, yo + 2, CFloat.toHalf(min));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (byte) CFloat.cvtt((x[xo + j] - min) * id + 0.5f)) & 0xff;
                int q1 = Math.min(15, (byte) CFloat.cvtt((x[xo + 16 + j] - min) * id + 0.5f)) & 0xff;
                y[yo + 4 + j] = (byte) (q0 | q1 << 4);
            }
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 20, yo += 32) {
            float d = BlockCodec.half(x, xo);
            float m = BlockCodec.half(x, xo + 2);
            for (int j = 0; j < 16; j++) {
                int q = BlockCodec.u8(x, xo + 4 + j);
                y[yo + j] = (q & 0x0f) * d + m;
                y[yo + 16 + j] = (q >>> 4) * d + m;
            }
        }
    }
}
