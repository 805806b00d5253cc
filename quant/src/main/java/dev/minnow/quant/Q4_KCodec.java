package dev.minnow.quant;

/**
 * Q4_K, 144 bytes per 256 values: {@code half d; half dmin; uint8 scales[12]; uint8 qs[128]}. Eight groups of 32
 * with 6-bit scale sc and min m ({@link #scaleMin}); x = d·sc·q − dmin·m, q ∈ [0,15]. qs byte 32·c + l holds
 * element 64·c + l (low nibble) and 64·c + 32 + l (high nibble). Quantizer: {@code quantize_row_q4_K_ref}.
 */
final class Q4_KCodec implements BlockCodec {
    static final Q4_KCodec INSTANCE = new Q4_KCodec();

    @Override
    public void quantize(float[] x, int xo, byte[] y, int yo, int nb) {
        quantizeK(x, xo, y, yo, nb, 15, -1.f, 0.1f, 20, new int[256]);
    }

    /**
     * The common part of Q4_K (nmax 15) and Q5_K (nmax 31): per-group {@code make_qkx2_quants} with weights
     * rms(group) + |x|, 6-bit scales and mins, requantization with the stored f16 d and dmin, then packing.
     */
    static void quantizeK(float[] x, int xo, byte[] y, int yo, int nb, int nmax, float rmin, float rdelta, int nstep,
                          int[] L) {
        int bytes = nmax == 15 ? 144 : 176;
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] theMin = new float[1];
        byte[] sb = new byte[12];
        for (int i = 0; i < nb; i++, xo += 256, yo += bytes) {
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0f;
                for (int l = 0; l < 32; l++) {
                    sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
                }
                scales[j] = KQuantSearch.makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, L, 32 * j, theMin, laux,
                        rmin, rdelta, nstep, false);
                mins[j] = theMin[0];
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            java.util.Arrays.fill(sb, (byte) 0);
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, CFloat.nearestInt(invScale * scales[j]) & 0xff);
                int lm = Math.min(63, CFloat.nearestInt(invMin * mins[j]) & 0xff);
                if (j < 4) {
                    sb[j] = (byte) ls;
                    sb[j + 4] = (byte) lm;
                } else {
                    sb[j + 4] = (byte) ((ls & 0xf) | (lm & 0xf) << 4);
                    sb[j - 4] |= (byte) ((ls >> 4) << 6);
                    sb[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            System.arraycopy(sb, 0, y, yo + 4, 12);
            BlockCodec.put16(y, yo, CFloat.toHalf(maxScale / 63.f));
            BlockCodec.put16(y, yo + 2, CFloat.toHalf(maxMin / 63.f));
            float dAll = BlockCodec.half(y, yo);
            float dMin = BlockCodec.half(y, yo + 2);
            for (int j = 0; j < 8; j++) {
                float d = dAll * scaleMin(y, yo + 4, j, false);
                if (d == 0f) {
                    continue;
                }
                float dm = dMin * scaleMin(y, yo + 4, j, true);
                for (int ii = 0; ii < 32; ii++) {
                    int l = CFloat.nearestInt((x[xo + 32 * j + ii] + dm) / d);
                    L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
                }
            }
            if (nmax == 15) {
                packQ4(L, y, yo + 16);
            } else {
                Q5_KCodec.packQ5(L, y, yo + 16);
            }
        }
    }

    private static void packQ4(int[] L, byte[] y, int qo) {
        for (int j = 0; j < 256; j += 64) {
            for (int l = 0; l < 32; l++) {
                y[qo + l] = (byte) (L[j + l] | L[j + l + 32] << 4);
            }
            qo += 32;
        }
    }

    /** {@code get_scale_min_k4}: the 6-bit scale (or, when {@code min}, the 6-bit min) of group j. */
    static int scaleMin(byte[] q, int so, int j, boolean min) {
        if (j < 4) {
            return (min ? q[so + j + 4] : q[so + j]) & 63;
        }
        if (!min) {
            return (q[so + j + 4] & 0xf) | ((q[so + j - 4] & 0xff) >>> 6) << 4;
        }
        return (q[so + j + 4] & 0xff) >>> 4 | ((q[so + j] & 0xff) >>> 6) << 4;
    }

    @Override
    public void dequantize(byte[] x, int xo, float[] y, int yo, int nb) {
        for (int i = 0; i < nb; i++, xo += 144) {
            float d = BlockCodec.half(x, xo);
            float min = BlockCodec.half(x, xo + 2);
            int q = xo + 16;
            for (int is = 0; is < 8; is += 2) {
                float d1 = d * scaleMin(x, xo + 4, is, false);
                float m1 = min * scaleMin(x, xo + 4, is, true);
                float d2 = d * scaleMin(x, xo + 4, is + 1, false);
                float m2 = min * scaleMin(x, xo + 4, is + 1, true);
                for (int l = 0; l < 32; l++) {
                    y[yo++] = d1 * (x[q + l] & 0xf) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[yo++] = d2 * ((x[q + l] & 0xff) >>> 4) - m2;
                }
                q += 32;
            }
        }
    }
}
