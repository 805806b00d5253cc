package dev.minnow.tensor.gguf;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.MappedFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed GGUF file: metadata, tensor infos and tensor views into the memory mapping (never copied). Closing it
 * unmaps the file and invalidates every tensor view.
 *
 * <p>The parser trusts nothing: every count and length is checked against the bytes left in the file before
 * anything is allocated, so a hostile header cannot cause an {@link OutOfMemoryError}, and every failure is a
 * {@link GgufFormatException} with the file, key or tensor, and byte offset.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    static final int MAX_ARRAY_DEPTH = 8;
    static final long MAX_STRING = 1L << 26; // 64 MiB: no real key or value comes close

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MappedFile file;
    private final int version;
    private final Map<String, GgufEntry> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataStart;
    private final int alignment;

    private GgufFile(MappedFile file, int version, Map<String, GgufEntry> metadata, Map<String, GgufTensorInfo> tensors,
                     long dataStart, int alignment) {
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.alignment = alignment;
    }

    /** Maps and parses {@code path}; throws {@link GgufFormatException} on any violation. */
    public static GgufFile open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            return parse(mf);
        } catch (RuntimeException e) {
            mf.close();
            throw e;
        }
    }

    /** Parses GGUF bytes already in memory; {@code name} is used in error messages. */
    public static GgufFile read(Path name, MemorySegment bytes) {
        return parse(MappedFile.ofSegment(name, bytes));
    }

    private static GgufFile parse(MappedFile mf) {
        Cursor c = new Cursor(mf.path(), mf.segment());
        int magic = c.i32("magic");
        if (magic != MAGIC) {
            throw c.error(0, String.format("bad magic 0x%08x: not a GGUF file (expected \"GGUF\")", magic));
        }
        int version = c.i32("version");
        if (version != 2 && version != 3) {
            throw c.error(4, "unsupported GGUF version " + version + " (Minnow reads versions 2 and 3)");
        }
        long nTensors = c.u64("tensor count");
        long nKv = c.u64("metadata count");
        // each tensor info needs at least 8 (name len) + 4 + 8 + 4 + 8 bytes, each kv at least 8 + 4 + 1
        if (nTensors < 0 || nTensors > c.remaining() / 32) {
            throw c.error(8, "tensor count " + Long.toUnsignedString(nTensors) + " is impossible for a file of " + c.size() + " bytes");
        }
        if (nKv < 0 || nKv > c.remaining() / 13) {
            throw c.error(16, "metadata count " + Long.toUnsignedString(nKv) + " is impossible for a file of " + c.size() + " bytes");
        }
        Map<String, GgufEntry> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            long at = c.pos;
            String key = c.string("metadata key #" + i);
            int typeId = c.i32("type of " + key);
            GgufType type = GgufType.ofId(typeId);
            if (type == null) {
                throw c.error(c.pos - 4, "metadata key '" + key + "' has unknown value type " + typeId);
            }
            GgufEntry e;
            if (type == GgufType.ARRAY) {
                int elemId = c.i32("element type of " + key);
                GgufType elem = GgufType.ofId(elemId);
                if (elem == null) {
                    throw c.error(c.pos - 4, "array '" + key + "' has unknown element type " + elemId);
                }
                e = new GgufEntry(key, type, elem, c.array(key, elem, 1), at);
            } else {
                e = new GgufEntry(key, type, null, c.scalar(key, type), at);
            }
            if (meta.putIfAbsent(key, e) != null) {
                throw c.error(at, "duplicate metadata key '" + key + "'");
            }
        }
        int alignment = DEFAULT_ALIGNMENT;
        GgufEntry al = meta.get("general.alignment");
        if (al != null) {
            long a = al.value() instanceof Number n ? n.longValue() : -1;
            if (al.elementType() != null || a <= 0 || a > (1 << 16) || Long.bitCount(a) != 1) {
                throw c.error(al.offset(), "general.alignment must be a power of two in 1..65536, got " + al.value());
            }
            alignment = (int) a;
        }
        List<GgufTensorInfo> infos = new ArrayList<>();
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            long at = c.pos;
            String name = c.string("tensor name #" + i);
            int nDims = c.i32("dims of " + name);
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw c.error(c.pos - 4, "tensor '" + name + "' has " + nDims + " dims (1.." + MAX_DIMS + " expected)");
            }
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = c.u64("dim " + d + " of " + name);
                if (ne[d] < 0) {
                    throw c.error(c.pos - 8, "tensor '" + name + "' dim " + d + " is absurd (" + Long.toUnsignedString(ne[d]) + ")");
                }
            }
            int typeId = c.i32("type of " + name);
            DType type;
            try {
                type = DType.fromGgmlId(typeId);
            } catch (IllegalArgumentException ex) {
                throw c.error(c.pos - 4, "tensor '" + name + "' has unknown or unsupported ggml type " + typeId);
            }
            long off = c.u64("offset of " + name);
            long[] shape = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                shape[d] = ne[nDims - 1 - d];
            }
            long bytes;
            try {
                long n = Shapes.elementCount(shape);
                if (nDims > 0 && ne[0] % type.blockSize() != 0) {
                    throw new IllegalArgumentException("row length " + ne[0] + " is not a multiple of the " + type
                            + " block size " + type.blockSize());
                }
                bytes = type.byteSize(n);
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw c.error(at, "tensor '" + name + "' " + type + Arrays.toString(shape) + ": " + ex.getMessage());
            }
            if (off < 0 || off % alignment != 0) {
                throw c.error(c.pos - 8, "tensor '" + name + "' data offset " + Long.toUnsignedString(off)
                        + " is not a multiple of the alignment " + alignment);
            }
            GgufTensorInfo info = new GgufTensorInfo(name, type, shape, off, bytes);
            if (byName.putIfAbsent(name, info) != null) {
                throw c.error(at, "duplicate tensor name '" + name + "'");
            }
            infos.add(info);
        }
        long dataStart = alignUp(c.pos, alignment);
        long dataSize = c.size() - dataStart;
        List<GgufTensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(GgufTensorInfo::dataOffset));
        long end = 0;
        for (GgufTensorInfo t : sorted) {
            if (t.dataOffset() < end) {
                throw c.error(dataStart + t.dataOffset(), "tensor '" + t.name() + "' overlaps the previous tensor's data");
            }
            if (dataSize < 0 || t.dataOffset() > dataSize || t.byteSize() > dataSize - t.dataOffset()) {
                throw c.error(dataStart + t.dataOffset(), "tensor '" + t.name() + "' (" + t.byteSize() + " bytes at data offset "
                        + t.dataOffset() + ") runs past the end of the file (" + c.size() + " bytes, data starts at " + dataStart + ")");
            }
            end = t.dataOffset() + t.byteSize();
        }
        return new GgufFile(mf, version, Collections.unmodifiableMap(meta), Collections.unmodifiableMap(byName), dataStart, alignment);
    }

    static long alignUp(long x, long a) {
        return (x + a - 1) / a * a;
    }

    public Path path() { return file.path(); }

    public int version() { return version; }

    public int alignment() { return alignment; }

    /** Byte offset of the data section. */
    public long dataStart() { return dataStart; }

    public Map<String, GgufEntry> metadata() { return metadata; }

    /** Tensor infos in file order. */
    public Map<String, GgufTensorInfo> tensorInfos() { return tensors; }

    public boolean hasTensor(String name) { return tensors.containsKey(name); }

    /** The tensor {@code name} as a view into the mapping; throws {@link GgufFormatException} when absent. */
    public Tensor tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path(), -1, "missing tensor '" + name + "'");
        }
        return file.tensor(dataStart + t.dataOffset(), t.type(), t.shape());
    }

    /** The raw bytes of tensor {@code name}. */
    public MemorySegment tensorData(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path(), -1, "missing tensor '" + name + "'");
        }
        return file.slice(dataStart + t.dataOffset(), t.byteSize());
    }

    public boolean has(String key) { return metadata.containsKey(key); }

    public GgufEntry entry(String key) {
        GgufEntry e = metadata.get(key);
        if (e == null) {
            throw new GgufFormatException(path(), -1, "missing required key '" + key + "'");
        }
        return e;
    }

    public String getString(String key) {
        return as(key, String.class, "a string");
    }

    public String getString(String key, String def) {
        return has(key) ? getString(key) : def;
    }

    /** An integer value of any integer type that fits an int. */
    public int getInt(String key) {
        GgufEntry e = entry(key);
        if (e.elementType() == null && (e.value() instanceof Integer || e.value() instanceof Long)) {
            long v = ((Number) e.value()).longValue();
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return (int) v;
            }
            throw new GgufFormatException(path(), e.offset(), "key '" + key + "' value " + v + " does not fit an int");
        }
        throw wrongType(e, "an integer");
    }

    public int getInt(String key, int def) {
        return has(key) ? getInt(key) : def;
    }

    public long getLong(String key) {
        GgufEntry e = entry(key);
        if (e.elementType() == null && (e.value() instanceof Integer || e.value() instanceof Long)) {
            return ((Number) e.value()).longValue();
        }
        throw wrongType(e, "an integer");
    }

    /** A FLOAT32 or FLOAT64 value (integers are accepted too). */
    public float getFloat(String key) {
        GgufEntry e = entry(key);
        if (e.elementType() == null && e.value() instanceof Number n) {
            return n.floatValue();
        }
        throw wrongType(e, "a number");
    }

    public float getFloat(String key, float def) {
        return has(key) ? getFloat(key) : def;
    }

    public boolean getBool(String key, boolean def) {
        if (!has(key)) {
            return def;
        }
        return as(key, Boolean.class, "a bool");
    }

    public String[] getStringArray(String key) {
        return as(key, String[].class, "an array of strings");
    }

    public float[] getFloatArray(String key) {
        return as(key, float[].class, "an array of FLOAT32");
    }

    /** An array of 8-, 16- or 32-bit integers. */
    public int[] getIntArray(String key) {
        GgufEntry e = entry(key);
        if (e.value() instanceof int[] a) {
            return a;
        }
        if (e.value() instanceof long[] l) {
            int[] a = new int[l.length];
            for (int i = 0; i < l.length; i++) {
                if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                    throw new GgufFormatException(path(), e.offset(), "key '" + key + "' element " + i + " does not fit an int");
                }
                a[i] = (int) l[i];
            }
            return a;
        }
        throw wrongType(e, "an array of integers");
    }

    private <T> T as(String key, Class<T> cls, String what) {
        GgufEntry e = entry(key);
        if (cls.isInstance(e.value())) {
            return cls.cast(e.value());
        }
        throw wrongType(e, what);
    }

    private GgufFormatException wrongType(GgufEntry e, String expected) {
        String got = e.elementType() == null ? e.type().toString() : "ARRAY of " + e.elementType();
        return new GgufFormatException(path(), e.offset(), "key '" + e.key() + "' is " + got + ", expected " + expected);
    }

    @Override
    public void close() { file.close(); }

    @Override
    public String toString() {
        return "GgufFile[" + path() + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }

    /** Bounds-checked little-endian reader over the mapping. */
    private static final class Cursor {
        final Path path;
        final MemorySegment seg;
        long pos;

        Cursor(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        long size() { return seg.byteSize(); }

        long remaining() { return seg.byteSize() - pos; }

        GgufFormatException error(long at, String msg) {
            return new GgufFormatException(path, at, msg);
        }

        void need(long n, String what) {
            if (n < 0 || n > remaining()) {
                throw error(pos, "truncated: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but "
                        + remaining() + " remain");
            }
        }

        int i32(String what) {
            need(4, what);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        String string(String what) {
            return string(what, null, -1);
        }

        /**
         * A string: {@code what} names it in errors, or (when null) element {@code index} of array {@code key} —
         * the message is only built on error, since a vocabulary holds tens of thousands of strings.
         */
        String string(String what, String key, int index) {
            if (remaining() < 8) {
                need(8, "length of " + describe(what, key, index));
            }
            long len = seg.get(I64, pos);
            pos += 8;
            if (len < 0 || len > MAX_STRING) {
                throw error(pos - 8, describe(what, key, index) + " has absurd length " + Long.toUnsignedString(len));
            }
            if (len > remaining()) {
                need(len, describe(what, key, index));
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        private static String describe(String what, String key, int index) {
            return what != null ? what : "element " + index + " of '" + key + "'";
        }

        Object scalar(String key, GgufType t) {
            need(t == GgufType.STRING ? 8 : t.minBytes, "value of '" + key + "'");
            Object v = switch (t) {
                case UINT8 -> seg.get(ValueLayout.JAVA_BYTE, pos) & 0xff;
                case INT8 -> (int) seg.get(ValueLayout.JAVA_BYTE, pos);
                case UINT16 -> seg.get(I16, pos) & 0xffff;
                case INT16 -> (int) seg.get(I16, pos);
                case UINT32 -> seg.get(I32, pos) & 0xffffffffL;
                case INT32 -> seg.get(I32, pos);
                case FLOAT32 -> seg.get(F32, pos);
                case BOOL -> {
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos);
                    if (b != 0 && b != 1) {
                        throw error(pos, "bool '" + key + "' has value " + b);
                    }
                    yield b == 1;
                }
                case UINT64, INT64 -> seg.get(I64, pos);
                case FLOAT64 -> seg.get(F64, pos);
                case STRING -> null;
                case ARRAY -> throw new IllegalStateException();
            };
            if (t == GgufType.STRING) {
                return string("value of '" + key + "'");
            }
            pos += t.minBytes;
            return v;
        }

        Object array(String key, GgufType elem, int depth) {
            if (depth > MAX_ARRAY_DEPTH) {
                throw error(pos, "array '" + key + "' is nested deeper than " + MAX_ARRAY_DEPTH);
            }
            long n = u64("length of array '" + key + "'");
            if (n < 0 || n > remaining() / elem.minBytes) {
                throw error(pos - 8, "array '" + key + "' of " + Long.toUnsignedString(n) + " " + elem
                        + " elements cannot fit in the " + remaining() + " bytes left");
            }
            int len = (int) n;
            switch (elem) {
                case UINT8, INT8, UINT16, INT16, INT32 -> {
                    int[] a = new int[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = (Integer) scalar(key, elem);
                    }
                    return a;
                }
                case UINT32, UINT64, INT64 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = ((Number) scalar(key, elem)).longValue();
                    }
                    return a;
                }
                case FLOAT32 -> {
                    float[] a = new float[len];
                    MemorySegment.copy(seg, F32, pos, a, 0, len);
                    pos += 4L * len;
                    return a;
                }
                case FLOAT64 -> {
                    double[] a = new double[len];
                    MemorySegment.copy(seg, F64, pos, a, 0, len);
                    pos += 8L * len;
                    return a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = (Boolean) scalar(key, elem);
                    }
                    return a;
                }
                case STRING -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = string(null, key, i);
                    }
                    return a;
                }
                case ARRAY -> {
                    Object[] a = new Object[len];
                    for (int i = 0; i < len; i++) {
                        int id = i32("element type of nested array in '" + key + "'");
                        GgufType t = GgufType.ofId(id);
                        if (t == null) {
                            throw error(pos - 4, "nested array in '" + key + "' has unknown element type " + id);
                        }
                        a[i] = array(key, t, depth + 1);
                    }
                    return a;
                }
                default -> throw new IllegalStateException();
            }
        }
    }
}
