package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CnnDemoTest {
    @Test
    void makeDivisibleMatchesTorchvision() {
        assertEquals(16, CnnDemo.makeDivisible(32 * 0.5, 8));
        assertEquals(8, CnnDemo.makeDivisible(16 * 0.5, 8));
        assertEquals(16, CnnDemo.makeDivisible(24 * 0.5, 8));   // 12 → 16
        assertEquals(48, CnnDemo.makeDivisible(96 * 0.5, 8));
        assertEquals(8, CnnDemo.makeDivisible(32 * 0.25, 8));
        assertEquals(1280, CnnDemo.makeDivisible(1280, 8));
    }

    @Test
    void demoRoundTripsThroughSafetensorsAndClassifies() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        CnnDemo.run(new PrintStream(bos, true, StandardCharsets.UTF_8), 0.25, 1);
        String s = bos.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("ms/frame") && s.contains("top-5:"), s);
    }
}
