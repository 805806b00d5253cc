/**
 * Small language models from GGUF: one decoder forward pass (norm, RoPE, grouped-query attention over a KV cache,
 * SwiGLU) for the {@code llama}, {@code qwen2}, {@code stablelm} and {@code phi3} architectures
 * ({@link dev.minnow.models.llm.Architecture} lists what differs; {@link dev.minnow.models.llm.LlamaConfig},
 * {@link dev.minnow.models.llm.LlamaModel} and {@link dev.minnow.models.llm.LlamaSession} keep their llama names),
 * sampling, and the {@link dev.minnow.models.llm.LanguageModel} facade.
 *
 * <pre>{@code
 * try (var lm = LanguageModel.load(Path.of("model.gguf"))) {
 *     lm.generate("Once upon a time", GenerationOptions.greedy().maxTokens(64), System.out::print);
 * }
 * }</pre>
 *
 * Weights stay in the memory-mapped file ({@link dev.minnow.models.llm.WeightMatrix}): F32 matrices go straight to
 * the f32 kernels; block-quantized ones (Q8_0, Q4_0, Q4_K, Q6_K, ...) go through the integer dot products of
 * {@code QuantKernels} on activations quantized to Q8_0/Q8_1/Q8_K, as llama.cpp does; F16 and BF16 rows are
 * converted to f32 tiles as they are used, after rounding the activations to F16/BF16 as ggml does. Also here:
 * {@link dev.minnow.models.llm.ModelSynth} (random-weight GGUF files of any shape),
 * {@link dev.minnow.models.llm.Perplexity}, {@link dev.minnow.models.llm.LlmBench}, and chat:
 * {@link dev.minnow.models.llm.ChatTemplate} (llama.cpp's built-in chat formats and their detection) and
 * {@link dev.minnow.models.llm.ChatSession} (a conversation that reuses the KV cache across turns).
 * Tokenizers live in {@code dev.minnow.models.tokenizer}; the GGUF format in {@code dev.minnow.tensor.gguf}.
 */
package dev.minnow.models.llm;
