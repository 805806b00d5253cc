/**
 * Tokenizers that reproduce llama.cpp token for token: {@link dev.minnow.models.tokenizer.SentencePieceTokenizer}
 * ({@code tokenizer.ggml.model = llama}: scores, byte fallback, U+2581 for spaces) and
 * {@link dev.minnow.models.tokenizer.BytePairTokenizer} ({@code gpt2}: byte-level BPE with merge ranks and a
 * {@link dev.minnow.models.tokenizer.PreTokenizer}). Both work over a {@link dev.minnow.models.tokenizer.Vocabulary},
 * built in memory or read from GGUF metadata.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizer.of(vocabulary);
 * int[] ids = tok.encode("Hello world", false);   // no BOS
 * String back = tok.decode(ids);
 * }</pre>
 *
 * Model weights and the forward pass live in {@code dev.minnow.models.llm}, not here.
 */
package dev.minnow.models.tokenizer;
