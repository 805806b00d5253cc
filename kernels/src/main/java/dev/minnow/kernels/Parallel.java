package dev.minnow.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool of Minnow: {@code minnow.threads} threads (default: available processors), the caller
 * being one of them. {@link #forRange} splits {@code [0, n)} into chunks that workers claim from a shared
 * counter, so uneven chunks balance. Calls from inside a running task execute inline (no nested parallelism).
 * Allocation-free per call apart from the chunk lambda the caller supplies.
 */
public final class Parallel {

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = configuredThreads();
    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    private static final Object LOCK = new Object();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    // state of the job in flight (guarded by LOCK for submission; workers read volatile fields)
    private static volatile RangeBody body;
    private static volatile int total;
    private static volatile int chunk;
    private static final AtomicInteger next = new AtomicInteger();
    private static final AtomicInteger pending = new AtomicInteger();
    private static volatile int generation;
    private static volatile Throwable failure;

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    private Parallel() {}

    /**
     * True when the pool's workers may touch all of {@code segments} (global, automatic and shared arenas; not
     * confined ones). Kernels run single-threaded on memory that only the caller may access.
     */
    public static boolean shareable(java.lang.foreign.MemorySegment... segments) {
        if (WORKERS.length == 0) {
            return true;
        }
        for (java.lang.foreign.MemorySegment s : segments) {
            if (!s.isAccessibleBy(WORKERS[0])) {
                return false;
            }
        }
        return true;
    }

    /** Threads used by kernels (the caller included). */
    public static int threads() { return THREADS; }

    private static int configuredThreads() {
        int def = Runtime.getRuntime().availableProcessors();
        String p = System.getProperty("minnow.threads");
        if (p == null || p.isBlank()) {
            return Math.max(1, def);
        }
        try {
            int t = Integer.parseInt(p.trim());
            if (t < 1 || t > 1024) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("minnow.threads must be an integer in 1..1024, got '" + p + "'");
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} items, on all threads. Runs inline
     * when n is small, when there is one thread, or when already inside a parallel loop.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (THREADS == 1 || n <= g || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        // about 4 chunks per thread for balance, never below the grain
        int c = Math.max(g, (n + THREADS * 4 - 1) / (THREADS * 4));
        synchronized (LOCK) {
            Parallel.body = body;
            Parallel.total = n;
            Parallel.chunk = c;
            Parallel.failure = null;
            next.set(0);
            pending.set(WORKERS.length);
            generation++;
            for (Worker w : WORKERS) {
                LockSupport.unpark(w);
            }
            INSIDE.set(Boolean.TRUE);
            try {
                drain();
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            // wait for the workers to finish their chunks
            int spins = 0;
            while (pending.get() != 0) {
                if (++spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(10_000);
                }
            }
            Parallel.body = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(f);
            }
        }
    }

    private static void drain() {
        RangeBody b = body;
        int n = total;
        int c = chunk;
        while (true) {
            int start = next.getAndAdd(c);
            if (start >= n) {
                return;
            }
            try {
                b.run(start, Math.min(n, start + c));
            } catch (Throwable t) {
                failure = t;
                next.set(n);
                return;
            }
        }
    }

    private static final class Worker extends Thread {
        private int seen;

        Worker(int id) {
            super("minnow-worker-" + id);
            setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE.set(Boolean.TRUE);
            while (true) {
                int spins = 0;
                while (generation == seen) {
                    if (++spins < 50_000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = generation;
                drain();
                pending.decrementAndGet();
            }
        }
    }
}
