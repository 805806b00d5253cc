package dev.minnow.quant;

/**
 * Q8_0, 34 bytes per 32 values: {@code half d; int8 qs[32]}; x = d·q. Quantizer: {@code quantize_row_q8_0_ref}
 * (d = amax/127 in f32, q = roundf(x/d), half away from zero; only the stored d is rounded to f16).
 */
final class Q8_0Codec implements BlockCodec {
    static final Q8_0Codec INSTANCE = new Q8_0Codec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 32, yo += 34) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                float a = Math.abs(x[xo + j]);
                amax = amax > a ? amax : a; // C MAX(amax, fabsf(v)): a NaN is replaced by the next value
            }
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0.0f;
            BlockCodec.put16(y, yo, CFloat.toHalf(d));
            for (int j = 0; j < 32; j++) {
                y[yo + 2 + j] = (byte) CFloat.cvtt(CFloat.roundf(x[xo + j] * id));
            }
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 34, yo += 32) {
            float d = BlockCodec.half(x, xo);
            for (int j = 0; j < 32; j++) {
                y[yo + j] = x[xo + 2 + j] * d;
            }
        }
    }
}
