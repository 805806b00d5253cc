package dev.minnow.tensor.io;

import java.nio.file.Path;

/**
 * A model or data file does not hold what its format promises. The message names the file, the entry
 * (key, tensor or node) and the byte offset where that is known. Format readers throw subclasses of this
 * (for example {@code GgufFormatException}) and nothing else for bad input.
 */
public class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final long offset;

    public ModelFormatException(Path file, long offset, String message) {
        this(file, offset, message, null);
    }

    public ModelFormatException(Path file, long offset, String message, Throwable cause) {
        super(format(file, offset, message), cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file, or null when reading from memory. */
    public Path file() { return file; }

    /** Byte offset of the problem, or -1 when not tied to one. */
    public long offset() { return offset; }

    private static String format(Path file, long offset, String message) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<memory>" : file.toString());
        if (offset >= 0) {
            sb.append(" @").append(offset);
        }
        return sb.append(": ").append(message).toString();
    }
}
