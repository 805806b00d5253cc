/**
 * Tensors over {@link java.lang.foreign.MemorySegment}s.
 *
 * <pre>{@code
 * try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
 *     Tensor col = t.transpose(0, 1);      // a view, no copy
 *     float x = col.getFloat(2, 1);       // 6.0
 * }
 * }</pre>
 *
 * <p>{@link dev.minnow.tensor.DType} lists every element type Minnow stores, including the GGML
 * block-quantized ones (their byte layouts live in {@code dev.minnow.quant}); loaders size any tensor
 * with {@link dev.minnow.tensor.DType#byteSize(long)}. Shape and bounds errors are
 * {@link java.lang.IllegalArgumentException}s whose message names the shapes and offsets involved.
 */
package dev.minnow.tensor;
