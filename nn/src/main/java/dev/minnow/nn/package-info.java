/**
 * Operators and layers (linear, attention pieces, convolutions, pooling, normalisation) over {@code Tensor}s,
 * each a thin shape-checking layer over {@code dev.minnow.kernels}.
 */
package dev.minnow.nn;
