package dev.minnow.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufTensorInfo;
import dev.minnow.tensor.gguf.GgufWriter;
import dev.minnow.tensor.testing.Fixtures;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufQuantizerTest {
    @TempDir
    Path dir;

    private Path tinyModel(DType weightType) {
        SplittableRandom r = Gen.random("tiny-gguf");
        float[] w = Gen.floats(r, 4 * 256);
        float[] norm = Gen.floats(r, 256);
        byte[] wBytes = new byte[(int) GgmlQuant.rowBytes(weightType, w.length)];
        GgmlQuant.quantizeRow(weightType, w, 0, MemorySegment.ofArray(wBytes), 0, w.length);
        Path p = dir.resolve("tiny-" + weightType + ".gguf");
        new GgufWriter().putString("general.architecture", "llama").putU32("llama.block_count", 1)
                .addTensor("blk.0.ffn_up.weight", weightType, new long[] {4, 256}, MemorySegment.ofArray(wBytes))
                .addTensor("blk.0.ffn_norm.weight", DType.F32, new long[] {256}, MemorySegment.ofArray(norm))
                .write(p);
        return p;
    }

    @Test
    void quantizesWeightsKeepsNormsAndSetsFileType() {
        Path in = tinyModel(DType.F16);
        Path out = dir.resolve("out.gguf");
        GgufQuantizer.Summary s = GgufQuantizer.quantize(in, out, QuantMix.Preset.Q8_0, false);
        assertEquals(1, s.tensorsPerType().get(DType.Q8_0));
        try (GgufFile src = GgufFile.open(in); GgufFile q = GgufFile.open(out)) {
            assertEquals(7, q.getInt("general.file_type"));
            assertEquals(2, q.getInt("general.quantization_version"));
            assertEquals(DType.Q8_0, q.tensorInfos().get("blk.0.ffn_up.weight").type());
            assertEquals(DType.F32, q.tensorInfos().get("blk.0.ffn_norm.weight").type());
            assertArrayEquals(src.tensorData("blk.0.ffn_norm.weight").toArray(ValueLayout.JAVA_BYTE),
                    q.tensorData("blk.0.ffn_norm.weight").toArray(ValueLayout.JAVA_BYTE));
            float[] a = new float[1024];
            float[] b = new float[1024];
            GgmlQuant.dequantizeRow(DType.F16, src.tensorData("blk.0.ffn_up.weight"), 0, a, 0, 1024);
            GgmlQuant.dequantizeRow(DType.Q8_0, q.tensorData("blk.0.ffn_up.weight"), 0, b, 0, 1024);
            for (int i = 0; i < 1024; i++) {
                assertEquals(a[i], b[i], 1.0 / 127, "element " + i);
            }
        }
    }

    @Test
    void refusesToRequantize() {
        Path in = tinyModel(DType.Q4_0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GgufQuantizer.quantize(in, dir.resolve("x.gguf"), QuantMix.Preset.Q8_0, true));
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight is Q4_0"), e.getMessage());
    }

    /** The whole file path: every tensor of Minnow's output equals llama-quantize's, by name. */
    @Tag("conformance")
    @ParameterizedTest
    @ValueSource(strings = {"mix-Q2_K", "mix-Q3_K_M", "mix-Q4_K_M", "mix-Q5_K_M", "pure-Q5_1"})
    void outputEqualsLlamaQuantizeTensorByTensor(String file) {
        boolean pure = file.startsWith("pure-");
        QuantMix.Preset preset = QuantMix.Preset.parse(file.substring(file.indexOf('-') + 1));
        Path out = dir.resolve(file + ".gguf");
        GgufQuantizer.quantize(Fixtures.path("gguf/quant-s1-F32.gguf"), out, preset, pure);
        try (GgufFile ref = GgufFile.open(Fixtures.path("gguf/quant-s1-" + file + ".gguf")); GgufFile got = GgufFile.open(out)) {
            assertEquals(ref.tensorInfos().keySet(), got.tensorInfos().keySet());
            assertEquals(ref.getInt("general.file_type"), got.getInt("general.file_type"));
            for (GgufTensorInfo t : ref.tensorInfos().values()) {
                GgufTensorInfo g = got.tensorInfos().get(t.name());
                assertEquals(t.type(), g.type(), t.name());
                assertArrayEquals(t.shape(), g.shape(), t.name());
                assertArrayEquals(ref.tensorData(t.name()).toArray(ValueLayout.JAVA_BYTE),
                        got.tensorData(t.name()).toArray(ValueLayout.JAVA_BYTE), t.name() + " bytes");
            }
        }
    }
}
