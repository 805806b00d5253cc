package dev.minnow.tensor.gguf;

import dev.minnow.tensor.DType;

/**
 * A tensor's header: name, type, row-major shape (GGUF's ne reversed), its data offset relative to the data
 * section and its byte size.
 */
public record GgufTensorInfo(String name, DType type, long[] shape, long dataOffset, long byteSize) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
