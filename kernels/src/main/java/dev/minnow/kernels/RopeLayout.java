package dev.minnow.kernels;

/** How a rotary embedding pairs the dimensions of a head. */
public enum RopeLayout {
    /** GPT-J / Llama (ggml mode 0): pairs (2i, 2i+1). */
    INTERLEAVED,
    /** GPT-NeoX (ggml mode 2, Qwen2, StableLM, Phi-3): pairs (i, i + rotaryDim/2). */
    SPLIT_HALF
}
