package dev.minnow.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array over a {@link MemorySegment}: a dtype, a shape, element strides and an offset.
 *
 * <p>Row-major by default. {@link #slice}, {@link #transpose}, {@link #reshape} (of contiguous tensors) and
 * {@link #view} return views that share memory and do not own it. A tensor made by {@link #of} or
 * {@link #allocate} owns a confined-or-shared {@link Arena} and frees it on {@link #close()}; closing a view is a
 * no-op. Block-quantized tensors support only whole-row views (their rows must be whole blocks).
 *
 * <p>Element access ({@link #getFloat}, {@link #setFloat}) is for tests, JShell and glue code, not for hot loops:
 * kernels take the {@link #segment()} directly.
 */
public final class Tensor implements AutoCloseable {
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final long[] shape;
    private final long[] strides; // in elements; for block types only rows are addressable
    private final long offset;    // in elements
    private final MemorySegment segment;
    private final Arena owner;    // null for views and borrowed memory

    private Tensor(DType dtype, long[] shape, long[] strides, long offset, MemorySegment segment, Arena owner) {
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.segment = segment;
        this.owner = owner;
    }

    /** A new zero-filled, 64-byte-aligned tensor owning its memory (a shared arena: usable from any thread). */
    public static Tensor allocate(DType dtype, long... shape) {
        long n = Shapes.elementCount(shape);
        long bytes = dtype.byteSize(n);
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate(Math.max(bytes, 1), 64);
        return new Tensor(dtype, shape.clone(), Shapes.rowMajorStrides(shape), 0, seg, arena);
    }

    /** An F32 tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(float[] data, long... shape) {
        long[] s = shape.length == 0 ? new long[] {data.length} : shape;
        if (Shapes.elementCount(s) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " holds " + Shapes.elementCount(s)
                    + " elements but " + data.length + " values were given");
        }
        Tensor t = allocate(DType.F32, s);
        MemorySegment.copy(data, 0, t.segment, F32_LE, 0, data.length);
        return t;
    }

    /**
     * Wraps existing memory (for example a mapped file) without copying or owning it. Throws when the segment
     * is too short for {@code shape} of {@code dtype}.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, long... shape) {
        Objects.requireNonNull(segment, "segment");
        long need = dtype.byteSize(Shapes.elementCount(shape));
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too short for "
                    + dtype + Arrays.toString(shape) + " (" + need + " bytes)");
        }
        return new Tensor(dtype, shape.clone(), Shapes.rowMajorStrides(shape), 0, segment, null);
    }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public long dim(int i) { return shape[checkDim(i)]; }

    public long[] strides() { return strides.clone(); }

    public long elementCount() { return Shapes.elementCount(shape); }

    /** True when elements are laid out row-major without gaps. */
    public boolean isContiguous() {
        long expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expect) {
                return false;
            }
            expect *= shape[i];
        }
        return true;
    }

    /**
     * The memory starting at this tensor's first element. For a contiguous tensor it is exactly
     * {@code dtype.byteSize(elementCount())} long; for a strided view it runs to the end of the parent.
     */
    public MemorySegment segment() {
        long startByte = dtype.byteSize(offset);
        if (isContiguous()) {
            return segment.asSlice(startByte, dtype.byteSize(elementCount()));
        }
        return segment.asSlice(startByte);
    }

    /** View of elements {@code [start, end)} along {@code dim}. */
    public Tensor slice(int dim, long start, long end) {
        checkDim(dim);
        if (start < 0 || end > shape[dim] || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") out of range for dim " + dim
                    + " of shape " + Arrays.toString(shape));
        }
        if (dtype.isQuantized() && dim == shape.length - 1 && (start % dtype.blockSize() != 0 || end % dtype.blockSize() != 0)) {
            throw new IllegalArgumentException("slice of " + dtype + " along its last dim must be whole blocks of "
                    + dtype.blockSize() + ", got [" + start + ", " + end + ")");
        }
        long[] s = shape.clone();
        s[dim] = end - start;
        return new Tensor(dtype, s, strides, offset + start * strides[dim], segment, null);
    }

    /** Row {@code i} of dim 0 as a view with rank - 1. */
    public Tensor row(long i) {
        Tensor s = slice(0, i, i + 1);
        return new Tensor(dtype, Arrays.copyOfRange(shape, 1, shape.length),
                Arrays.copyOfRange(strides, 1, strides.length), s.offset, segment, null);
    }

    /** Swap two dims (a strided view; not for block-quantized types). */
    public Tensor transpose(int a, int b) {
        checkDim(a);
        checkDim(b);
        if (dtype.isQuantized()) {
            throw new IllegalArgumentException("cannot transpose a " + dtype + " tensor: blocks run along the last dim");
        }
        long[] s = shape.clone();
        long[] st = strides.clone();
        s[a] = shape[b];
        s[b] = shape[a];
        st[a] = strides[b];
        st[b] = strides[a];
        return new Tensor(dtype, s, st, offset, segment, null);
    }

    /** Same elements, new shape; a view for contiguous tensors, otherwise a copy. One dim may be -1. */
    public Tensor reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in reshape " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known = Math.multiplyExact(known, s[i]);
            }
        }
        long n = elementCount();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
            }
            s[infer] = n / known;
        }
        if (Shapes.elementCount(s) != n) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (" + n + " elements) to "
                    + Arrays.toString(newShape));
        }
        if (!isContiguous()) {
            return contiguous().reshape(s);
        }
        return new Tensor(dtype, s, Shapes.rowMajorStrides(s), offset, segment, null);
    }

    /** A view with a different shape over the same contiguous memory (alias of {@link #reshape} for contiguous tensors). */
    public Tensor view(long... newShape) {
        if (!isContiguous()) {
            throw new IllegalArgumentException("view of a non-contiguous tensor " + this + "; call contiguous() first");
        }
        return reshape(newShape);
    }

    /** This tensor if contiguous, else a packed F32/plain copy that owns its memory. */
    public Tensor contiguous() {
        if (isContiguous()) {
            return this;
        }
        Tensor out = allocate(dtype, shape);
        long n = elementCount();
        long[] idx = new long[shape.length];
        int eb = dtype.elementBytes();
        for (long i = 0; i < n; i++) {
            MemorySegment.copy(segment, (offset + linear(idx)) * eb, out.segment, i * eb, eb);
            increment(idx);
        }
        return out;
    }

    /** The element at {@code index} converted to float (F32, F16, BF16, F64, integer types). */
    public float getFloat(long... index) {
        long e = offset + linear(checkIndex(index));
        return switch (dtype) {
            case F32 -> segment.get(F32_LE, e * 4);
            case F16 -> Half.f16ToF32(segment.get(I16_LE, e * 2));
            case BF16 -> Half.bf16ToF32(segment.get(I16_LE, e * 2));
            case F64 -> (float) segment.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), e * 8);
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, e);
            case U8, BOOL -> segment.get(ValueLayout.JAVA_BYTE, e) & 0xff;
            case I16 -> segment.get(I16_LE, e * 2);
            case I32 -> segment.get(I32_LE, e * 4);
            case I64 -> segment.get(I64_LE, e * 8);
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K ->
                    throw new IllegalArgumentException("element access on " + dtype
                            + " needs dequantization (dev.minnow.quant)");
        };
    }

    /** Sets an element of an F32, F16 or BF16 tensor. */
    public void setFloat(float v, long... index) {
        long e = offset + linear(checkIndex(index));
        switch (dtype) {
            case F32 -> segment.set(F32_LE, e * 4, v);
            case F16 -> segment.set(I16_LE, e * 2, Half.f32ToF16(v));
            case BF16 -> segment.set(I16_LE, e * 2, Half.f32ToBf16(v));
            default -> throw new IllegalArgumentException("setFloat on " + dtype + " is not supported");
        }
    }

    /** All elements as a float array in row-major order (F32/F16/BF16/integer types). */
    public float[] toFloatArray() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + this + " is too large for a Java array");
        }
        float[] out = new float[(int) n];
        if (dtype == DType.F32 && isContiguous()) {
            MemorySegment.copy(segment, F32_LE, offset * 4, out, 0, out.length);
            return out;
        }
        long[] idx = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(idx);
            increment(idx);
        }
        return out;
    }

    @Override
    public void close() {
        if (owner != null) {
            owner.close();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor[").append(dtype).append(' ').append(Arrays.toString(shape));
        if (!dtype.isQuantized() && dtype != DType.BOOL) {
            long n = elementCount();
            sb.append(' ').append('[');
            long[] idx = new long[shape.length];
            int show = (int) Math.min(n, 6);
            for (int i = 0; i < show; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(getFloat(idx));
                increment(idx);
            }
            if (n > show) {
                sb.append(", …");
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    private int checkDim(int d) {
        if (d < 0 || d >= shape.length) {
            throw new IllegalArgumentException("dim " + d + " out of range for shape " + Arrays.toString(shape));
        }
        return d;
    }

    private long[] checkIndex(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank " + index.length
                    + " but shape " + Arrays.toString(shape) + " has rank " + shape.length);
        }
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IllegalArgumentException("index " + Arrays.toString(index) + " out of bounds for shape "
                        + Arrays.toString(shape));
            }
        }
        return index;
    }

    private long linear(long[] idx) {
        long e = 0;
        for (int i = 0; i < idx.length; i++) {
            e += idx[i] * strides[i];
        }
        return e;
    }

    private void increment(long[] idx) {
        for (int i = idx.length - 1; i >= 0; i--) {
            if (++idx[i] < shape[i]) {
                return;
            }
            idx[i] = 0;
        }
    }
}
