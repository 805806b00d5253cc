package dev.minnow.quant;

/** F16: IEEE binary16, round to nearest even ({@code ggml_fp32_to_fp16_row}); NaN becomes ±0x7E00. */
final class F16Codec implements BlockCodec {
    static final F16Codec INSTANCE = new F16Codec();

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            BlockCodec.put16(y, yOff + 2 * i, CFloat.toHalf(x[xOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = BlockCodec.half(x, xOff + 2 * i);
        }
    }
}
