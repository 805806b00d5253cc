package dev.minnow.kernels;

/** Element-wise activations, applied in place by {@link Kernels#activate}. */
public enum Activation {
    /** max(x, 0) */
    RELU,
    /** min(max(x, 0), 6) */
    RELU6,
    /** x · sigmoid(x) (a.k.a. swish) */
    SILU,
    /** x · Φ(x), the exact erf form */
    GELU,
    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
    GELU_TANH,
    /** 1 / (1 + e^-x) */
    SIGMOID,
    /** clamp(x/6 + 1/2, 0, 1), PyTorch's Hardsigmoid */
    HARD_SIGMOID,
    /** x · hardSigmoid(x) */
    HARD_SWISH
}
