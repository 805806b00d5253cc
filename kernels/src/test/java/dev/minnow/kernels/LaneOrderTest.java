package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.testing.ChildJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A kernel gives the same bits before and after C2 compiles it. Vector API operations whose order or rounding the
 * specification leaves open (float {@code reduceLanes(ADD)}; lanewise {@code EXP}, which C2 hands to a vector math
 * stub) differ between the Java fallback that runs cold and the intrinsics that run warm, so a model's
 * last bits, and on a near-tie its next token, depended on how warm the JVM was. {@link LaneOrderProbe} prints every
 * f32 kernel result once from an interpreted JVM ({@code -Xint}) and once from a C2-only JVM that compiles
 * synchronously after a low threshold and repeats each kernel well past it; the lines must be identical. Both JVMs get
 * {@code minnow.kernels=vector} (which an interpreted JVM would not choose by itself) and then this JVM's
 * {@code minnow.*} properties, so the suite's scalar run checks its own kernels. With the kernels of the commit before
 * {@code VectorMath}, 41 of the 57 lines differed on an AVX2 machine.
 */
class LaneOrderTest {
    private static final int WARM_REPS = 1000;

    @Test
    void kernelsGiveTheSameBitsInterpretedAndCompiled() throws Exception {
        List<String> cold = probe(1, "-Xint");
        List<String> warm = probe(WARM_REPS, "-XX:-TieredCompilation", "-XX:-BackgroundCompilation", "-XX:CompileThreshold=100",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=compileonly,dev.minnow.kernels.*::*");
        assertTrue(cold.size() > 40, "the probe printed " + cold.size() + " lines: " + cold);
        assertEquals(cold.size(), warm.size(), "line counts");
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < cold.size(); i++) {
            if (!cold.get(i).equals(warm.get(i))) {
                differ.add("cold " + cold.get(i) + "\n  warm " + warm.get(i));
            }
        }
        assertTrue(differ.isEmpty(), differ.size() + " kernels changed their bits once compiled:\n  " + String.join("\n  ", differ));
    }

    private static List<String> probe(int reps, String... jvmFlags) throws IOException, InterruptedException {
        // minnow.kernels=vector: an interpreted JVM would choose the scalar kernels; the suite's own -D wins
        return ChildJvm.start(List.of("--add-modules=" + KernelProvider.VECTOR_MODULE, "--enable-native-access=ALL-UNNAMED",
                "-Dminnow.kernels=vector"), List.of(jvmFlags), LaneOrderProbe.class, Integer.toString(reps)).lines();
    }
}
