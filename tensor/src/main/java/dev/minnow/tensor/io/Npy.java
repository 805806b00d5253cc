package dev.minnow.tensor.io;

import dev.minnow.tensor.DType;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NumPy {@code .npy} files, versions 1.0, 2.0 and 3.0, C order, little-endian {@code <f4} (F32), {@code <f8}
 * (F64), {@code <i8} (I64), {@code <i4} (I32), {@code |u1} (U8) and {@code |i1} (I8). Layout: magic
 * {@code \x93NUMPY}, major and minor version bytes, header length (u16 for v1, u32 for v2/v3), a Python dict
 * literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (1, 1000), }}, then the raw data.
 *
 * <pre>{@code
 * Tensor x = Npy.read(Path.of("input.npy"));        // an owned copy
 * try (NpyFile f = NpyFile.open(path)) { f.tensor(); } // a view of the mapping
 * Npy.write(Path.of("out.npy"), y);
 * }</pre>
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** Parsed header: dtype, shape and where the data starts. */
    public record Header(DType dtype, long[] shape, long dataOffset) {
        @Override
        public String toString() { return dtype + Arrays.toString(shape) + " @" + dataOffset; }
    }

    /** Reads the whole array into a tensor that owns its memory. */
    public static Tensor read(Path path) {
        try (NpyFile f = NpyFile.open(path)) {
            Tensor view = f.tensor();
            Tensor out = Tensor.allocate(view.dtype(), view.shape());
            MemorySegment.copy(view.segment(), 0, out.segment(), 0, view.segment().byteSize());
            return out;
        }
    }

    /** Validates the header at the start of {@code seg}, whose data must follow within {@code seg}. */
    static Header parseHeader(Path path, MemorySegment seg) {
        long size = seg.byteSize();
        if (size < 10) {
            throw new ModelFormatException(path, 0, "not a .npy file: " + size + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                throw new ModelFormatException(path, 0, "not a .npy file: bad magic (expected \\x93NUMPY)");
            }
        }
        int major = seg.get(ValueLayout.JAVA_BYTE, 6) & 0xff;
        long headerLen;
        long headerStart;
        if (major == 1) {
            headerLen = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (size < 12) {
                throw new ModelFormatException(path, 8, "truncated .npy v" + major + " header length");
            }
            headerLen = seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new ModelFormatException(path, 6, "unsupported .npy version " + major + " (known: 1, 2, 3)");
        }
        if (headerLen > MAX_HEADER || headerLen > size - headerStart) {
            throw new ModelFormatException(path, 8, "header length " + headerLen + " does not fit in the file (" + size + " bytes)");
        }
        byte[] hb = seg.asSlice(headerStart, headerLen).toArray(ValueLayout.JAVA_BYTE);
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DictParser p = new DictParser(text, path, headerStart);
        p.parse();
        long dataOffset = headerStart + headerLen;
        if (p.descr == null || p.shape == null || p.fortran == null) {
            throw new ModelFormatException(path, headerStart, "header must define 'descr', 'fortran_order' and 'shape', got: " + text.strip());
        }
        if (p.fortran) {
            throw new ModelFormatException(path, headerStart, "fortran_order True is not supported; save with np.ascontiguousarray");
        }
        DType dtype = switch (p.descr) {
            case "<f4" -> DType.F32;
            case "<f8" -> DType.F64;
            case "<i8" -> DType.I64;
            case "<i4" -> DType.I32;
            case "|u1", "<u1" -> DType.U8;
            case "|i1", "<i1" -> DType.I8;
            default -> throw new ModelFormatException(path, headerStart, "unsupported descr '" + p.descr
                    + "' (supported: <f4, <f8, <i8, <i4, |u1, |i1)");
        };
        long count = 1;
        for (long d : p.shape) {
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(path, headerStart, "shape " + Arrays.toString(p.shape) + " overflows");
            }
        }
        long bytes;
        try {
            bytes = dtype.byteSize(count);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, headerStart, "shape " + Arrays.toString(p.shape) + " overflows");
        }
        if (bytes != size - dataOffset) {
            throw new ModelFormatException(path, dataOffset, "data holds " + (size - dataOffset) + " bytes but " + dtype
                    + Arrays.toString(p.shape) + " needs " + bytes);
        }
        return new Header(dtype, p.shape, dataOffset);
    }

    /** Writes {@code t} (F32, F64, I64, I32, U8 or I8) as a version 1.0 file. */
    public static void write(Path path, Tensor t) {
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(encode(t));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** The .npy bytes of {@code t}. */
    public static byte[] encode(Tensor t) {
        String descr = switch (t.dtype()) {
            case F32 -> "<f4";
            case F64 -> "<f8";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case U8 -> "|u1";
            case I8 -> "|i1";
            default -> throw new IllegalArgumentException(".npy writer does not support " + t.dtype());
        };
        StringBuilder h = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        long[] shape = t.shape();
        for (int i = 0; i < shape.length; i++) {
            h.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        h.append("), }");
        int total = 10 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h.append(" ".repeat(pad)).append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (header.length > 0xffff) {
            throw new IllegalArgumentException("shape too long for a .npy v1 header");
        }
        MemorySegment data = t.contiguous().segment();
        long n = data.byteSize();
        if (n > Integer.MAX_VALUE - 64 - header.length) {
            throw new IllegalArgumentException("tensor too large to encode in memory: " + t);
        }
        ByteBuffer bb = ByteBuffer.allocate(10 + header.length + (int) n).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length).put(header);
        byte[] arr = bb.array();
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, arr, 10 + header.length, (int) n);
        return arr;
    }

    /** A parser for the tiny subset of Python literals that .npy headers use. */
    private static final class DictParser {
        final String s;
        final Path path;
        final long base;
        int pos;
        String descr;
        Boolean fortran;
        long[] shape;

        DictParser(String s, Path path, long base) {
            this.s = s;
            this.path = path;
            this.base = base;
        }

        ModelFormatException error(String msg) {
            return new ModelFormatException(path, base + pos, "malformed .npy header: " + msg + " in " + s.strip());
        }

        void ws() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean peek(char c) {
            ws();
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void parse() {
            expect('{');
            while (!peek('}')) {
                String key = str();
                expect(':');
                switch (key) {
                    case "descr" -> descr = str();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw error("unknown key '" + key + "'");
                }
                if (peek(',')) {
                    pos++;
                } else if (!peek('}')) {
                    throw error("expected ',' or '}'");
                }
            }
            pos++;
            ws();
            if (pos != s.length()) {
                throw error("trailing characters after the dict");
            }
        }

        String str() {
            ws();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw error("expected a quoted string");
            }
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0 || end - pos > 64) {
                throw error("unterminated or overlong string");
            }
            String v = s.substring(pos, end);
            pos = end + 1;
            return v;
        }

        boolean bool() {
            ws();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw error("expected True or False");
        }

        long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                ws();
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos)) && pos - start < 19) {
                    pos++;
                }
                if (pos == start) {
                    throw error("expected a non-negative integer dimension");
                }
                if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    throw error("dimension too large");
                }
                dims.add(Long.parseLong(s.substring(start, pos)));
                if (dims.size() > 32) {
                    throw error("more than 32 dimensions");
                }
                if (peek(',')) {
                    pos++;
                } else if (!peek(')')) {
                    throw error("expected ',' or ')' in shape");
                }
            }
            pos++;
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
