package dev.minnow.quant;

import dev.minnow.tensor.DType;

/** Which {@link DType}s this module can quantize and dequantize. */
public final class QuantFormats {
    private QuantFormats() {}

    /** True for the block formats whose layouts this module implements. */
    public static boolean supported(DType t) {
        return t.isQuantized();
    }
}
