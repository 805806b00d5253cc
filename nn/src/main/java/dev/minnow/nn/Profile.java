package dev.minnow.nn;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * Optional per-operator timer for CNN profiling: off unless the system property {@code minnow.profile} is
 * {@code true}, and then every {@link Conv2d}, pooling, squeeze-and-excitation, add and activation step adds its wall
 * time and multiply-accumulates under a kind label ("conv pw", "conv dw3 s1", …). Process-wide and not thread-safe
 * beyond the calling thread (the forward pass's thread records; parallel workers never do).
 */
public final class Profile {
    /** Whether timing is on ({@code -Dminnow.profile=true}). */
    public static final boolean ENABLED = Boolean.getBoolean("minnow.profile");
    /** Whether convolutions also record their channels and input size in the label ({@code -Dminnow.profile.shapes=true}). */
    public static final boolean SHAPES = Boolean.getBoolean("minnow.profile.shapes");

    /**
     * Whether steps are timed by the calling thread's CPU time instead of wall time ({@code -Dminnow.profile.cpu=true}):
     * on a shared machine, for one-thread runs (parallel workers' time is not counted), about 0.5 µs per step.
     */
    public static final boolean CPU = Boolean.getBoolean("minnow.profile.cpu");
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final Map<String, long[]> TOTALS = new TreeMap<>();

    private static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private Profile() {}

    /** Adds one call of {@code kind} that took {@code nanos} and did {@code macs} multiply-accumulates. */
    public static synchronized void add(String kind, long nanos, long macs) {
        long[] t = TOTALS.computeIfAbsent(kind, k -> new long[3]);
        t[0] += nanos;
        t[1] += macs;
        t[2]++;
    }

    private static int depth;

    /** Starts timing a step (0 when profiling is off); pair with {@link #end}. Nested steps count in the outer one only. */
    public static long begin() {
        if (!ENABLED) {
            return 0;
        }
        depth++;
        return now();
    }

    /** Ends the step {@link #begin} started. */
    public static void end(String kind, long t0, long macs) {
        if (!ENABLED) {
            return;
        }
        long dt = now() - t0;
        if (--depth == 0) {
            add(kind, dt, macs);
        }
    }

    /** A copy of what was recorded so far: per kind {nanos, macs, calls}, in kind order. */
    public static synchronized Map<String, long[]> snapshot() {
        Map<String, long[]> copy = new TreeMap<>();
        TOTALS.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** Forgets everything recorded so far (after a warm-up). */
    public static synchronized void reset() {
        TOTALS.clear();
    }

    /**
     * Prints one line per kind: time per pass, share, GFLOP/s (2 flops per MAC) and that as a percentage of
     * {@code peakGflops} (0: no percentage), for {@code passes} recorded forward passes.
     */
    public static synchronized void print(PrintStream out, int passes, double peakGflops) {
        long all = 0;
        for (long[] t : TOTALS.values()) {
            all += t[0];
        }
        out.printf("%-22s %6s %10s %6s %9s %7s%n", "kind", "calls", "ms/pass", "share", "GFLOP/s", "% peak");
        for (Map.Entry<String, long[]> e : TOTALS.entrySet()) {
            long[] t = e.getValue();
            double gf = t[1] == 0 ? 0 : 2.0 * t[1] / t[0];
            out.printf("%-22s %6d %10.3f %5.1f%% %9s %7s%n", e.getKey(), t[2] / Math.max(1, passes), t[0] / 1e6 / passes,
                    100.0 * t[0] / Math.max(1, all), t[1] == 0 ? "" : String.format("%.1f", gf),
                    t[1] == 0 || peakGflops <= 0 ? "" : String.format("%.0f%%", 100 * gf / peakGflops));
        }
        out.printf("%-22s %6s %10.3f%n", "total", "", all / 1e6 / passes);
    }
}
