package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileTest {
    @Test
    void snapshotIsACopyOfTheTotals() {
        Profile.reset();
        Profile.add("conv pw", 10, 5);
        Profile.add("conv pw", 30, 7);
        Profile.add("add", 4, 0);
        Map<String, long[]> s = Profile.snapshot();
        assertEquals(java.util.List.of("add", "conv pw"), java.util.List.copyOf(s.keySet()));
        assertArrayEquals(new long[] {40, 12, 2}, s.get("conv pw"));
        s.get("conv pw")[0] = 0;   // the copy, not the totals
        Profile.add("conv pw", 1, 0);
        assertArrayEquals(new long[] {41, 12, 3}, Profile.snapshot().get("conv pw"));
        Profile.reset();
        assertTrue(Profile.snapshot().isEmpty());
    }
}
