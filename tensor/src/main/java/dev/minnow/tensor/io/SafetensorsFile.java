package dev.minnow.tensor.io;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, memory-mapped: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets from the end of the header),
 * an optional {@code "__metadata__"} object of strings, then the raw little-endian data.
 *
 * <p>Everything is validated at {@link #open}: header length within the file (and at most 100 MB), well-formed
 * JSON, known dtypes, shapes whose element count does not overflow, byte ranges inside the data area that match
 * shape × dtype and do not overlap, no duplicate names. {@link #tensor} then returns views over the mapping
 * without copying; they stay valid until {@link #close()}.
 *
 * <pre>{@code
 * try (SafetensorsFile st = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     Tensor w = st.tensor("features.0.0.weight");   // F32 [16, 3, 3, 3], a view of the file
 * }
 * }</pre>
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest accepted JSON header (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** One tensor's entry in the header. {@code begin}/{@code end} are absolute file offsets. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        @Override
        public String toString() { return name + ": " + dtype + Arrays.toString(shape) + " @" + begin; }
    }

    private final MappedFile file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(MappedFile file, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Maps and validates {@code path}; throws {@link ModelFormatException} for any violation. */
    public static SafetensorsFile open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            return parse(mf);
        } catch (RuntimeException e) {
            mf.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(MappedFile mf) {
        Path path = mf.path();
        long size = mf.size();
        if (size < 8) {
            throw new ModelFormatException(path, 0, "not a safetensors file: " + size + " bytes, need at least the 8-byte header length");
        }
        long n = mf.segment().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > size - 8) {
            throw new ModelFormatException(path, 0, "header length " + Long.toUnsignedString(n) + " does not fit in the file ("
                    + size + " bytes)");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new ModelFormatException(path, 0, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = mf.slice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(path, 8, "header is not valid UTF-8", e);
        }
        if (json.isEmpty() || json.charAt(0) != '{') {
            throw new ModelFormatException(path, 8, "header does not start with '{'");
        }
        Object root = JsonReader.parse(json, path, 8);
        if (!(root instanceof Map<?, ?> top)) {
            throw new ModelFormatException(path, 8, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals("__metadata__")) {
                metadata = parseMetadata(path, kv.getValue());
                continue;
            }
            entries.put(name, parseEntry(path, name, kv.getValue(), dataStart, dataSize));
        }
        // no two tensors share bytes
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new ModelFormatException(path, b.begin(), "tensor '" + b.name() + "' [" + (b.begin() - dataStart) + ", "
                        + (b.end() - dataStart) + ") overlaps tensor '" + a.name() + "' [" + (a.begin() - dataStart) + ", "
                        + (a.end() - dataStart) + ")");
            }
        }
        return new SafetensorsFile(mf, Collections.unmodifiableMap(entries), metadata);
    }

    private static Map<String, String> parseMetadata(Path path, Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ModelFormatException(path, 8, "__metadata__ must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new ModelFormatException(path, 8, "__metadata__ value for '" + e.getKey() + "' is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry parseEntry(Path path, String name, Object v, long dataStart, long dataSize) {
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(path, name, "entry is not an object");
        }
        for (Object k : m.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw bad(path, name, "unexpected field '" + k + "'");
            }
        }
        if (!(m.get("dtype") instanceof String dt)) {
            throw bad(path, name, "missing or non-string 'dtype'");
        }
        DType dtype = dtypeOf(dt);
        if (dtype == null) {
            throw bad(path, name, "unsupported dtype '" + dt + "' (known: F32, F16, BF16, F64, I8, U8, I16, I32, I64, BOOL)");
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw bad(path, name, "missing or non-array 'shape'");
        }
        if (shapeList.size() > 16) {
            throw bad(path, name, "rank " + shapeList.size() + " exceeds 16");
        }
        long[] shape = new long[shapeList.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0) {
                throw bad(path, name, "shape " + shapeList + " must hold non-negative integers");
            }
            shape[i] = d;
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw bad(path, name, "shape " + shapeList + " overflows");
            }
        }
        long bytes;
        try {
            bytes = dtype.byteSize(count);
        } catch (ArithmeticException e) {
            throw bad(path, name, "shape " + shapeList + " × " + dtype + " overflows");
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long b) || !(off.get(1) instanceof Long e)) {
            throw bad(path, name, "'data_offsets' must be [begin, end] integers");
        }
        if (b < 0 || e < b || e > dataSize) {
            throw new ModelFormatException(path, dataStart + Math.max(0, Math.min(b, dataSize)), "tensor '" + name
                    + "': data_offsets [" + b + ", " + e + ") outside the data area of " + dataSize + " bytes");
        }
        if (e - b != bytes) {
            throw new ModelFormatException(path, dataStart + b, "tensor '" + name + "': data_offsets [" + b + ", " + e
                    + ") hold " + (e - b) + " bytes but " + dtype + Arrays.toString(shape) + " needs " + bytes);
        }
        return new Entry(name, dtype, shape, dataStart + b, dataStart + e);
    }

    private static ModelFormatException bad(Path path, String name, String msg) {
        return new ModelFormatException(path, 8, "tensor '" + name + "': " + msg);
    }

    static DType dtypeOf(String s) {
        return switch (s) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F64" -> DType.F64;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            case "I16" -> DType.I16;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    static String nameOf(DType t) {
        return switch (t) {
            case F32, F16, BF16, F64, I8, U8, I16, I32, I64, BOOL -> t.name();
            default -> throw new IllegalArgumentException("safetensors cannot store " + t);
        };
    }

    public Path path() { return file.path(); }

    /** Tensor names in header order ({@code __metadata__} excluded). */
    public Set<String> names() { return entries.keySet(); }

    public boolean contains(String name) { return entries.containsKey(name); }

    /** The header entry of {@code name}; throws naming the file and tensor when absent. */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelFormatException(file.path(), -1, "no tensor named '" + name + "'");
        }
        return e;
    }

    /** A view of tensor {@code name} over the mapped file (no copy). */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        return Tensor.wrap(file.slice(e.begin(), e.end() - e.begin()), e.dtype(), e.shape());
    }

    /** The raw bytes of tensor {@code name}. */
    public MemorySegment bytes(String name) {
        Entry e = entry(name);
        return file.slice(e.begin(), e.end() - e.begin());
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    @Override
    public void close() { file.close(); }

    @Override
    public String toString() { return "SafetensorsFile[" + file.path() + ", " + entries.size() + " tensors]"; }
}
