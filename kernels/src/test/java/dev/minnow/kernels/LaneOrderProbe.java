package dev.minnow.kernels;

import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Prints the bits of the f32 results of the kernels {@link KernelProvider} chooses, on fixed inputs whose partial
 * sums cancel (so any change in the order of a float sum shows), each computed {@code reps} times first.
 * {@link LaneOrderTest} runs it once interpreted and once with C2 compiling synchronously, and compares the two.
 */
public final class LaneOrderProbe {
    private static final ValueLayout.OfFloat F32 = VectorQuantKernelsPropertyTest.F32;
    private static final ValueLayout.OfShort S16 = VectorQuantKernelsPropertyTest.S16;
    private static final long SEED = 0x51ab_1e0dL;

    private LaneOrderProbe() {}

    public static void main(String[] args) {
        int reps = Integer.parseInt(args[0]);
        Arena arena = Arena.ofAuto();
        SplittableRandom r = new SplittableRandom(SEED);
        Kernels k = KernelProvider.get();
        QuantKernels q = KernelProvider.quant();
        SparseKernels sp = KernelProvider.sparse();
        int n = 256, rows = 3;
        MemorySegment a = spread(arena, n * rows, r), b = spread(arena, n, r), m = arena.allocate(4L * n, 64);
        for (int i = 0; i < n; i++) {
            m.setAtIndex(F32, i, (float) (r.nextDouble() * 16 - 8));
        }
        MemorySegment h = arena.allocate(2L * n * rows);
        for (int i = 0; i < n * rows; i++) {
            h.setAtIndex(S16, i, Float.floatToFloat16(a.getAtIndex(F32, i)));
        }
        MemorySegment y = arena.allocate(4L * n), ones = arena.allocate(4L * n);
        ones.fill((byte) 0);
        for (int i = 0; i < n; i++) {
            ones.setAtIndex(F32, i, 1f);
        }
        List<String> out = new ArrayList<>();
        out.add("kernels " + k.name() + " " + q.name() + " " + sp.name());
        print(out, "dot", reps, () -> new float[] {k.dot(a, 0, b, 0, n)});
        print(out, "sum", reps, () -> new float[] {k.sum(a, 0, n)});
        print(out, "gemv", reps, () -> { k.gemv(rows, n, a, 0, b, 0, y, 0); return floats(y, rows); });
        print(out, "gemvF16", reps, () -> { k.gemvF16(rows, n, h, 0, b, 0, y, 0); return floats(y, rows); });
        print(out, "rmsNorm", reps, () -> { k.rmsNorm(n, a, 0, ones, 0, 1e-5f, y, 0); return floats(y, 8); });
        print(out, "layerNorm", reps, () -> { k.layerNorm(n, a, 0, null, 0, null, 0, 1e-5f, y, 0); return floats(y, 8); });
        print(out, "softmax", reps, () -> { MemorySegment.copy(m, 0, y, 0, 4L * n); k.softmax(n, y, 0); return floats(y, n); });
        for (Activation act : Activation.values()) {
            print(out, "activate " + act, reps, () -> { MemorySegment.copy(m, 0, y, 0, 4L * n); k.activate(act, n, y, 0); return floats(y, n); });
        }
        print(out, "dotF16", reps, () -> new float[] {sp.dotF16(n, h, 0, b, 0)});
        for (DType t : VectorQuantKernelsPropertyTest.WEIGHTS) {
            int nb = n / t.blockSize();
            MemorySegment w = VectorQuantKernelsPropertyTest.blocks(arena, t, nb * rows, r, false, 0);
            MemorySegment act = VectorQuantKernelsPropertyTest.activations(arena, QuantKernels.activationType(t), nb, r, false);
            print(out, "dot " + t, reps, () -> new float[] {q.dot(t, n, w, 0, act, 0)});
            print(out, "dotF32 " + t, reps, () -> new float[] {q.dotF32(t, n, w, 0, b, 0)});
            print(out, "gemv " + t, reps, () -> { q.gemv(t, rows, n, w, 0, b, 0, y, 0); return floats(y, rows); });
            print(out, "gemvRows " + t, reps, () -> { sp.gemvRows(t, 2, new int[] {2, 0}, n, w, 0, b, 0, y, 0); return floats(y, 2); });
        }
        out.forEach(System.out::println);
    }

    /** Values of both signs over six decades, so that partial sums cancel and the order of a sum shows. */
    private static MemorySegment spread(Arena arena, int n, SplittableRandom r) {
        MemorySegment s = arena.allocate(4L * n, 64);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(F32, i, (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), r.nextInt(-10, 10))));
        }
        return s;
    }

    private static float[] floats(MemorySegment y, int count) {
        float[] f = new float[count];
        MemorySegment.copy(y, F32, 0, f, 0, count);
        return f;
    }

    private static void print(List<String> out, String name, int reps, Supplier<float[]> kernel) {
        float[] v = null;
        for (int i = 0; i < reps; i++) {
            v = kernel.get();
        }
        StringBuilder line = new StringBuilder(name);
        for (float f : v) {
            line.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(f)));
        }
        out.add(line.toString());
    }
}
