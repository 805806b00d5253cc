package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.tensor.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole models give the same logits, bit for bit, before and after C2 compiles them: {@link ModelLaneOrderProbe}
 * (batched prefill, then greedy decoding, of F32, Q8_0 and Q4_0 Llama models) from an interpreted JVM ({@code -Xint})
 * against a C2-only JVM that compiles synchronously after a low threshold and repeats the run past it; and at one, two
 * and three threads. Each JVM gets {@code minnow.kernels=vector} (an interpreted JVM would choose the scalar kernels by
 * itself) and then this JVM's {@code minnow.*} properties ({@link ChildJvm}), so the scalar run of the suite checks
 * its own path. The kernels' {@code LaneOrderTest} covers each kernel; this covers what the model layer adds (attention, the KV cache, the prefill GEMM, the decode
 * panels).
 */
class ModelLaneOrderTest {
    @TempDir
    static Path dir;

    @Test
    void logitsAreTheSameInterpretedAndCompiled() throws Exception {
        // the models first, so that the two JVMs can run side by side
        ModelLaneOrderProbe.writeModels(dir);
        ChildJvm cold = probe(1, "-Xint");
        ChildJvm warm = probe(150, "-XX:-TieredCompilation", "-XX:-BackgroundCompilation", "-XX:CompileThreshold=100",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=compileonly,dev.minnow.*::*");
        List<String> coldLines = cold.lines(), warmLines = warm.lines();
        assertEquals(18, coldLines.size(), "the probe printed " + coldLines);
        assertEquals(coldLines, warmLines, "logits changed once compiled (cold, then warm)");
    }

    /** The thread count splits rows, never a sum: one, two and three threads give the same logits. */
    @Test
    void logitsAreTheSameAtAnyThreadCount() throws Exception {
        ModelLaneOrderProbe.writeModels(dir);
        List<String> one = probe(2, "-Dminnow.threads=1").lines();
        assertEquals(18, one.size(), "the probe printed " + one);
        for (String threads : new String[] {"2", "3"}) {
            assertEquals(one, probe(2, "-Dminnow.threads=" + threads).lines(), threads + " threads against one");
        }
    }

    /** A probe JVM: the suite's {@code minnow.*} properties, then {@code jvmFlags} (which win over them). */
    private static ChildJvm probe(int reps, String... jvmFlags) throws IOException {
        return ChildJvm.start(List.of("--add-modules=" + KernelProvider.VECTOR_MODULE, "--enable-native-access=ALL-UNNAMED",
                "-Dminnow.kernels=vector"), List.of(jvmFlags), ModelLaneOrderProbe.class, dir.toString(), Integer.toString(reps));
    }
}
