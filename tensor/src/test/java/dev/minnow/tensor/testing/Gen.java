package dev.minnow.tensor.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Seeded generators for property tests. Every test derives its random state from {@link #seed(String)}, which
 * mixes the base seed (system property {@code minnow.seed}, default fixed) with the case name, and puts the seed
 * into its assertion messages so a failure can be replayed with {@code -Dminnow.seed=...}.
 */
public final class Gen {
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Awkward sizes: empty, one, around vector widths (4, 8, 16 lanes) and their multiples, larger odd ones. */
    public static final int[] SIZES = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 256, 257, 1000, 1023, 4099};

    private static final long BASE = Long.getLong("minnow.seed", 0x5EED_2026L);

    private Gen() {}

    /** Deterministic seed for one test case, printed in failure messages. */
    public static long seed(String caseName) {
        long h = BASE;
        for (int i = 0; i < caseName.length(); i++) {
            h = (h ^ caseName.charAt(i)) * 0x100000001B3L;
        }
        return h ^ (h >>> 29);
    }

    public static SplittableRandom random(String caseName) {
        return new SplittableRandom(seed(caseName));
    }

    public static IntStream sizes() {
        return Arrays.stream(SIZES);
    }

    /** SIZES plus {@code extra} random sizes in [1, max) from a fixed seed. */
    public static IntStream sizesWithRandom(int extra, int max) {
        SplittableRandom r = new SplittableRandom(BASE ^ 0xABCDL);
        return IntStream.concat(sizes(), IntStream.generate(() -> 1 + r.nextInt(max - 1)).limit(extra));
    }

    /** Uniform floats in [-1, 1). */
    public static float[] floats(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Floats in [lo, hi). */
    public static float[] floats(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return a;
    }

    /** A native segment holding {@code a}, 64-byte aligned, plus {@code pad} trailing guard floats set to NaN. */
    public static MemorySegment segment(Arena arena, float[] a) {
        MemorySegment s = arena.allocate(Math.max(1, a.length) * 4L, 64);
        MemorySegment.copy(a, 0, s, F32, 0, a.length);
        return s.asSlice(0, a.length * 4L);
    }

    public static float[] toArray(MemorySegment s, int n) {
        float[] a = new float[n];
        MemorySegment.copy(s, F32, 0, a, 0, n);
        return a;
    }

    public static LongStream longs(long... v) {
        return LongStream.of(v);
    }
}
