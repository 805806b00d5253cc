package dev.minnow.nn;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Half;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Activation buffers and weight conversion. Activations live in automatic arenas (freed by the GC, shareable with
 * the kernel threads), so a forward pass never closes a shared arena per layer.
 */
public final class Buffers {
    private Buffers() {}

    /** A zero-filled F32 tensor of {@code shape}, 64-byte aligned, in an automatic arena. */
    public static Tensor f32(long... shape) {
        long n = Shapes.elementCount(shape);
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, n) * 4, 64);
        return Tensor.wrap(seg.asSlice(0, n * 4), DType.F32, shape);
    }

    /** A copy of {@code data} as an F32 tensor of {@code shape} in an automatic arena. */
    public static Tensor f32(float[] data, long... shape) {
        Tensor t = f32(shape);
        if (t.elementCount() != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + t.elementCount() + " values, got " + data.length);
        }
        MemorySegment.copy(data, 0, t.segment(), Tensor.F32_LE, 0, data.length);
        return t;
    }

    /**
     * {@code t} as a contiguous F32 tensor: {@code t} itself when it already is one (a view, no copy), else a converted
     * copy (F16, BF16, F64 and integer types).
     */
    public static Tensor asF32(Tensor t) {
        if (t.dtype() == DType.F32 && t.isContiguous()) {
            return t;
        }
        Tensor out = f32(t.shape());
        MemorySegment src = t.contiguous().segment();
        MemorySegment dst = out.segment();
        long n = t.elementCount();
        switch (t.dtype()) {
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    dst.setAtIndex(Tensor.F32_LE, i, Half.f16ToF32(src.getAtIndex(Tensor.I16_LE, i)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    dst.setAtIndex(Tensor.F32_LE, i, Half.bf16ToF32(src.getAtIndex(Tensor.I16_LE, i)));
                }
            }
            default -> MemorySegment.copy(t.toFloatArray(), 0, dst, Tensor.F32_LE, 0, (int) n);
        }
        return out;
    }

    /** Requires an NCHW F32 contiguous tensor with {@code channels} channels (or any when negative). */
    static void checkNchw(String op, Tensor x, int channels) {
        if (x.dtype() != DType.F32 || x.rank() != 4 || !x.isContiguous()) {
            throw new IllegalArgumentException(op + " expects a contiguous F32 NCHW tensor, got " + x.dtype() + Arrays.toString(x.shape()));
        }
        if (channels >= 0 && x.dim(1) != channels) {
            throw new IllegalArgumentException(op + " expects " + channels + " input channels, got " + x.dtype() + Arrays.toString(x.shape()));
        }
        if (x.elementCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensor " + Arrays.toString(x.shape()) + " is too large");
        }
    }
}
