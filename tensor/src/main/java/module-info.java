/**
 * Minnow tensors: dtypes, shapes, {@link dev.minnow.tensor.Tensor} over FFM memory and
 * memory-mapped model files. No compute lives here (that is {@code dev.minnow.kernels}).
 */
module dev.minnow.tensor {
    exports dev.minnow.tensor;
    exports dev.minnow.tensor.io;
    exports dev.minnow.tensor.gguf;
}
