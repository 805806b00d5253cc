package dev.minnow.quant;

import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufEntry;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufTensorInfo;
import dev.minnow.tensor.gguf.GgufWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code llama-quantize} in Java: reads a GGUF model with float weights, gives every tensor the type of
 * {@link QuantMix} (or the preset's type for all 2-D weights when {@code pure}), quantizes with {@link GgmlQuant}
 * and writes a GGUF with the same metadata plus {@code general.file_type} and {@code general.quantization_version}.
 * Without an importance matrix the bytes equal llama.cpp's (checked against the fixtures, tensor by tensor).
 */
public final class GgufQuantizer {
    private GgufQuantizer() {}

    /** What was written: tensors per type, input and output bytes of tensor data. */
    public record Summary(Map<DType, Integer> tensorsPerType, long bytesIn, long bytesOut) {}

    public static Summary quantize(Path in, Path out, QuantMix.Preset preset, boolean pure) {
        try (GgufFile src = GgufFile.open(in); Arena arena = Arena.ofShared()) {
            String arch = src.getString("general.architecture", "llama");
            int heads = src.getInt(arch + ".attention.head_count", 1);
            QuantMix.Model model = new QuantMix.Model(arch, src.getInt(arch + ".block_count", 1), heads,
                    src.getInt(arch + ".attention.head_count_kv", heads), src.getInt(arch + ".expert_count", 0),
                    src.hasTensor("output.weight"));
            GgufWriter w = new GgufWriter();
            for (GgufEntry e : src.metadata().values()) {
                w.put(e);
            }
            w.putU32("general.quantization_version", 2);
            w.putU32("general.file_type", preset.fileType());
            Map<DType, Integer> counts = new TreeMap<>();
            long bytesIn = 0;
            long bytesOut = 0;
            for (GgufTensorInfo t : src.tensorInfos().values()) {
                MemorySegment data = src.tensorData(t.name());
                bytesIn += data.byteSize();
                DType type = QuantMix.quantizes(t.name(), t.shape())
                        ? QuantMix.typeFor(preset, t.name(), t.shape(), model, pure) : t.type();
                MemorySegment outData = type == t.type() ? data : convert(t, data, type, arena);
                w.addTensor(t.name(), type, t.shape(), outData);
                counts.merge(type, 1, Integer::sum);
                bytesOut += outData.byteSize();
            }
            w.write(out);
            return new Summary(counts, bytesIn, bytesOut);
        }
    }

    private static MemorySegment convert(GgufTensorInfo t, MemorySegment data, DType type, Arena arena) {
        if (t.type() != DType.F32 && t.type() != DType.F16 && t.type() != DType.BF16) {
            throw new IllegalArgumentException("tensor " + t.name() + " is " + t.type()
                    + ": requantizing an already quantized tensor is not supported; start from an F32/F16/BF16 model");
        }
        int cols = (int) t.shape()[t.shape().length - 1];
        long rows = t.elementCount() / cols;
        long inRow = t.type().byteSize(cols);
        long outRow = GgmlQuant.rowBytes(type, cols);
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + t.name() + " has too many rows: " + rows);
        }
        MemorySegment dst = arena.allocate(outRow * rows, 64);
        Parallel.RangeBody body = (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                GgmlQuant.dequantizeRow(t.type(), data, inRow * r, row, 0, cols);
                GgmlQuant.quantizeRow(type, row, 0, dst, outRow * r, cols);
            }
        };
        if (Parallel.shareable(data, dst)) {
            Parallel.forRange((int) rows, 8, body);
        } else {
            body.run(0, (int) rows);
        }
        return dst;
    }
}
