package dev.minnow.quant;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal GGUF v3 reader for the quantizer conformance tests only (tensor table and the few metadata values the
 * tests need), so that they do not depend on the model loader. Not hardened: fixtures are trusted here.
 */
final class MiniGguf implements AutoCloseable {
    record TensorInfo(String name, long[] dims, int ggmlType, long offset) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    final Map<String, Object> meta = new LinkedHashMap<>();
    private final Arena arena = Arena.ofShared();
    final MemorySegment file;
    final long dataStart;
    private long pos;

    MiniGguf(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        if (file.get(I32, 0) != 0x46554747) {
            throw new IOException("not GGUF: " + path);
        }
        pos = 8;
        long nTensors = file.get(I64, pos);
        long nKv = file.get(I64, pos + 8);
        pos += 16;
        for (long i = 0; i < nKv; i++) {
            String key = str();
            int type = file.get(I32, pos);
            pos += 4;
            meta.put(key, value(type));
        }
        for (long i = 0; i < nTensors; i++) {
            String name = str();
            int nd = file.get(I32, pos);
            pos += 4;
            long[] dims = new long[nd];
            for (int d = 0; d < nd; d++) {
                dims[d] = file.get(I64, pos);
                pos += 8;
            }
            int type = file.get(I32, pos);
            long off = file.get(I64, pos + 4);
            pos += 12;
            tensors.put(name, new TensorInfo(name, dims, type, off));
        }
        long align = meta.get("general.alignment") instanceof Number a ? a.longValue() : 32;
        dataStart = (pos + align - 1) / align * align;
    }

    MemorySegment data(TensorInfo t) {
        return file.asSlice(dataStart + t.offset());
    }

    private String str() {
        long n = file.get(I64, pos);
        byte[] b = file.asSlice(pos + 8, n).toArray(ValueLayout.JAVA_BYTE);
        pos += 8 + n;
        return new String(b, StandardCharsets.UTF_8);
    }

    private Object value(int type) {
        Object v;
        switch (type) {
            case 0, 1, 7 -> { v = (int) file.get(ValueLayout.JAVA_BYTE, pos); pos += 1; }
            case 2, 3 -> { v = (int) file.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos); pos += 2; }
            case 4, 5 -> { v = file.get(I32, pos); pos += 4; }
            case 6 -> { v = Float.intBitsToFloat(file.get(I32, pos)); pos += 4; }
            case 8 -> v = str();
            case 9 -> {
                int et = file.get(I32, pos);
                long n = file.get(I64, pos + 4);
                pos += 12;
                Object[] arr = new Object[(int) Math.min(n, 16)];
                for (long i = 0; i < n; i++) {
                    Object e = value(et);
                    if (i < arr.length) {
                        arr[(int) i] = e;
                    }
                }
                v = arr;
            }
            case 10, 11 -> { v = file.get(I64, pos); pos += 8; }
            case 12 -> { v = Double.longBitsToDouble(file.get(I64, pos)); pos += 8; }
            default -> throw new IllegalStateException("bad GGUF value type " + type);
        }
        return v;
    }

    @Override
    public void close() {
        arena.close();
    }
}
