package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MainTest {
    static String[] capture(Supplier<Integer> run) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = run.get();
            return new String[] {String.valueOf(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void infoPrintsAlignedFacts() {
        String[] r = capture(() -> Main.execute("info"));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("kernels") && r[1].contains("threads") && r[1].contains("preferred species"), r[1]);
        if (dev.minnow.kernels.KernelProvider.get().vectorBits() > 0) {
            assertTrue(r[1].contains("gemm micro-kernel"), r[1]);
        }
    }

    @Test
    void unknownCommandIsOneLineAndNonZero() {
        String[] r = capture(() -> Main.execute("frobnicate"));
        assertNotEquals("0", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }

    @Test
    void failingCommandPrintsOneLine() {
        String[] r = capture(() -> Main.execute("bench", "nonsense"));
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("minnow bench: unknown benchmark 'nonsense'") && r[2].contains("gemm"), r[2]);
    }

    @Test
    void helpEverywhere() {
        for (String c : new String[] {"info", "demo", "bench"}) {
            String[] r = capture(() -> Main.execute(c, "--help"));
            assertEquals("0", r[0], c);
            assertTrue(r[1].contains("Usage: minnow " + c), r[1]);
        }
    }
}
