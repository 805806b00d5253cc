package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool of Minnow: {@code minnow.threads} threads (default: available processors), the caller
 * being one of them. {@link #forRange} splits {@code [0, n)} into chunks that workers claim from a shared
 * counter, so uneven chunks balance. Calls from inside a running task execute inline (no nested parallelism).
 * Allocation-free per call apart from the chunk lambda the caller supplies.
 *
 * <p>{@link #setActiveThreads} caps how many of the pool's threads a loop uses (benchmarks run 1 and 2 threads
 * in one process); idle workers are not woken.
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
    /**
     * Workers inside the job in flight, plus {@link #CLOSED} once the submitter has finished its own share: a worker
     * joins only while the job is open, and the submitter waits only for workers that joined. So a worker that the
     * OS has not scheduled yet never delays a small job (measured: 2 ms per empty job on a loaded 2-core machine
     * when the submitter waited for every woken worker).
     */
    private static final AtomicInteger inside = new AtomicInteger(1 << 30);
    private static final int CLOSED = 1 << 30;
    private static int generation;
    private static volatile Throwable failure;
    private static volatile int active = THREADS;

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
    public static boolean shareable(MemorySegment... segments) {
        if (WORKERS.length == 0) {
            return true;
        }
        for (MemorySegment s : segments) {
            if (!s.isAccessibleBy(WORKERS[0])) {
                return false;
            }
        }
        return true;
    }

    /** Threads a parallel loop uses now (the caller included): the pool size unless capped by {@link #setActiveThreads}. */
    public static int threads() { return active; }

    /** Size of the pool, the caller included ({@code minnow.threads}, default: available processors). */
    public static int poolSize() { return THREADS; }

    /**
     * Caps the threads parallel loops use to {@code n} (1 ≤ n ≤ {@link #poolSize()}); returns the previous cap.
     * Process-wide: meant for benchmarks and tests, not to be changed while other threads run kernels.
     */
    public static int setActiveThreads(int n) {
        if (n < 1 || n > THREADS) {
            throw new IllegalArgumentException("active threads must be in 1.." + THREADS + ", got " + n);
        }
        synchronized (LOCK) {
            int previous = active;
            active = n;
            return previous;
        }
    }

    /** Runs {@code action} with parallel loops capped at {@code n} threads, then restores the previous cap. */
    public static void withThreads(int n, Runnable action) {
        int previous = setActiveThreads(n);
        try {
            action.run();
        } finally {
            setActiveThreads(previous);
        }
    }

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
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} items, on the active threads. Runs
     * inline when n ≤ grain, when one thread is active, or when already inside a parallel loop.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int t = active;
        if (t == 1 || n <= g || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        // about 4 chunks per thread for balance, never below the grain
        int c = Math.max(g, (n + t * 4 - 1) / (t * 4));
        forChunks(n, c, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of exactly {@code chunk} items (the last one shorter), claimed
     * dynamically by the active threads; for kernels that choose their own task size. Inline as {@link #forRange}.
     */
    public static void forChunks(int n, int chunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int c = Math.max(1, chunk);
        int t = Math.min(active, (n + c - 1) / c);
        if (t <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        synchronized (LOCK) {
            t = Math.min(active, (n + c - 1) / c);
            Parallel.body = body;
            Parallel.total = n;
            Parallel.chunk = c;
            Parallel.failure = null;
            next.set(0);
            inside.set(0); // open: after the job's fields, so a worker that joins sees them
            int gen = ++generation;
            for (int i = 0; i < t - 1; i++) {
                WORKERS[i].ticket = gen;
                LockSupport.unpark(WORKERS[i]);
            }
            INSIDE.set(Boolean.TRUE);
            try {
                drain();
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            // close the job, then wait for the workers that joined it to finish their chunks
            inside.addAndGet(CLOSED);
            int spins = 0;
            while (inside.get() != CLOSED) {
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

    /** Enters the job in flight if it is still open. */
    private static boolean enterJob() {
        while (true) {
            int v = inside.get();
            if (v >= CLOSED) {
                return false;
            }
            if (inside.compareAndSet(v, v + 1)) {
                return true;
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
        /** Generation of the job this worker was asked to join; written by the submitter before unpark. */
        volatile int ticket;
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
                while (ticket == seen) {
                    if (++spins < 50_000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = ticket;
                if (enterJob()) {
                    try {
                        drain();
                    } finally {
                        inside.decrementAndGet();
                    }
                }
            }
        }
    }
}
