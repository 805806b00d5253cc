package dev.minnow.quant;

/**
 * Q3_K, 110 bytes per 256 values: {@code uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d}. Sixteen
 * groups of 16 with signed 6-bit scales (stored +32: low nibbles in scales[0..8), high 2 bits in scales[8..12));
 * x = d·(sc − 32)·(q − 4) where q = 2 low bits (qs, laid out as Q2_K) + 4·high bit (hmask: element e's bit is
 * bit e/32 of hmask[e % 32]). Quantizer: {@code quantize_row_q3_K_ref}.
 */
final class Q3_KCodec implements BlockCodec {
    static final Q3_KCodec INSTANCE = new Q3_KCodec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        int[] L = new int[256];
        float[] scales = new float[16];
        int[] sb = new int[12];
        for (int i = 0; i < nb; i++, xo += 256, yo += 110) {
            float maxScale = 0f;
            float amax = 0f;
            for (int j = 0; j < 16; j++) {
                scales[j] = KQuantSearch.makeQ3Quants(16, 4, x, xo + 16 * j, L, 16 * j, true);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(sb, 0);
            if (maxScale != 0f) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = (byte) CFloat.nearestInt(iscale * scales[j]);
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) {
                        sb[j] = l & 0xf;
                    } else {
                        sb[j - 8] |= (l & 0xf) << 4;
                    }
                    l >>= 4;
                    sb[j % 4 + 8] |= l << (2 * (j / 4));
                }
                BlockCodec.put16(y, yo + 108, CFloat.toHalf(1 / iscale));
            } else {
                BlockCodec.put16(y, yo + 108, CFloat.toHalf(0f));
            }
            for (int j = 0; j < 12; j++) {
                y[yo + 96 + j] = (byte) sb[j];
            }
            float dAll = BlockCodec.half(y, yo + 108);
            for (int j = 0; j < 16; j++) {
                float d = dAll * scale(y, yo + 96, j);
                if (d == 0f) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = CFloat.nearestInt(x[xo + 16 * j + ii] / d);
                    L[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
                }
            }
            for (int j = 0; j < 32; j++) {
                y[yo + j] = 0;
            }
            int m = 0;
            int hm = 1;
            for (int j = 0; j < 256; j++) {
                if (L[j] > 3) {
                    y[yo + m] |= (byte) hm;
                    L[j] -= 4;
                }
                if (++m == 32) {
                    m = 0;
                    hm <<= 1;
                }
            }
            for (int j = 0; j < 256; j += 128) {
                for (int l = 0; l < 32; l++) {
                    y[yo + 32 + j / 4 + l] = (byte) (L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
                }
            }
        }
    }

    /** Signed scale of group j (−32..31) from the 12 packed bytes at {@code so}. */
    static int scale(byte[] b, int so, int j) {
        int sc = j < 8 ? b[so + j] & 0xf : (b[so + j - 8] & 0xff) >>> 4;
        return (byte) ((sc | (((b[so + 8 + j % 4] & 0xff) >>> (2 * (j / 4))) & 3) << 4) - 32);
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 110) {
            float dAll = BlockCodec.half(x, xo + 108);
            int is = 0;
            int m = 1;
            for (int n = 0; n < 256; n += 128) {
                int q = xo + 32 + n / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    float dl = dAll * scale(x, xo + 96, is++);
                    for (int l = 0; l < 16; l++) {
                        y[yo++] = dl * (((x[q + l] >> shift) & 3) - ((x[xo + l] & m) != 0 ? 0 : 4));
                    }
                    dl = dAll * scale(x, xo + 96, is++);
                    for (int l = 16; l < 32; l++) {
                        y[yo++] = dl * (((x[q + l] >> shift) & 3) - ((x[xo + l] & m) != 0 ? 0 : 4));
                    }
                    m <<= 1;
                }
            }
        }
    }
}
