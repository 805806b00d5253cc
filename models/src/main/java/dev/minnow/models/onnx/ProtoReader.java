package dev.minnow.models.onnx;

import dev.minnow.tensor.io.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked reader of the protobuf wire format over a byte range of a {@link MemorySegment}. Every length is
 * checked against the enclosing message before use, varints are at most 10 bytes, and groups (wire types 3, 4) are
 * rejected, so hostile input yields a {@link ModelFormatException} with the file and offset, never an
 * out-of-bounds access or a huge allocation.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final Path file;
    private final long end;
    private long pos;
    private int tag;

    ProtoReader(MemorySegment seg, long start, long end, Path file) {
        this.seg = seg;
        this.pos = start;
        this.end = end;
        this.file = file;
    }

    ModelFormatException error(String msg) {
        return new ModelFormatException(file, pos, "malformed ONNX protobuf: " + msg);
    }

    boolean hasMore() { return pos < end; }

    long position() { return pos; }

    /** Reads the next tag; returns the field number. */
    int next() {
        long t = varint();
        if (t >>> 32 != 0 || (t >>> 3) == 0) {
            throw error("bad field tag " + t);
        }
        tag = (int) t;
        int wt = tag & 7;
        if (wt != VARINT && wt != FIXED64 && wt != LEN && wt != FIXED32) {
            throw error("unsupported wire type " + wt + " for field " + (tag >>> 3));
        }
        return tag >>> 3;
    }

    int wireType() { return tag & 7; }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw error("truncated varint");
            }
            byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    private void need(int wt, String what) {
        if (wireType() != wt) {
            throw error(what + " (field " + (tag >>> 3) + ") has wire type " + wireType() + ", expected " + wt);
        }
    }

    long int64(String what) {
        need(VARINT, what);
        return varint();
    }

    float float32(String what) {
        need(FIXED32, what);
        if (end - pos < 4) {
            throw error("truncated fixed32");
        }
        float f = Float.intBitsToFloat(seg.get(I32, pos));
        pos += 4;
        return f;
    }

    /** A length-delimited field as [start, end) offsets (consumed). */
    long[] bytes(String what) {
        need(LEN, what);
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw error(what + " (field " + (tag >>> 3) + ") of " + len + " bytes runs past its message (" + (end - pos) + " left)");
        }
        long[] r = {pos, pos + len};
        pos += len;
        return r;
    }

    ProtoReader message(String what) {
        long[] r = bytes(what);
        return new ProtoReader(seg, r[0], r[1], file);
    }

    String string(String what) {
        long[] r = bytes(what);
        if (r[1] - r[0] > 1 << 20) {
            throw error(what + " string longer than 1 MB");
        }
        return new String(seg.asSlice(r[0], r[1] - r[0]).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    MemorySegment slice(long[] range) {
        return seg.asSlice(range[0], range[1] - range[0]);
    }

    /** Repeated int64: packed (LEN) or one unpacked varint; appends to {@code out}. */
    void int64s(String what, java.util.List<Long> out, int limit) {
        if (wireType() == VARINT) {
            out.add(varint());
        } else {
            ProtoReader p = message(what);
            while (p.hasMore()) {
                out.add(p.varint());
                if (out.size() > limit) {
                    throw error(what + ": more than " + limit + " values");
                }
            }
        }
        if (out.size() > limit) {
            throw error(what + ": more than " + limit + " values");
        }
    }

    /** Repeated float: packed (LEN) or one fixed32; appends. */
    void floats(String what, java.util.List<Float> out, int limit) {
        if (wireType() == FIXED32) {
            out.add(float32(what));
        } else {
            long[] r = bytes(what);
            if ((r[1] - r[0]) % 4 != 0 || (r[1] - r[0]) / 4 + out.size() > limit) {
                throw error(what + ": packed floats of " + (r[1] - r[0]) + " bytes");
            }
            for (long p = r[0]; p < r[1]; p += 4) {
                out.add(Float.intBitsToFloat(seg.get(I32, p)));
            }
        }
    }

    void skip() {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> {
                if (end - pos < 8) {
                    throw error("truncated fixed64");
                }
                pos += 8;
            }
            case FIXED32 -> {
                if (end - pos < 4) {
                    throw error("truncated fixed32");
                }
                pos += 4;
            }
            case LEN -> bytes("skipped field");
            default -> throw error("bad wire type");
        }
    }

    long fixed64AsLong() {
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }
}
