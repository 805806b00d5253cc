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
 * C = A·op(B) at 2048³, the prefill of a 2048-wide model's projection over 2048 tokens; both B layouts. Vector
 * only: the scalar specification takes tens of seconds per call (its pair is {@link GemmBench}). Other GEMM
 * micro-kernels: {@code -p impl=vector-prebroadcast6,vector-broadcast6,vector-broadcast12} (see GemmMicro).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dminnow.quiet=true"})
public class GemmSquareBench extends GemmOperands {
    @Param({"vector"})
    public String impl;

    @Param({"2048x2048x2048"})
    public String shape;

    @Param({"true", "false"})
    public boolean bTransposed;

    /** Pool threads to use (capped at the pool size). */
    @Param({"1"})
    public int threads;

    @Override String impl() { return impl; }

    @Override String shape() { return shape; }

    @Override boolean bTransposed() { return bTransposed; }

    @Override int threads() { return threads; }
}
