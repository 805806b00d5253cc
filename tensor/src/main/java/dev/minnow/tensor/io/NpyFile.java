package dev.minnow.tensor.io;

import dev.minnow.tensor.Tensor;
import java.nio.file.Path;

/** A memory-mapped, validated {@code .npy} file whose array is a view ({@link #tensor()}) valid until {@link #close()}. */
public final class NpyFile implements AutoCloseable {
    private final MappedFile file;
    private final Npy.Header header;

    private NpyFile(MappedFile file, Npy.Header header) {
        this.file = file;
        this.header = header;
    }

    public static NpyFile open(Path path) {
        MappedFile mf = MappedFile.open(path);
        try {
            return new NpyFile(mf, Npy.parseHeader(path, mf.segment()));
        } catch (RuntimeException e) {
            mf.close();
            throw e;
        }
    }

    public Npy.Header header() { return header; }

    /** The array as a view of the mapping. */
    public Tensor tensor() { return file.tensor(header.dataOffset(), header.dtype(), header.shape()); }

    @Override
    public void close() { file.close(); }
}
