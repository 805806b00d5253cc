package dev.minnow.tensor.gguf;

/**
 * One metadata key-value pair. {@code value} is: Integer (UINT8, INT8, UINT16, INT16, INT32), Long (UINT32, UINT64,
 * INT64), Float, Double, Boolean or String for scalars; for arrays an {@code int[]} (8-to-32-bit signed and 8/16-bit
 * unsigned elements), {@code long[]} (UINT32, UINT64, INT64), {@code float[]}, {@code double[]},
 * {@code boolean[]}, {@code String[]} or {@code Object[]} (nested arrays). {@code elementType} is null for scalars.
 */
public record GgufEntry(String key, GgufType type, GgufType elementType, Object value, long offset) {}
