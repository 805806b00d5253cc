package dev.minnow.quant.bench;

import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.kernels.vector.VectorQuantKernels;
import dev.minnow.quant.GgmlQuant;
import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * GEMV bandwidth: GB/s of weight bytes streamed by {@link QuantKernels#gemv} (not a unit test; a plain main so it
 * can run with a chosen {@code -Dminnow.threads}). Usage: {@code QuantGemvBench [scalar|vector] [seconds-per-case] [Q8_0,Q4_0,...]}.
 */
public final class QuantGemvBench {
    public static void main(String[] args) {
        String impl = args.length > 0 ? args[0] : "vector";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        QuantKernels k = impl.equals("scalar") ? ScalarQuantKernels.INSTANCE
                : new VectorQuantKernels(true);
        int[][] shapes = {{2048, 5632}, {5632, 2048}, {32000, 2048}};
        DType[] types = args.length > 2
                ? java.util.Arrays.stream(args[2].split(",")).map(DType::valueOf).toArray(DType[]::new)
                : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K};
        System.out.printf("%s, %d thread(s)%n", k.name(), Parallel.threads());
        System.out.printf("%-6s %-12s %10s %10s %8s%n", "type", "rows x cols", "MB", "best ms", "GB/s");
        SplittableRandom r = new SplittableRandom(1);
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            float[] row = new float[cols];
            for (DType t : types) {
                try (Arena arena = Arena.ofShared()) {
                    long rowBytes = GgmlQuant.rowBytes(t, cols);
                    MemorySegment w = arena.allocate(rowBytes * rows, 64);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < cols; j++) {
                            row[j] = (float) r.nextGaussian();
                        }
                        GgmlQuant.quantizeRow(t, row, 0, w, rowBytes * i, cols);
                    }
                    MemorySegment x = arena.allocate(4L * cols, 64);
                    for (int j = 0; j < cols; j++) {
                        x.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, j, (float) r.nextGaussian());
                    }
                    MemorySegment y = arena.allocate(4L * rows, 64);
                    long end = System.nanoTime() + (long) (seconds * 0.5e9);
                    while (System.nanoTime() < end) {
                        k.gemv(t, rows, cols, w, 0, x, 0, y, 0);
                    }
                    // best of many single calls: robust against other processes sharing the cores
                    long best = Long.MAX_VALUE;
                    end = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        k.gemv(t, rows, cols, w, 0, x, 0, y, 0);
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                    double ms = best / 1e6;
                    double mb = w.byteSize() / 1e6;
                    System.out.printf("%-6s %-12s %10.1f %10.3f %8.2f%n", t, rows + "x" + cols, mb, ms, mb / ms);
                }
            }
        }
    }
}
