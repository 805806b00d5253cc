package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The pool: coverage of every index, the thread cap, failures, nesting. The kernels' pom runs tests with 2 threads. */
class ParallelTest {

    @Test
    void poolHasWorkersInTests() {
        assertTrue(Parallel.poolSize() >= 2, "kernels tests run with -Dminnow.threads=2 (see kernels/pom.xml)");
        assertEquals(Parallel.poolSize(), Parallel.threads());
    }

    @Test
    void everyIndexExactlyOnce() {
        for (int n : new int[] {1, 2, 7, 100, 1001}) {
            for (int grain : new int[] {1, 3, 64}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, grain, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "forRange n=" + n + " grain=" + grain + " index " + i);
                }
                AtomicIntegerArray chunkHits = new AtomicIntegerArray(n);
                Parallel.forChunks(n, grain, (from, to) -> {
                    assertTrue(to - from <= grain, "chunk longer than asked");
                    for (int i = from; i < to; i++) {
                        chunkHits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, chunkHits.get(i), "forChunks n=" + n + " chunk=" + grain + " index " + i);
                }
            }
        }
    }

    @Test
    void twoThreadsRunConcurrently() {
        CyclicBarrier both = new CyclicBarrier(2);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.withThreads(2, () -> Parallel.forChunks(2, 1, (from, to) -> {
            seen.add(Thread.currentThread());
            try {
                both.await(30, TimeUnit.SECONDS); // only passes when a second thread runs the other chunk
            } catch (Exception e) {
                throw new IllegalStateException("second pool thread never arrived", e);
            }
        }));
        assertEquals(2, seen.size());
    }

    @Test
    void capOfOneRunsOnTheCaller() {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.withThreads(1, () -> {
            assertEquals(1, Parallel.threads());
            Parallel.forRange(10_000, 1, (from, to) -> seen.add(Thread.currentThread()));
            Parallel.forChunks(64, 1, (from, to) -> seen.add(Thread.currentThread()));
        });
        assertEquals(Set.of(Thread.currentThread()), seen);
        assertEquals(Parallel.poolSize(), Parallel.threads(), "cap restored");
    }

    @Test
    void setActiveThreadsValidatesAndReturnsPrevious() {
        int before = Parallel.threads();
        assertEquals(before, Parallel.setActiveThreads(1));
        assertEquals(1, Parallel.setActiveThreads(before));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setActiveThreads(0));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setActiveThreads(Parallel.poolSize() + 1));
        assertEquals(before, Parallel.threads());
    }

    @Test
    void failureReachesTheCallerAndThePoolSurvives() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forChunks(100, 1, (from, to) -> {
            if (from == 57) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        Parallel.forChunks(100, 1, (from, to) -> hits.incrementAndGet(from));
        for (int i = 0; i < 100; i++) {
            assertEquals(1, hits.get(i), "after a failure, index " + i);
        }
    }

    @Test
    void nestedLoopsRunInline() {
        AtomicIntegerArray hits = new AtomicIntegerArray(40 * 30);
        Parallel.forChunks(40, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                Parallel.forRange(30, 1, (f2, t2) -> {
                    for (int j = f2; j < t2; j++) {
                        hits.incrementAndGet(row * 30 + j);
                    }
                });
            }
        });
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i), "nested index " + i);
        }
    }
}
