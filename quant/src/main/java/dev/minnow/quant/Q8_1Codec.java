package dev.minnow.quant;

/**
 * Q8_1, 36 bytes per 32 values: {@code half d; half s; int8 qs[32]} with s = d·Σq (the activation type paired with
 * Q4_1/Q5_1). Quantizer: {@code quantize_row_q8_1_ref}.
 */
final class Q8_1Codec implements BlockCodec {
    static final Q8_1Codec INSTANCE = new Q8_1Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 36) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(x[xo + j]);
                amax = amax > a ? amax : a;
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            int sum = 0;
            for (int j = 0; j < 16; j++) {
                byte q0 = (byte) CFloat.cvtt(CFloat.roundf(x[xo + j] * id));
                byte q1 = (byte) CFloat.cvtt(CFloat.roundf(x[xo + 16 + j] * id));
                y[yo + 4 + j] = q0;
                y[yo + 4 + 16 + j] = q1;
                sum += q0;
                sum += q1;
            }
            BlockCodec.put16(y, yo + 2, CFloat.toHalf(sum * d));
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 36, yo += 32) {
            float d = BlockCodec.half(x, xo);
            for (int j = 0; j < 32; j++) {
                y[yo + j] = x[xo + 4 + j] * d;
            }
        }
    }
}
