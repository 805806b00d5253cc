package dev.minnow.quant;

/**
 * Q2_K, 84 bytes per 256 values: {@code uint8 scales[16]; uint8 qs[64]; half d; half dmin}. Sixteen groups of 16;
 * scales[g] holds the 4-bit scale (low nibble) and 4-bit min (high nibble); x = d·sc·q − dmin·m with q ∈ [0,3].
 * qs byte 32·h + l holds, at bit 2k, element 128·h + 32·k + l. Quantizer: {@code quantize_row_q2_K_ref}.
 */
final class Q2_KCodec implements BlockCodec {
    static final Q2_KCodec INSTANCE = new Q2_KCodec();
    private static final float Q4SCALE = 15.f;

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        int[] L = new int[256];
        int[] laux = new int[16];
        float[] weights = new float[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] theMin = new float[1];
        for (int i = 0; i < nb; i++, xo += 256, yo += 84) {
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) {
                    weights[l] = Math.abs(x[xo + 16 * j + l]);
                }
                scales[j] = KQuantSearch.makeQkx2Quants(16, 3, x, xo + 16 * j, weights, L, 16 * j, theMin, laux,
                        -0.5f, 0.1f, 15, true);
                mins[j] = theMin[0];
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            int[] sc = new int[16];
            if (maxScale > 0) {
                float iscale = Q4SCALE / maxScale;
                for (int j = 0; j < 16; j++) {
                    sc[j] = CFloat.nearestInt(iscale * scales[j]) & 0xff;
                }
                BlockCodec.put16(y, yo + 80, CFloat.toHalf(maxScale / Q4SCALE));
            } else {
                BlockCodec.put16(y, yo + 80, CFloat.toHalf(0f));
            }
            if (maxMin > 0) {
                float iscale = Q4SCALE / maxMin;
                for (int j = 0; j < 16; j++) {
                    int l = CFloat.nearestInt(iscale * mins[j]);
                    sc[j] = (sc[j] | l << 4) & 0xff;
                }
                BlockCodec.put16(y, yo + 82, CFloat.toHalf(maxMin / Q4SCALE));
            } else {
                BlockCodec.put16(y, yo + 82, CFloat.toHalf(0f));
            }
            float dAll = BlockCodec.half(y, yo + 80);
            float dMin = BlockCodec.half(y, yo + 82);
            for (int j = 0; j < 16; j++) {
                y[yo + j] = (byte) sc[j];
                float d = dAll * (sc[j] & 0xf);
                if (d == 0f) {
                    continue;
                }
                float dm = dMin * (sc[j] >>> 4);
                for (int ii = 0; ii < 16; ii++) {
                    int l = CFloat.nearestInt((x[xo + 16 * j + ii] + dm) / d);
                    L[16 * j + ii] = Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < 256; j += 128) {
                for (int l = 0; l < 32; l++) {
                    y[yo + 16 + j / 4 + l] = (byte) (L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
                }
            }
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 84) {
            float d = BlockCodec.half(x, xo + 80);
            float min = BlockCodec.half(x, xo + 82);
            int is = 0;
            for (int n = 0; n < 256; n += 128) {
                int q = xo + 16 + n / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    int sc = BlockCodec.u8(x, xo + is++);
                    float dl = d * (sc & 0xf);
                    float ml = min * (sc >>> 4);
                    for (int l = 0; l < 16; l++) {
                        y[yo++] = dl * ((x[q + l] >> shift) & 3) - ml;
                    }
                    sc = BlockCodec.u8(x, xo + is++);
                    dl = d * (sc & 0xf);
                    ml = min * (sc >>> 4);
                    for (int l = 16; l < 32; l++) {
                        y[yo++] = dl * ((x[q + l] >> shift) & 3) - ml;
                    }
                }
            }
        }
    }
}
