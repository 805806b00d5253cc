package dev.minnow.quant;

import dev.minnow.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Rows of GGML-typed data to and from f32, bit-exact with llama.cpp: {@link #quantizeRow} reproduces
 * {@code quantize_row_*_ref} byte for byte (what {@code llama-quantize} writes without an importance matrix) and
 * {@link #dequantizeRow} reproduces {@code dequantize_row_*} bit for bit.
 *
 * <pre>{@code
 * byte[] q4 = new byte[(int) GgmlQuant.rowBytes(DType.Q4_0, 64)];
 * GgmlQuant.quantizeRow(DType.Q4_0, weights, 0, MemorySegment.ofArray(q4), 0, 64);
 * float[] back = new float[64];
 * GgmlQuant.dequantizeRow(DType.Q4_0, MemorySegment.ofArray(q4), 0, back, 0, 64);
 * }</pre>
 *
 * <p>Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K; any other
 * {@link DType} is rejected with {@link IllegalArgumentException}. A row length that is not a multiple of the block
 * size, or a buffer shorter than the row, is an {@link IllegalArgumentException} naming the numbers involved.
 *
 * <p>NaN and infinities: the quantizers do exactly what llama.cpp's C code does on x86-64 (where C leaves a
 * float-to-int conversion undefined, x86's result 0x80000000 is used). That is rarely useful: an infinity in a Q8_0
 * or Q4_0 block stores an infinite f16 scale and zero quants, so the whole block dequantizes to NaN/±inf; a NaN in a
 * Q8_0 block is skipped when finding the block maximum and stored as quant 0; in the K-quants a NaN poisons the
 * scale search of its group. Nothing throws. Callers that need finite blocks must check their input.
 */
public final class GgmlQuant {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlQuant() {}

    /** True when this class can (de)quantize {@code type}. */
    public static boolean supports(DType type) {
        return codecOrNull(type) != null;
    }

    /** Bytes of a row of {@code n} elements of {@code type}; throws when n is not a whole number of blocks. */
    public static long rowBytes(DType type, long n) {
        codec(type);
        if (n < 0) {
            throw new IllegalArgumentException("negative row length " + n);
        }
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException("row length " + n + " is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        return n / type.blockSize() * type.bytesPerBlock();
    }

    /**
     * Dequantizes the row of {@code n} elements of {@code type} stored at byte {@code srcOffset} of {@code src} into
     * {@code dst[dstOff .. dstOff+n)}.
     */
    public static void dequantizeRow(DType type, MemorySegment src, long srcOffset, float[] dst, int dstOff, int n) {
        BlockCodec codec = codec(type);
        int bytes = checkedBytes(type, n, src, srcOffset, "source");
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        byte[] packed = new byte[bytes];
        MemorySegment.copy(src, BYTE, srcOffset, packed, 0, bytes);
        codec.dequantize(packed, 0, dst, dstOff, n / type.blockSize());
    }

    /** As {@link #dequantizeRow(DType, MemorySegment, long, float[], int, int)}, into little-endian f32 at byte {@code dstOffset}. */
    public static void dequantizeRow(DType type, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int n) {
        float[] row = new float[n];
        dequantizeRow(type, src, srcOffset, row, 0, n);
        MemorySegment.copy(row, 0, dst, F32, dstOffset, n);
    }

    /**
     * Quantizes {@code src[srcOff .. srcOff+n)} into the row of {@code type} at byte {@code dstOffset} of
     * {@code dst} ({@link #rowBytes} bytes), exactly as llama.cpp's reference quantizer.
     */
    public static void quantizeRow(DType type, float[] src, int srcOff, MemorySegment dst, long dstOffset, int n) {
        BlockCodec codec = codec(type);
        int bytes = checkedBytes(type, n, dst, dstOffset, "destination");
        Objects.checkFromIndexSize(srcOff, n, src.length);
        byte[] packed = new byte[bytes];
        codec.quantize(src, srcOff, packed, 0, n / type.blockSize());
        MemorySegment.copy(packed, 0, dst, BYTE, dstOffset, bytes);
    }

    /** Quantizes {@code n} little-endian f32 values at byte {@code srcOffset} of {@code src}. */
    public static void quantizeRow(DType type, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int n) {
        float[] row = new float[n];
        MemorySegment.copy(src, F32, srcOffset, row, 0, n);
        quantizeRow(type, row, 0, dst, dstOffset, n);
    }

    private static int checkedBytes(DType type, int n, MemorySegment buf, long offset, String what) {
        long bytes = rowBytes(type, n);
        if (offset < 0 || offset > buf.byteSize() || buf.byteSize() - offset < bytes) {
            throw new IllegalArgumentException(what + " buffer too short: a " + type + " row of " + n + " elements ("
                    + n / type.blockSize() + " blocks) needs " + bytes + " bytes at offset " + offset
                    + ", the buffer has " + buf.byteSize() + " bytes");
        }
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("row of " + bytes + " bytes is too large");
        }
        return (int) bytes;
    }

    static BlockCodec codec(DType type) {
        BlockCodec c = codecOrNull(Objects.requireNonNull(type, "type"));
        if (c == null) {
            throw new IllegalArgumentException("no GGML block format for type " + type
                    + " (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K)");
        }
        return c;
    }

    /** The one dispatch over formats: exhaustive, so a new {@link DType} constant fails to compile here. */
    private static BlockCodec codecOrNull(DType type) {
        return switch (type) {
            case F32 -> F32Codec.INSTANCE;
            case F16 -> F16Codec.INSTANCE;
            case BF16 -> BF16Codec.INSTANCE;
            case Q4_0 -> Q4_0Codec.INSTANCE;
            case Q4_1 -> Q4_1Codec.INSTANCE;
            case Q5_0 -> Q5_0Codec.INSTANCE;
            case Q5_1 -> Q5_1Codec.INSTANCE;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case Q8_1 -> Q8_1Codec.INSTANCE;
            case Q2_K -> Q2_KCodec.INSTANCE;
            case Q3_K -> Q3_KCodec.INSTANCE;
            case Q4_K -> Q4_KCodec.INSTANCE;
            case Q5_K -> Q5_KCodec.INSTANCE;
            case Q6_K -> Q6_KCodec.INSTANCE;
            case Q8_K -> Q8_KCodec.INSTANCE;
            case F64, I8, U8, I16, I32, I64, BOOL -> null;
        };
    }
}
