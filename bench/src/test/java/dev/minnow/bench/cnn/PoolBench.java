package dev.minnow.bench.cnn;

import dev.minnow.nn.Pool2d;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Max pooling alone, best of 500 calls per round (input and output stay in cache between calls). Program, not a test:
 * {@code PoolBench CHANNELS SIZE PADDING ceil|floor} pools a 1×CHANNELS×SIZE×SIZE tensor with 3×3 windows at stride 2,
 * e.g. {@code 64 111 0 ceil} (SqueezeNet 1.1's first pool) or {@code 64 112 1 floor} (ResNet18's).
 */
public final class PoolBench {
    private PoolBench() {}

    public static void main(String[] args) {
        int c = Integer.parseInt(args[0]), h = Integer.parseInt(args[1]);
        Pool2d pool = Pool2d.max(3, 2, Integer.parseInt(args[2]), args[3].equals("ceil"));
        float[] v = new float[c * h * h];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        Tensor x = Tensor.of(v, 1, c, h, h);
        double sink = 0;
        for (int round = 0; round < 5; round++) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 500; i++) {
                long t0 = System.nanoTime();
                Tensor y = pool.forward(x);
                best = Math.min(best, System.nanoTime() - t0);
                sink += y.segment().getAtIndex(Tensor.F32_LE, 0);
            }
            System.out.printf("%s over %d×%d² (round %d): best %.3f ms%n", pool, c, h, round, best / 1e6);
        }
        System.out.println(sink > 0 ? "" : " ");
    }
}
