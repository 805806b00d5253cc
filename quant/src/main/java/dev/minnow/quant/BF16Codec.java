package dev.minnow.quant;

import dev.minnow.tensor.Half;

/** BF16: the top 16 bits of an f32, round to nearest even; NaN stays a quiet NaN ({@code ggml_compute_fp32_to_bf16}). */
final class BF16Codec implements BlockCodec {
    static final BF16Codec INSTANCE = new BF16Codec();

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            BlockCodec.put16(y, yOff + 2 * i, Half.f32ToBf16(x[xOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Half.bf16ToF32(BlockCodec.le16(x, xOff + 2 * i));
        }
    }
}
