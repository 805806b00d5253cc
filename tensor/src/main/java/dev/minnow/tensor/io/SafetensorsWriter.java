package dev.minnow.tensor.io;

import dev.minnow.tensor.Tensor;
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
import java.util.Map;

/**
 * Writes tensors as a safetensors file: tensors in map order, packed without gaps, the JSON header padded with
 * spaces to a multiple of 8 bytes (as the reference implementation does).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Writes {@code tensors} (any plain dtype, any layout; non-contiguous ones are packed) and {@code metadata}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file as bytes (for tests and small models). */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        var bos = new java.io.ByteArrayOutputStream();
        try {
            write(bos, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    private static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean f2 = true;
            for (var e : metadata.entrySet()) {
                if (!f2) {
                    json.append(',');
                }
                f2 = false;
                quote(json, e.getKey()).append(':');
                quote(json, e.getValue());
            }
            json.append('}');
            first = false;
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            long bytes = t.dtype().byteSize(t.elementCount());
            if (!first) {
                json.append(',');
            }
            first = false;
            quote(json, e.getKey()).append(":{\"dtype\":\"").append(SafetensorsFile.nameOf(t.dtype())).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) & ~7;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(header);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        for (Tensor t : tensors.values()) {
            MemorySegment s = t.contiguous().segment();
            byte[] chunk = new byte[1 << 16];
            for (long p = 0; p < s.byteSize(); p += chunk.length) {
                int n = (int) Math.min(chunk.length, s.byteSize() - p);
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, p, chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
