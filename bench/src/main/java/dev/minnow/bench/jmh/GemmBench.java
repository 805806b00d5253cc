package dev.minnow.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
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
public class GemmBench extends GemmOperands {
    @Param({"scalar", "vector"})
    public String impl;

    @Param({"12544x16x32", "3136x24x144"})
    public String shape;

    /** Pool threads to use (capped at the pool size). */
    @Param({"1"})
    public int threads;

    @Override String impl() { return impl; }

    @Override String shape() { return shape; }

    @Override boolean bTransposed() { return true; }

    @Override int threads() { return threads; }
}
