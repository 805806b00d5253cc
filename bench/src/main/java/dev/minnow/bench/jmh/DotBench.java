package dev.minnow.bench.jmh;

import dev.minnow.kernels.Kernels;
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

/** Σ a·b over {@code n} L1-resident floats: scalar specification vs Vector API. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dminnow.quiet=true"})
public class DotBench {
    @Param({"scalar", "vector"})
    public String impl;

    @Param({"4096"})
    public int n;

    private Arena arena;
    private Kernels kernels;
    private MemorySegment a;
    private MemorySegment b;

    @Setup
    public void setUp() {
        kernels = Operands.kernels(impl);
        arena = Arena.ofShared();
        a = Operands.random(arena, n, 1);
        b = Operands.random(arena, n, 2);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float dot() {
        return kernels.dot(a, 0, b, 0, n);
    }
}
