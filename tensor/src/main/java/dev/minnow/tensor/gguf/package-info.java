/**
 * GGUF (llama.cpp's model file format, versions 2 and 3): a validating reader over a memory-mapped file and a
 * writer.
 *
 * <pre>{@code
 * try (GgufFile f = GgufFile.open(Path.of("model.gguf"))) {
 *     String arch = f.getString("general.architecture");
 *     Tensor emb = f.tensor("token_embd.weight");   // a view into the mapping, shape [vocab, dim]
 * }
 * }</pre>
 *
 * <p>Tensor shapes are row-major: GGUF's {@code ne = [ne0, ne1, …]} (ne0 innermost) becomes
 * {@code shape = […, ne1, ne0]}. Every violation of the format is a {@link dev.minnow.tensor.gguf.GgufFormatException}
 * naming the file, the key or tensor and the byte offset.
 */
package dev.minnow.tensor.gguf;
