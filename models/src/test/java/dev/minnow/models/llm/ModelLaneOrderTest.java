package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.KernelProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole models give the same logits, bit for bit, before and after C2 compiles them: {@link ModelLaneOrderProbe}
 * (batched prefill, then greedy decoding, of F32, Q8_0 and Q4_0 Llama models) from an interpreted JVM ({@code -Xint})
 * against a C2-only JVM that compiles synchronously after a low threshold and repeats the run past it; and at one, two
 * and three threads. Each JVM gets {@code minnow.kernels=vector} (an interpreted JVM would choose the scalar kernels by
 * itself) and then this JVM's {@code minnow.*} properties, so the scalar run of the suite checks its own path. The kernels' {@code LaneOrderTest}
 * covers each kernel; this covers what the model layer adds (attention, the KV cache, the prefill GEMM, the decode
 * panels).
 */
class ModelLaneOrderTest {
    @TempDir
    static Path dir;

    @Test
    void logitsAreTheSameInterpretedAndCompiled() throws Exception {
        // the models first, so that the two JVMs can run side by side
        ModelLaneOrderProbe.writeModels(dir);
        Probe cold = Probe.start(1, "-Xint");
        Probe warm = Probe.start(150, "-XX:-TieredCompilation", "-XX:-BackgroundCompilation", "-XX:CompileThreshold=100",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=compileonly,dev.minnow.*::*");
        List<String> coldLines = cold.lines(), warmLines = warm.lines();
        assertEquals(18, coldLines.size(), "the probe printed " + coldLines);
        assertEquals(coldLines, warmLines, "logits changed once compiled (cold, then warm)");
    }

    /** The thread count splits rows, never a sum: one, two and three threads give the same logits. */
    @Test
    void logitsAreTheSameAtAnyThreadCount() throws Exception {
        ModelLaneOrderProbe.writeModels(dir);
        List<String> one = Probe.start(2, "-Dminnow.threads=1").lines();
        assertEquals(18, one.size(), "the probe printed " + one);
        for (String threads : new String[] {"2", "3"}) {
            assertEquals(one, Probe.start(2, "-Dminnow.threads=" + threads).lines(), threads + " threads against one");
        }
    }

    private record Probe(Process process, List<String> cmd, String label, long t0) {
        /** The probe's JVM: the suite's {@code minnow.*} properties, then {@code jvmFlags} (which win over them). */
        static Probe start(int reps, String... jvmFlags) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--add-modules=" + KernelProvider.VECTOR_MODULE);
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-Dminnow.kernels=vector");
            System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("minnow.")).sorted()
                    .forEach(p -> cmd.add("-D" + p + "=" + System.getProperty(p)));
            cmd.addAll(List.of(jvmFlags));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ModelLaneOrderProbe.class.getName(), dir.toString(),
                    Integer.toString(reps)));
            return new Probe(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd, String.join(" ", jvmFlags), System.nanoTime());
        }

        List<String> lines() throws IOException, InterruptedException {
            byte[] bytes = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the probe did not finish: " + cmd);
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "the probe failed: " + cmd + "\n" + text);
            System.out.printf("probe %s: %.1f s%n", label, (System.nanoTime() - t0) / 1e9);
            return text.lines().filter(l -> !l.startsWith("WARNING") && !l.startsWith("minnow:")).toList();
        }
    }
}
