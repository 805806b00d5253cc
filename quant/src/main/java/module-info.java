/** Quantized formats (GGML blocks, per-channel int8, group-wise int4): layouts, quantizers, dequantizers. */
module dev.minnow.quant {
    requires transitive dev.minnow.tensor;
    requires transitive dev.minnow.kernels;
    exports dev.minnow.quant;
}
