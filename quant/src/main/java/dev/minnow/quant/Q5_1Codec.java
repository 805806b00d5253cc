package dev.minnow.quant;

/**
 * Q5_1, 24 bytes per 32 values: {@code half d; half m; uint8 qh[4]; uint8 qs[16]}; bits as Q5_0; x = q·d + m.
 * Quantizer: {@code quantize_row_q5_1_ref} (d = (max − min)/31, q = (uint8)((x − min)/d + 0.5), no clamp).
 */
final class Q5_1Codec implements BlockCodec {
    static final Q5_1Codec INSTANCE = new Q5_1Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 24) {
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
            float d = (max - min) / 31f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            BlockCodec.put16(y, yo + 2, CFloat.toHalf(min));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = CFloat.cvtt((x[xo + j] - min) * id + 0.5f) & 0xff;
                int q1 = CFloat.cvtt((x[xo + 16 + j] - min) * id + 0.5f) & 0xff;
                y[yo + 8 + j] = (byte) ((q0 & 0x0f) | (q1 & 0x0f) << 4);
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            BlockCodec.put32(y, yo + 4, qh);
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 24, yo += 32) {
            float d = BlockCodec.half(x, xo);
            float m = BlockCodec.half(x, xo + 2);
            int qh = BlockCodec.le32(x, xo + 4);
            for (int j = 0; j < 16; j++) {
                int q = BlockCodec.u8(x, xo + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = ((q & 0x0f) | h0) * d + m;
                y[yo + 16 + j] = ((q >>> 4) | h1) * d + m;
            }
        }
    }
}
