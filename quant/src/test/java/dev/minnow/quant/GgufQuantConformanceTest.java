package dev.minnow.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufTensorInfo;
import dev.minnow.tensor.testing.Fixtures;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against llama.cpp: quantizing every 2-D tensor of quant-s1-F32.gguf with Minnow must give the bytes that
 * {@code llama-quantize --pure} wrote, and dequantizing those bytes must stay within the format's error bound.
 */
@Tag("conformance")
class GgufQuantConformanceTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Worst error per block, in units of the block's step: its range (max − min, at least its largest magnitude)
     * over 2^bits − 1 levels. A value rounded to the nearest level of an evenly spaced grid is within 0.5 step;
     * clamped extremes (Q4_0's +8 that must become +7) and the K-quants' 6-bit sub-scales widen that to the
     * factors below. The f16 scales add what f16 cannot resolve, which {@link #f16Slack} bounds separately.
     */
    private static double bound(DType t) {
        return switch (t) {
            case Q8_0, Q5_0, Q4_0 -> 1.05;  // symmetric: the positive extreme clamps one level down
            case Q4_1, Q5_1 -> 0.55;        // asymmetric min/max grid, f16 rounding of d and m
            case Q6_K, Q5_K, Q4_K, Q3_K -> 2.0;
            case Q2_K -> 2.0;
            default -> 0;
        };
    }

    /**
     * Error that f16 storage of the scales can add: a relative 2⁻¹¹ on each scale (on |x| ≤ amax, twice for the
     * two-level K-quant scales) and, for scales below the f16 normal range, an absolute 2⁻²⁵ on d times the
     * largest integer that multiplies d (e.g. 127 for Q8_0, 63·15 + 63 for Q4_K).
     */
    private static double f16Slack(DType t, double amax) {
        int multiplier = switch (t) {
            case Q8_0 -> 127;
            case Q4_0 -> 8;
            case Q5_0 -> 16;
            case Q4_1 -> 16;
            case Q5_1 -> 32;
            case Q2_K -> 15 * 3 + 15;
            case Q3_K -> 32 * 4;
            case Q4_K -> 63 * 15 + 63;
            case Q5_K -> 63 * 31 + 63;
            case Q6_K -> 128 * 32;
            default -> 0;
        };
        return amax * 0x1p-10 + multiplier * 0x1p-25;
    }

    private static int bits(DType t) {
        return switch (t) {
            case Q8_0 -> 8;
            case Q6_K -> 6;
            case Q5_0, Q5_1, Q5_K -> 5;
            case Q4_0, Q4_1, Q4_K -> 4;
            case Q3_K -> 3;
            case Q2_K -> 2;
            default -> 32;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q4_K_S", "Q5_K_S", "Q6_K"})
    void dequantizingLlamaCppsBytesStaysNearTheSource(String preset) throws Exception {
        try (GgufFile src = GgufFile.open(Fixtures.path("gguf/quant-s1-F32.gguf"));
             GgufFile ref = GgufFile.open(Fixtures.path("gguf/quant-s1-pure-" + preset + ".gguf"))) {
            double worst = 0;
            String where = "";
            for (GgufTensorInfo q : ref.tensorInfos().values()) {
                if (q.shape().length < 2) {
                    continue;
                }
                DType type = q.type();
                int cols = (int) q.shape()[q.shape().length - 1];
                long rows = q.elementCount() / cols;
                long rowBytes = GgmlQuant.rowBytes(type, cols);
                float[] x = new float[cols];
                float[] y = new float[cols];
                int bs = type.blockSize();
                double levels = (1 << bits(type)) - 1;
                for (long r = 0; r < rows; r++) {
                    MemorySegment.copy(src.tensorData(q.name()), F32, r * cols * 4L, x, 0, cols);
                    GgmlQuant.dequantizeRow(type, ref.tensorData(q.name()), r * rowBytes, y, 0, cols);
                    for (int b = 0; b < cols; b += bs) {
                        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE, amax = 0, err = 0;
                        for (int j = b; j < b + bs; j++) {
                            lo = Math.min(lo, x[j]);
                            hi = Math.max(hi, x[j]);
                            amax = Math.max(amax, Math.abs(x[j]));
                            err = Math.max(err, Math.abs((double) x[j] - y[j]));
                        }
                        double step = Math.max(hi - lo, amax) / levels;
                        double excess = Math.max(0, err - f16Slack(type, amax));
                        double ratio = step == 0 ? (excess == 0 ? 0 : Double.POSITIVE_INFINITY) : excess / step;
                        if (ratio > worst) {
                            worst = ratio;
                            where = q.name() + " row " + r + " block " + b / bs;
                        }
                    }
                }
            }
            System.out.printf("dequant %s: worst error %.3f levels at %s%n", preset, worst, where);
            DType t = ref.tensorInfos().values().stream().filter(q -> q.shape().length == 2)
                    .findFirst().orElseThrow().type();
            assertTrue(worst <= bound(t), preset + ": worst error " + worst + " levels at " + where + " exceeds " + bound(t));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q4_K_S", "Q5_K_S", "Q6_K"})
    void quantizingTheF32ModelGivesLlamaCppsBytes(String preset) throws Exception {
        try (GgufFile src = GgufFile.open(Fixtures.path("gguf/quant-s1-F32.gguf"));
             GgufFile ref = GgufFile.open(Fixtures.path("gguf/quant-s1-pure-" + preset + ".gguf"))) {
            int checked = 0;
            List<String> failures = new ArrayList<>();
            for (GgufTensorInfo want : ref.tensorInfos().values()) {
                GgufTensorInfo in = src.tensorInfos().get(want.name());
                assertTrue(in != null, "tensor " + want.name() + " missing from the F32 model");
                assertEquals(DType.F32, in.type(), want.name() + " is not F32 in the source");
                DType type = want.type();
                if (want.shape().length < 2) {
                    assertEquals(DType.F32, type, "1-D tensor " + want.name() + " should stay F32");
                    continue;
                }
                int cols = (int) want.shape()[want.shape().length - 1];
                long rows = want.elementCount() / cols;
                long rowBytes = GgmlQuant.rowBytes(type, cols);
                byte[] got = new byte[(int) rowBytes];
                float[] row = new float[cols];
                MemorySegment inData = src.tensorData(in.name());
                MemorySegment refData = ref.tensorData(want.name());
                long mismatchedRows = 0;
                String first = null;
                for (long r = 0; r < rows; r++) {
                    MemorySegment.copy(inData, F32, r * cols * 4L, row, 0, cols);
                    GgmlQuant.quantizeRow(type, row, 0, MemorySegment.ofArray(got), 0, cols);
                    byte[] exp = refData.asSlice(r * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE);
                    int at = java.util.Arrays.mismatch(got, exp);
                    if (at >= 0) {
                        mismatchedRows++;
                        if (first == null) {
                            first = "row " + r + " byte " + at + " (block " + at / type.bytesPerBlock() + ", offset "
                                    + at % type.bytesPerBlock() + "): got " + (got[at] & 0xff) + " want " + (exp[at] & 0xff);
                        }
                    }
                }
                checked++;
                if (mismatchedRows > 0) {
                    failures.add(want.name() + " " + type + ": " + mismatchedRows + "/" + rows + " rows differ, first " + first);
                }
            }
            assertTrue(checked > 0, "no 2-D tensors in " + preset);
            if (!failures.isEmpty()) {
                fail(preset + ": " + failures.size() + " tensors differ:\n" + String.join("\n", failures));
            }
        }
    }

    static QuantMix.Model model(GgufFile f) {
        String arch = f.getString("general.architecture");
        return new QuantMix.Model(arch, f.getInt(arch + ".block_count"), f.getInt(arch + ".attention.head_count"),
                f.getInt(arch + ".attention.head_count_kv", f.getInt(arch + ".attention.head_count")),
                f.getInt(arch + ".expert_count", 0), f.hasTensor("output.weight"));
    }

    /** The mix presets: every tensor gets llama.cpp's type, and the bytes of that type. */
    @ParameterizedTest
    @ValueSource(strings = {"mix-Q2_K", "mix-Q3_K_M", "mix-Q4_K_M", "mix-Q5_K_M", "pure-Q4_0", "pure-Q4_K_S", "pure-Q6_K"})
    void presetMixChoosesLlamaCppsTypeForEveryTensor(String file) throws Exception {
        boolean pure = file.startsWith("pure-");
        QuantMix.Preset preset = QuantMix.Preset.parse(file.substring(file.indexOf('-') + 1));
        try (GgufFile src = GgufFile.open(Fixtures.path("gguf/quant-s1-F32.gguf"));
             GgufFile ref = GgufFile.open(Fixtures.path("gguf/quant-s1-" + file + ".gguf"))) {
            QuantMix.Model m = model(src);
            assertEquals(preset.fileType(), ref.getInt("general.file_type"), "general.file_type of " + file);
            List<String> wrong = new ArrayList<>();
            int checked = 0;
            for (GgufTensorInfo want : ref.tensorInfos().values()) {
                DType got = QuantMix.typeFor(preset, want.name(), want.shape(), m, pure);
                checked++;
                if (got != want.type()) {
                    wrong.add(want.name() + ": Minnow " + got + ", llama.cpp " + want.type());
                    continue;
                }
                if (!got.isQuantized()) {
                    continue;
                }
                int cols = (int) want.shape()[want.shape().length - 1];
                long rows = want.elementCount() / cols;
                long rowBytes = GgmlQuant.rowBytes(got, cols);
                byte[] q = new byte[(int) rowBytes];
                float[] row = new float[cols];
                for (long r = 0; r < rows; r++) {
                    MemorySegment.copy(src.tensorData(want.name()), F32, r * cols * 4L, row, 0, cols);
                    GgmlQuant.quantizeRow(got, row, 0, MemorySegment.ofArray(q), 0, cols);
                    if (!java.util.Arrays.equals(q, ref.tensorData(want.name()).asSlice(r * rowBytes, rowBytes)
                            .toArray(ValueLayout.JAVA_BYTE))) {
                        wrong.add(want.name() + " " + got + ": row " + r + " bytes differ");
                        break;
                    }
                }
            }
            assertEquals(src.tensorInfos().size(), checked, "tensor count");
            if (!wrong.isEmpty()) {
                fail(file + ":\n" + String.join("\n", wrong));
            }
        }
    }
}
