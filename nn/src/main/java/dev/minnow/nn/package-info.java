/**
 * Operators and layers (linear, attention pieces, convolutions, pooling, normalisation) over {@code Tensor}s,
 * each a thin shape-checking layer over {@code dev.minnow.kernels}. CNN operators take and return NCHW F32
 * tensors ({@link dev.minnow.nn.Conv2d}, {@link dev.minnow.nn.ConvTranspose2d}, {@link dev.minnow.nn.Pool2d},
 * {@link dev.minnow.nn.SqueezeExcitation}, {@link dev.minnow.nn.Ops}); activation buffers come from
 * {@link dev.minnow.nn.Buffers}.
 */
package dev.minnow.nn;
