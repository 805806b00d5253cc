package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path dir;

    private Path model() {
        float[] w = new float[2 * 256];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        Path p = dir.resolve("in.gguf");
        new GgufWriter().putString("general.architecture", "llama")
                .addTensor("blk.0.attn_q.weight", DType.F32, new long[] {2, 256}, MemorySegment.ofArray(w)).write(p);
        return p;
    }

    @Test
    void quantizesAndPrintsTheSummary() {
        Path in = model();
        Path out = dir.resolve("out.gguf");
        String[] r = MainTest.capture(() -> Main.execute("quantize", in.toString(), out.toString(), "Q4_K_S", "--pure"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("Q4_K") && r[1].contains("in.gguf -> out.gguf"), r[1]);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(DType.Q4_K, f.tensorInfos().get("blk.0.attn_q.weight").type());
        }
    }

    @Test
    void unknownPresetIsOneLine() {
        Path in = model();
        String[] r = MainTest.capture(() -> Main.execute("quantize", in.toString(), dir.resolve("o.gguf").toString(), "Q9_X"));
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("unknown quantization type 'Q9_X'"), r[2]);
    }
}
