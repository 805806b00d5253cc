package dev.minnow.bench.jmh;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.vector.GemmMicro;
import dev.minnow.kernels.vector.VectorKernels;
import dev.minnow.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Shared set-up for the benchmarks: the implementation by name and seeded operands in a shared arena. */
final class Operands {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Operands() {}

    /** "scalar" (the specification) or "vector" (the Vector API kernels at the platform's preferred width). */
    static Kernels kernels(String impl) {
        return switch (impl) {
            case "scalar" -> KernelProvider.scalar();
            case "vector" -> KernelProvider.vector(KernelProvider.preferredVectorBits());
            // vector-<micro>: the GEMM with that micro-kernel (GemmMicro), e.g. -p impl=vector-broadcast12
            default -> {
                if (!impl.startsWith("vector-")) {
                    throw new IllegalArgumentException("impl must be scalar, vector or vector-<gemm micro-kernel>, got " + impl);
                }
                GemmMicro micro = GemmMicro.valueOf(impl.substring(7).toUpperCase(java.util.Locale.ROOT));
                yield new VectorKernels(KernelProvider.preferredVectorBits(), KernelProvider.cpuHasFma(), micro);
            }
        };
    }

    /** {@code n} floats uniform in [-1, 1) from a fixed seed, 64-byte aligned. */
    static MemorySegment random(Arena arena, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        MemorySegment s = arena.allocate(4 * Math.max(1, n), 64);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(F32, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    /** "AxBxC" → {A, B, C}. */
    static int[] dims(String shape) {
        String[] p = shape.split("x");
        int[] d = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Integer.parseInt(p[i]);
        }
        return d;
    }
}
