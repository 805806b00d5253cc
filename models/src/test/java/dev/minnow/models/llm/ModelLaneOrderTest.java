package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * against a C2-only JVM that compiles synchronously after a low threshold and repeats the run past it. Both JVMs get
 * {@code minnow.kernels=vector} (an interpreted JVM would choose the scalar kernels by itself) and then this JVM's
 * {@code minnow.*} properties, so the scalar run of the suite checks its own path. The kernels' {@code LaneOrderTest}
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

    private record Probe(Process process, List<String> cmd, long t0) {
        static Probe start(int reps, String... jvmFlags) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--add-modules=jdk.incubator.vector");
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(List.of(jvmFlags));
            cmd.add("-Dminnow.kernels=vector");
            System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("minnow.")).sorted()
                    .forEach(p -> cmd.add("-D" + p + "=" + System.getProperty(p)));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ModelLaneOrderProbe.class.getName(), dir.toString(),
                    Integer.toString(reps)));
            return new Probe(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd, System.nanoTime());
        }

        List<String> lines() throws IOException, InterruptedException {
            byte[] bytes = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the probe did not finish: " + cmd);
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "the probe failed: " + cmd + "\n" + text);
            System.out.printf("probe %s: %.1f s%n", String.join(" ", cmd.subList(3, cmd.indexOf("-Dminnow.kernels=vector"))),
                    (System.nanoTime() - t0) / 1e9);
            return text.lines().filter(l -> !l.startsWith("WARNING") && !l.startsWith("minnow:")).toList();
        }
    }
}
