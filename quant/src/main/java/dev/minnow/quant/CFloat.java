package dev.minnow.quant;

/**
 * The C float semantics that llama.cpp's reference quantizers rely on, reproduced exactly (x86-64, SSE, no FMA
 * contraction: how ggml-base is compiled). Everything else in the quantizers is plain IEEE binary32 arithmetic,
 * which Java evaluates the same way as C when the operations are written in the same order.
 */
final class CFloat {
    private CFloat() {}

    /** ggml's {@code nearest_int}: add 1.5·2²³ and keep the low mantissa bits (round half to even for |f| ≤ 2²²). */
    static int nearestInt(float f) {
        int bits = Float.floatToRawIntBits(f + 12582912.0f);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /** C {@code roundf}: half away from zero. The addition is done in double, where it is exact. */
    static float roundf(float f) {
        if (!(Math.abs(f) < 0x1p23f)) {
            return f; // NaN, infinities and values that are already integers
        }
        return (float) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }

    /**
     * C's float to {@code int32_t} conversion as x86-64 performs it ({@code cvttss2si}): truncation toward zero,
     * and 0x80000000 for NaN and out-of-range values (where C leaves the result undefined). Narrower C integer
     * types ({@code int8_t}, {@code uint8_t}) take the low bits of this value.
     */
    static int cvtt(float f) {
        if (f != f || f >= 0x1p31f || f < -0x1p31f) {
            return Integer.MIN_VALUE;
        }
        return (int) f;
    }

    /** {@code GGML_FP32_TO_FP16}: round to nearest even; every NaN becomes the quiet NaN 0x7E00 with its sign. */
    static short toHalf(float f) {
        if (f != f) {
            return (short) (((Float.floatToRawIntBits(f) >>> 16) & 0x8000) | 0x7e00);
        }
        return Float.floatToFloat16(f);
    }

    /** {@code GGML_FP16_TO_FP32}: exact. */
    static float fromHalf(short h) {
        return Float.float16ToFloat(h);
    }

    /** {@code GGML_FP16_TO_FP32(GGML_FP32_TO_FP16(f))}. */
    static float roundTripHalf(float f) {
        return fromHalf(toHalf(f));
    }
}
