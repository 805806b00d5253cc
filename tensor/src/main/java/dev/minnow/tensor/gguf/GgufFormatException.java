package dev.minnow.tensor.gguf;

import dev.minnow.tensor.io.ModelFormatException;
import java.nio.file.Path;

/** A GGUF file violates the format, or lacks or mistypes a key that a loader needs. */
public class GgufFormatException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public GgufFormatException(Path file, long offset, String message) {
        super(file, offset, message);
    }
}
