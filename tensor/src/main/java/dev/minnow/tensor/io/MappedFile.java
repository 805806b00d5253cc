package dev.minnow.tensor.io;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file mapped read-only into a shared {@link Arena}. Views ({@link #slice}, {@link #tensor}) are bounds-checked
 * and never copy; they stay valid until {@link #close()}.
 *
 * <pre>{@code
 * try (MappedFile f = MappedFile.open(Path.of("model.bin"))) {
 *     Tensor w = f.tensor(4096, DType.F32, 512, 256);
 * }
 * }</pre>
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    public static MappedFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? arena.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Wraps bytes already in memory as if they were a mapped file named {@code name} (for in-memory parsing and
     * fuzz tests). Closing it does not free {@code segment}.
     */
    public static MappedFile ofSegment(Path name, MemorySegment segment) {
        return new MappedFile(name, null, segment);
    }

    public Path path() { return path; }

    public long size() { return segment.byteSize(); }

    /** The whole mapping. */
    public MemorySegment segment() { return segment; }

    /** Bytes {@code [offset, offset + length)}; throws {@link ModelFormatException} when they run past the end. */
    public MemorySegment slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset > segment.byteSize() - length) {
            throw new ModelFormatException(path, offset, "range of " + length + " bytes at offset " + offset
                    + " runs past the end of the file (" + segment.byteSize() + " bytes)");
        }
        return segment.asSlice(offset, length);
    }

    /** A tensor view of {@code dtype} and {@code shape} at {@code offset}. */
    public Tensor tensor(long offset, DType dtype, long... shape) {
        long bytes;
        try {
            bytes = dtype.byteSize(Shapes.elementCount(shape));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFormatException(path, offset, "bad tensor " + dtype + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
        return Tensor.wrap(slice(offset, bytes), dtype, shape);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() { return "MappedFile[" + path + ", " + size() + " bytes]"; }
}
