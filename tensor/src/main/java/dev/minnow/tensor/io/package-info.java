/**
 * Reading model files without copying them onto the heap.
 *
 * <p>{@link dev.minnow.tensor.io.MappedFile} maps a file read-only into a shared arena and hands out
 * bounds-checked typed views; the format readers (GGUF, safetensors, NumPy {@code .npy}) build on it.
 * Every reader validates what it reads and throws a {@link dev.minnow.tensor.io.ModelFormatException}
 * naming the file, the entry and the byte offset.
 */
package dev.minnow.tensor.io;
