package dev.minnow.bench.jmh;

import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Shared state and benchmark body of the GEMM benchmarks: C = A·op(B) for a shape "M x N x K". Subclasses declare
 * the JMH parameters ({@code impl}, {@code shape}, the B layout, {@code threads}); JMH runs the inherited
 * {@link #gemm()} for each concrete subclass.
 */
abstract class GemmOperands {
    private Arena arena;
    private Kernels kernels;
    private int m;
    private int n;
    private int k;
    private boolean bT;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private int previousThreads;

    abstract String impl();

    abstract String shape();

    abstract boolean bTransposed();

    abstract int threads();

    @Setup
    public void setUp() {
        kernels = Operands.kernels(impl());
        int[] d = Operands.dims(shape());
        m = d[0];
        n = d[1];
        k = d[2];
        bT = bTransposed();
        arena = Arena.ofShared();
        a = Operands.random(arena, (long) m * k, 1);
        b = Operands.random(arena, (long) n * k, 2);
        c = arena.allocate(4L * m * n, 64);
        previousThreads = Parallel.setActiveThreads(Math.min(threads(), Parallel.poolSize()));
    }

    @TearDown
    public void tearDown() {
        Parallel.setActiveThreads(previousThreads);
        arena.close();
    }

    @Benchmark
    public MemorySegment gemm() {
        kernels.gemm(m, n, k, a, 0, k, b, 0, bT ? k : n, bT, c, 0, n, false);
        return c;
    }
}
