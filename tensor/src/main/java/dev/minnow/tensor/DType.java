package dev.minnow.tensor;

/**
 * Element types. Plain types have {@code blockSize == 1}; the GGML block-quantized types store
 * {@link #blockSize()} elements in {@link #bytesPerBlock()} bytes (layouts: ggml-common.h, and
 * {@code dev.minnow.quant} for Minnow's code). {@link #ggmlId()} is the GGML type id used by GGUF
 * ({@code -1} where GGML has none).
 */
public enum DType {
    F32(1, 4, 0),
    F16(1, 2, 1),
    BF16(1, 2, 30),
    F64(1, 8, 28),
    I8(1, 1, 24),
    U8(1, 1, -1),
    I16(1, 2, 25),
    I32(1, 4, 26),
    I64(1, 8, 27),
    BOOL(1, 1, -1),
    /** 32 x 4-bit, f16 scale: 18 bytes. */
    Q4_0(32, 18, 2),
    /** 32 x 4-bit, f16 scale and min: 20 bytes. */
    Q4_1(32, 20, 3),
    /** 32 x 5-bit, f16 scale: 22 bytes. */
    Q5_0(32, 22, 6),
    /** 32 x 5-bit, f16 scale and min: 24 bytes. */
    Q5_1(32, 24, 7),
    /** 32 x int8, f16 scale: 34 bytes. */
    Q8_0(32, 34, 8),
    /** 32 x int8, f16 scale and f16 sum (activations): 36 bytes. */
    Q8_1(32, 36, 9),
    /** K-quant super-block of 256, 2-bit: 84 bytes. */
    Q2_K(256, 84, 10),
    /** K-quant super-block of 256, 3-bit: 110 bytes. */
    Q3_K(256, 110, 11),
    /** K-quant super-block of 256, 4-bit: 144 bytes. */
    Q4_K(256, 144, 12),
    /** K-quant super-block of 256, 5-bit: 176 bytes. */
    Q5_K(256, 176, 13),
    /** K-quant super-block of 256, 6-bit: 210 bytes. */
    Q6_K(256, 210, 14),
    /** K-quant super-block of 256, int8 with f32 scale and 16 block sums (activations): 292 bytes. */
    Q8_K(256, 292, 15);

    private final int blockSize;
    private final int bytesPerBlock;
    private final int ggmlId;

    DType(int blockSize, int bytesPerBlock, int ggmlId) {
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
        this.ggmlId = ggmlId;
    }

    public int blockSize() { return blockSize; }

    public int bytesPerBlock() { return bytesPerBlock; }

    public int ggmlId() { return ggmlId; }

    public boolean isQuantized() { return blockSize > 1; }

    public boolean isFloat() { return this == F32 || this == F16 || this == BF16 || this == F64; }

    /** Element size in bytes for plain types; throws for block types. */
    public int elementBytes() {
        if (blockSize != 1) {
            throw new IllegalArgumentException(this + " is block-quantized (" + blockSize
                    + " elements in " + bytesPerBlock + " bytes): it has no per-element size");
        }
        return bytesPerBlock;
    }

    /**
     * Bytes needed to store {@code elements} elements. Throws when {@code elements} is negative, not a
     * whole number of blocks, or the size overflows a {@code long}.
     */
    public long byteSize(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("negative element count " + elements + " for " + this);
        }
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements is not a multiple of the " + this
                    + " block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }

    /** The type with GGML id {@code id}; throws naming the id when Minnow does not know it. */
    public static DType fromGgmlId(int id) {
        for (DType t : values()) {
            if (t.ggmlId == id && id >= 0) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown or unsupported GGML type id " + id);
    }
}
