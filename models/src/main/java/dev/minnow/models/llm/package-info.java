/**
 * Small language models from GGUF: the {@code llama} architecture's forward pass (RMSNorm, RoPE, grouped-query
 * attention over a KV cache, SwiGLU), sampling, and the {@link dev.minnow.models.llm.LanguageModel} facade.
 *
 * <pre>{@code
 * try (var lm = LanguageModel.load(Path.of("model.gguf"))) {
 *     lm.generate("Once upon a time", GenerationOptions.greedy().maxTokens(64), System.out::print);
 * }
 * }</pre>
 *
 * Weights stay in the memory-mapped file: F32 matrices go straight to the kernels, other GGML types
 * (F16, BF16, Q4_0, Q6_K, ...) are converted row by row as they are used ({@link dev.minnow.models.llm.WeightMatrix}).
 * Tokenizers live in {@code dev.minnow.models.tokenizer}; the GGUF format in {@code dev.minnow.tensor.gguf}.
 */
package dev.minnow.models.llm;
