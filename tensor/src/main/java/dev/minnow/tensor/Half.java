package dev.minnow.tensor;

/** IEEE half (F16) and bfloat16 (BF16) conversions. F16 rounds to nearest even, like ggml. */
public final class Half {
    private Half() {}

    public static float f16ToF32(short h) { return Float.float16ToFloat(h); }

    public static short f32ToF16(float f) { return Float.floatToFloat16(f); }

    public static float bf16ToF32(short b) { return Float.intBitsToFloat((b & 0xffff) << 16); }

    /** Round to nearest even; NaN stays a quiet NaN (as ggml's {@code ggml_compute_fp32_to_bf16}). */
    public static short f32ToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }
}
