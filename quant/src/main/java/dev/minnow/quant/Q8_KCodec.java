package dev.minnow.quant;

/**
 * Q8_K, 292 bytes per 256 values: {@code float d; int8 qs[256]; int16 bsums[16]} (the activation type of the
 * K-quant dot products; never stored in model files). Quantizer {@code quantize_row_q8_K_ref}: iscale = −127/max
 * with max the signed value of largest magnitude, q = min(127, nearest_int(iscale·x)), d = 1/iscale (negative when
 * max &gt; 0). An all-zero block gets d = 0 and zero bsums (llama.cpp leaves its bsums unwritten).
 */
final class Q8_KCodec implements BlockCodec {
    static final Q8_KCodec INSTANCE = new Q8_KCodec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 256, yo += 292) {
            float max = 0f;
            float amax = 0f;
            for (int j = 0; j < 256; j++) {
                float ax = Math.abs(x[xo + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xo + j];
                }
            }
            if (amax == 0f) {
                java.util.Arrays.fill(y, yo, yo + 292, (byte) 0);
                continue;
            }
            float iscale = -127.f / max;
            for (int j = 0; j < 256; j++) {
                y[yo + 4 + j] = (byte) Math.min(127, CFloat.nearestInt(iscale * x[xo + j]));
            }
            for (int j = 0; j < 16; j++) {
                int sum = 0;
                for (int ii = 0; ii < 16; ii++) {
                    sum += y[yo + 4 + 16 * j + ii];
                }
                BlockCodec.put16(y, yo + 260 + 2 * j, sum);
            }
            BlockCodec.put32(y, yo, Float.floatToRawIntBits(1 / iscale));
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 292, yo += 256) {
            float d = Float.intBitsToFloat(BlockCodec.le32(x, xo));
            for (int j = 0; j < 256; j++) {
                y[yo + j] = d * x[xo + 4 + j];
            }
        }
    }
}
