package dev.minnow.quant;

/**
 * Q5_0, 22 bytes per 32 values: {@code half d; uint8 qh[4]; uint8 qs[16]}; the low 4 bits as in Q4_0, the 5th
 * bit of element j in bit j of the little-endian u32 qh; x = (q − 16)·d. Quantizer: {@code quantize_row_q5_0_ref}
 * (d = max/−16, q = min(31, (int8)(x/d + 16.5))).
 */
final class Q5_0Codec implements BlockCodec {
    static final Q5_0Codec INSTANCE = new Q5_0Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 22) {
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < 32; j++) {
                float v = x[xo + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (byte) CFloat.cvtt(x[xo + j] * id + 16.5f)) & 0xff;
                int q1 = Math.min(31, (byte) CFloat.cvtt(x[xo + 16 + j] * id + 16.5f)) & 0xff;
                y[yo + 6 + j] = (byte) ((q0 & 0x0f) | (q1 & 0x0f) << 4);
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            BlockCodec.put32(y, yo + 2, qh);
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 22, yo += 32) {
            float d = BlockCodec.half(x, xo);
            int qh = BlockCodec.le32(x, xo + 2);
            for (int j = 0; j < 16; j++) {
                int q = BlockCodec.u8(x, xo + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = (((q & 0x0f) | h0) - 16) * d;
                y[yo + 16 + j] = (((q >>> 4) | h1) - 16) * d;
            }
        }
    }
}
