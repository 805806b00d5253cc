package dev.minnow.models.llm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link LlmBench}'s warm-up goes on while a run allocates more than compiled code does, even when the runs take the
 * same time (the state session 25 found: one kernel still in C1 code, the runs within 3% of each other).
 */
class LlmBenchWarmupTest {
    private static volatile Object sink;

    @Test
    void warmupWaitsUntilRunsStopAllocating() {
        int tokens = 4, allocating = 5;
        int[] calls = {0};
        LlmBench.Row row = LlmBench.measure("pp4", tokens, 1, () -> {
            if (calls[0]++ < allocating) {
                sink = new byte[tokens * (256 << 10)];   // 256 kB a token, far above SETTLED_BYTES_PER_TOKEN
            }
            try {
                Thread.sleep(3);   // every run takes the same time: the speed test alone would stop after the second
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        if (row.bytesPerToken() < 0) {
            throw new org.opentest4j.TestAbortedException("this JVM does not count allocated bytes per thread");
        }
        assertTrue(row.bytesPerToken() <= LlmBench.SETTLED_BYTES_PER_TOKEN,
                "the timed run allocated " + row.bytesPerToken() + " B a token after " + calls[0] + " calls");
        assertTrue(calls[0] >= allocating + 2 && calls[0] <= LlmBench.MAX_WARMUP + 1,
                "warm-up past the allocating runs, then one timed run: " + calls[0] + " calls");
    }
}
