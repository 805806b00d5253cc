package dev.minnow.quant;

/**
 * Q6_K, 210 bytes per 256 values: {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d} (d last). Sixteen
 * groups of 16 with int8 scales; x = d·sc·(q − 32), q ∈ [0,63]. In each half h (128 values): element 128h + 32k + l
 * (k = 0..3, l &lt; 32) takes its low 4 bits from ql[64h + l + 32·(k&amp;1)] (low nibble for k &lt; 2, high for k ≥ 2)
 * and its high 2 bits from bits 2k of qh[32h + l]. Quantizer: {@code quantize_row_q6_K_ref}.
 */
final class Q6_KCodec implements BlockCodec {
    static final Q6_KCodec INSTANCE = new Q6_KCodec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        int[] L = new int[256];
        float[] scales = new float[16];
        for (int i = 0; i < nb; i++, xo += 256, yo += 210) {
            float maxScale = 0f;
            float maxAbsScale = 0f;
            for (int ib = 0; ib < 16; ib++) {
                float scale = KQuantSearch.makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib, 1, null);
                scales[ib] = scale;
                float abs = Math.abs(scale);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < KQuantSearch.GROUP_MAX_EPS) {
                java.util.Arrays.fill(y, yo, yo + 210, (byte) 0);
                BlockCodec.put16(y, yo + 208, CFloat.toHalf(0f));
                continue;
            }
            float iscale = -128.f / maxScale;
            BlockCodec.put16(y, yo + 208, CFloat.toHalf(1 / iscale));
            for (int ib = 0; ib < 16; ib++) {
                y[yo + 192 + ib] = (byte) Math.min(127, CFloat.nearestInt(iscale * scales[ib]));
            }
            float dAll = BlockCodec.half(y, yo + 208);
            for (int j = 0; j < 16; j++) {
                float d = dAll * y[yo + 192 + j];
                if (d == 0f) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = CFloat.nearestInt(x[xo + 16 * j + ii] / d);
                    L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
                }
            }
            int ql = yo;
            int qh = yo + 128;
            for (int j = 0; j < 256; j += 128) {
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l] & 0xf;
                    int q2 = L[j + l + 32] & 0xf;
                    int q3 = L[j + l + 64] & 0xf;
                    int q4 = L[j + l + 96] & 0xf;
                    y[ql + l] = (byte) (q1 | q3 << 4);
                    y[ql + l + 32] = (byte) (q2 | q4 << 4);
                    y[qh + l] = (byte) ((L[j + l] >> 4) | (L[j + l + 32] >> 4) << 2 | (L[j + l + 64] >> 4) << 4
                            | (L[j + l + 96] >> 4) << 6);
                }
                ql += 64;
                qh += 32;
            }
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 210) {
            float d = BlockCodec.half(x, xo + 208);
            int ql = xo;
            int qh = xo + 128;
            int sc = xo + 192;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = x[qh + l] & 0xff;
                    int q1 = ((x[ql + l] & 0xf) | (h & 3) << 4) - 32;
                    int q2 = ((x[ql + l + 32] & 0xf) | ((h >> 2) & 3) << 4) - 32;
                    int q3 = ((x[ql + l] & 0xff) >> 4 | ((h >> 4) & 3) << 4) - 32;
                    int q4 = ((x[ql + l + 32] & 0xff) >> 4 | ((h >> 6) & 3) << 4) - 32;
                    y[yo + l] = d * x[sc + is] * q1;
                    y[yo + l + 32] = d * x[sc + is + 2] * q2;
                    y[yo + l + 64] = d * x[sc + is + 4] * q3;
                    y[yo + l + 96] = d * x[sc + is + 6] * q4;
                }
                yo += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
