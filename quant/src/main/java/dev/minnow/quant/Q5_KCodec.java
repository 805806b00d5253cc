package dev.minnow.quant;

/**
 * Q5_K, 176 bytes per 256 values: {@code half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}.
 * Scales and low nibbles as Q4_K; the 5th bit of element 64·c + l is bit 2c of qh[l] and of element 64·c + 32 + l
 * bit 2c+1; x = d·sc·q − dmin·m, q ∈ [0,31]. Quantizer: {@code quantize_row_q5_K_ref}.
 */
final class Q5_KCodec implements BlockCodec {
    static final Q5_KCodec INSTANCE = new Q5_KCodec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        Q4_KCodec.quantizeK(x, xo, y, yo, nb, 31, -0.5f, 0.1f, 15, new int[256]);
    }

    /** Packs 256 five-bit levels into qh (32 bytes at {@code qo}) and qs (128 bytes after it). */
    static void packQ5(int[] L, byte[] y, int qo) {
        int qh = qo;
        int ql = qo + 32;
        for (int j = 0; j < 32; j++) {
            y[qh + j] = 0;
        }
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < 256; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    y[qh + j] |= (byte) m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    y[qh + j] |= (byte) m2;
                }
                y[ql + j] = (byte) (l1 | l2 << 4);
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 176) {
            float d = BlockCodec.half(x, xo);
            float min = BlockCodec.half(x, xo + 2);
            int qh = xo + 16;
            int ql = xo + 48;
            int u1 = 1;
            int u2 = 2;
            for (int is = 0; is < 8; is += 2) {
                float d1 = d * Q4_KCodec.scaleMin(x, xo + 4, is, false);
                float m1 = min * Q4_KCodec.scaleMin(x, xo + 4, is, true);
                float d2 = d * Q4_KCodec.scaleMin(x, xo + 4, is + 1, false);
                float m2 = min * Q4_KCodec.scaleMin(x, xo + 4, is + 1, true);
                for (int l = 0; l < 32; l++) {
                    y[yo++] = d1 * ((x[ql + l] & 0xf) + ((x[qh + l] & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[yo++] = d2 * (((x[ql + l] & 0xff) >>> 4) + ((x[qh + l] & u2) != 0 ? 16 : 0)) - m2;
                }
                ql += 32;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }
}
