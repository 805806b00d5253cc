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
 * y = W·x with W rows × cols (the decode step of a linear layer): scalar specification vs Vector API. Shapes: a
 * 2048-wide model's attention projection, its feed-forward up/down (5632) and a 32000-token vocabulary head.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dminnow.quiet=true"})
public class GemvBench {
    @Param({"scalar", "vector"})
    public String impl;

    @Param({"2048x2048", "5632x2048", "2048x5632", "32000x2048"})
    public String shape;

    /** Pool threads to use (capped at the pool size). */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Kernels kernels;
    private int rows;
    private int cols;
    private MemorySegment w;
    private MemorySegment x;
    private MemorySegment y;
    private int previousThreads;

    @Setup
    public void setUp() {
        kernels = Operands.kernels(impl);
        int[] d = Operands.dims(shape);
        rows = d[0];
        cols = d[1];
        arena = Arena.ofShared();
        w = Operands.random(arena, (long) rows * cols, 1);
        x = Operands.random(arena, cols, 2);
        y = arena.allocate(4L * rows, 64);
        previousThreads = Parallel.setActiveThreads(Math.min(threads, Parallel.poolSize()));
    }

    @TearDown
    public void tearDown() {
        Parallel.setActiveThreads(previousThreads);
        arena.close();
    }

    @Benchmark
    public MemorySegment gemv() {
        kernels.gemv(rows, cols, w, 0, x, 0, y, 0);
        return y;
    }
}
