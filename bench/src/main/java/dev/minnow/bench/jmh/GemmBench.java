package dev.minnow.bench.jmh;

import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * C = A·Bᵀ at the pointwise-convolution shapes M × N × K = pixels × out-channels × in-channels (weights [out, in],
 * so B is transposed), scalar specification vs Vector API. The square 2048³ case is {@link GemmSquareBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dminnow.quiet=true"})
public class GemmBench {
    @Param({"scalar", "vector"})
    public String impl;

    @Param({"12544x16x32", "3136x24x144"})
    public String shape;

    /** Pool threads to use (capped at the pool size). */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Kernels kernels;
    private int m;
    private int n;
    private int k;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private int previousThreads;

    @Setup
    public void setUp() {
        kernels = Operands.kernels(impl);
        int[] d = Operands.dims(shape);
        m = d[0];
        n = d[1];
        k = d[2];
        arena = Arena.ofShared();
        a = Operands.random(arena, (long) m * k, 1);
        b = Operands.random(arena, (long) n * k, 2);
        c = arena.allocate(4L * m * n, 64);
        previousThreads = Parallel.setActiveThreads(Math.min(threads, Parallel.poolSize()));
    }

    @TearDown
    public void tearDown() {
        Parallel.setActiveThreads(previousThreads);
        arena.close();
    }

    @Benchmark
    public MemorySegment gemm() {
        kernels.gemm(m, n, k, a, 0, k, b, 0, k, true, c, 0, n, false);
        return c;
    }
}
