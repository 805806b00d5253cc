package dev.minnow.tensor.gguf;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata in insertion order, then tensor infos, then aligned tensor data.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .putU32("llama.block_count", 2)
 *     .addTensor("token_embd.weight", DType.F32, new long[] {vocab, dim}, data)
 *     .write(Path.of("tiny.gguf"));
 * }</pre>
 */
public final class GgufWriter {
    private final Map<String, GgufEntry> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    private record Pending(String name, DType type, long[] shape, MemorySegment data) {}

    /** Copies an entry as it is (type preserved), e.g. from a {@link GgufFile}. */
    public GgufWriter put(GgufEntry e) {
        metadata.put(e.key(), new GgufEntry(e.key(), e.type(), e.elementType(), e.value(), -1));
        if (e.key().equals("general.alignment") && e.value() instanceof Number n) {
            alignment = n.intValue();
        }
        return this;
    }

    public GgufWriter putString(String key, String v) { return put(key, GgufType.STRING, v); }

    public GgufWriter putU32(String key, long v) { return put(key, GgufType.UINT32, v); }

    public GgufWriter putI32(String key, int v) { return put(key, GgufType.INT32, v); }

    public GgufWriter putU64(String key, long v) { return put(key, GgufType.UINT64, v); }

    public GgufWriter putF32(String key, float v) { return put(key, GgufType.FLOAT32, v); }

    public GgufWriter putBool(String key, boolean v) { return put(key, GgufType.BOOL, v); }

    public GgufWriter putStringArray(String key, String[] v) { return putArray(key, GgufType.STRING, v); }

    public GgufWriter putF32Array(String key, float[] v) { return putArray(key, GgufType.FLOAT32, v); }

    public GgufWriter putI32Array(String key, int[] v) { return putArray(key, GgufType.INT32, v); }

    private GgufWriter put(String key, GgufType t, Object v) {
        metadata.put(key, new GgufEntry(key, t, null, v, -1));
        return this;
    }

    private GgufWriter putArray(String key, GgufType elem, Object v) {
        metadata.put(key, new GgufEntry(key, GgufType.ARRAY, elem, v, -1));
        return this;
    }

    /** Sets general.alignment (a power of two). */
    public GgufWriter alignment(int a) {
        if (a <= 0 || Integer.bitCount(a) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + a);
        }
        alignment = a;
        return putU32("general.alignment", a);
    }

    /** Adds a tensor with row-major {@code shape}; {@code data} must hold exactly its bytes. */
    public GgufWriter addTensor(String name, DType type, long[] shape, MemorySegment data) {
        long bytes = type.byteSize(Shapes.elementCount(shape));
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' " + type + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, got " + data.byteSize());
        }
        if (shape.length == 0 || shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' must have 1.." + GgufFile.MAX_DIMS + " dims");
        }
        tensors.add(new Pending(name, type, shape.clone(), data));
        return this;
    }

    public GgufWriter addTensor(String name, Tensor t) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException("tensor '" + name + "' must be contiguous");
        }
        return addTensor(name, t.dtype(), t.shape(), t.segment());
    }

    public void write(Path path) {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
            Out out = new Out(os);
            out.i32(GgufFile.MAGIC);
            out.i32(3);
            out.i64(tensors.size());
            out.i64(metadata.size());
            for (GgufEntry e : metadata.values()) {
                out.string(e.key());
                out.i32(e.type().id());
                if (e.type() == GgufType.ARRAY) {
                    out.i32(e.elementType().id());
                    out.array(e.elementType(), e.value());
                } else {
                    out.scalar(e.type(), e.value());
                }
            }
            long off = 0;
            long[] offsets = new long[tensors.size()];
            for (int i = 0; i < tensors.size(); i++) {
                Pending t = tensors.get(i);
                out.string(t.name());
                out.i32(t.shape().length);
                for (int d = t.shape().length - 1; d >= 0; d--) {
                    out.i64(t.shape()[d]);
                }
                out.i32(t.type().ggmlId());
                off = GgufFile.alignUp(off, alignment);
                offsets[i] = off;
                out.i64(off);
                off += t.data().byteSize();
            }
            out.pad(GgufFile.alignUp(out.written, alignment) - out.written);
            long dataStart = out.written;
            for (int i = 0; i < tensors.size(); i++) {
                out.pad(dataStart + offsets[i] - out.written);
                MemorySegment d = tensors.get(i).data();
                byte[] buf = new byte[1 << 16];
                for (long p = 0; p < d.byteSize(); p += buf.length) {
                    int n = (int) Math.min(buf.length, d.byteSize() - p);
                    MemorySegment.copy(d, ValueLayout.JAVA_BYTE, p, buf, 0, n);
                    out.bytes(buf, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static final class Out {
        final OutputStream os;
        final ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;

        Out(OutputStream os) { this.os = os; }

        void bytes(byte[] b, int n) throws IOException {
            os.write(b, 0, n);
            written += n;
        }

        void i8(int v) throws IOException {
            os.write(v);
            written++;
        }

        void i16(int v) throws IOException {
            bb.clear();
            bb.putShort((short) v);
            bytes(bb.array(), 2);
        }

        void i32(int v) throws IOException {
            bb.clear();
            bb.putInt(v);
            bytes(bb.array(), 4);
        }

        void i64(long v) throws IOException {
            bb.clear();
            bb.putLong(v);
            bytes(bb.array(), 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes(b, b.length);
        }

        void pad(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                i8(0);
            }
        }

        void scalar(GgufType t, Object v) throws IOException {
            switch (t) {
                case UINT8, INT8 -> i8(((Number) v).intValue());
                case UINT16, INT16 -> i16(((Number) v).intValue());
                case UINT32, INT32 -> i32(((Number) v).intValue());
                case UINT64, INT64 -> i64(((Number) v).longValue());
                case FLOAT32 -> i32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> i8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> throw new IllegalArgumentException("nested ARRAY needs an element type");
            }
        }

        void array(GgufType elem, Object v) throws IOException {
            switch (v) {
                case int[] a -> {
                    i64(a.length);
                    for (int x : a) {
                        scalar(elem, x);
                    }
                }
                case long[] a -> {
                    i64(a.length);
                    for (long x : a) {
                        scalar(elem, x);
                    }
                }
                case float[] a -> {
                    i64(a.length);
                    for (float x : a) {
                        scalar(elem, x);
                    }
                }
                case double[] a -> {
                    i64(a.length);
                    for (double x : a) {
                        scalar(elem, x);
                    }
                }
                case boolean[] a -> {
                    i64(a.length);
                    for (boolean x : a) {
                        scalar(elem, x);
                    }
                }
                case String[] a -> {
                    i64(a.length);
                    for (String x : a) {
                        string(x);
                    }
                }
                case Object[] a -> throw new IllegalArgumentException("writing nested arrays is not supported (" + a.length + " elements)");
                default -> throw new IllegalArgumentException("unsupported array value " + v.getClass());
            }
        }
    }
}
