package dev.minnow.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.KernelProvider;
import org.junit.jupiter.api.Test;

/** The models suite runs twice (surefire executions default-test and scalar-kernels): check each pass is what it claims. */
class KernelPassTest {
    @Test
    void providerFollowsThePass() {
        String forced = System.getProperty("minnow.kernels", "");
        String name = KernelProvider.get().name();
        if (forced.equals("scalar")) {
            assertEquals("scalar", name);
        } else {
            assertTrue(name.startsWith("vector-"), "the default pass must exercise the Vector API kernels, got " + name);
        }
    }
}
