package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linear against a double-precision reference: up to 4 rows run as GEMV rows, more as one GEMM; both must agree
 * with y = x·Wᵀ + b within 2·in·u·Σ|terms| per output (any summation order), with and without bias.
 */
class LinearTest {
    @ParameterizedTest(name = "rows={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7})
    void matchesReference(int rows) {
        for (boolean withBias : new boolean[] {false, true}) {
            String name = "linear/" + rows + "/" + withBias;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int in = 1 + r.nextInt(300), out = 1 + r.nextInt(200);
            float[] w = Gen.floats(r, out * in), x = Gen.floats(r, rows * in), b = Gen.floats(r, out);
            Linear lin = new Linear(Tensor.of(w, out, in), withBias ? Tensor.of(b, out) : null);
            float[] y = lin.forward(Tensor.of(x, rows, in)).toFloatArray();
            assertEquals(rows * out, y.length, name);
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < out; o++) {
                    double want = withBias ? b[o] : 0, abs = withBias ? Math.abs(b[o]) : 0;
                    for (int c = 0; c < in; c++) {
                        want += (double) w[o * in + c] * x[i * in + c];
                        abs += Math.abs((double) w[o * in + c] * x[i * in + c]);
                    }
                    double got = y[i * out + o];
                    assertTrue(Math.abs(got - want) <= 2 * (in + 1) * 0x1p-24 * abs + 1e-30,
                            name + " at (" + i + "," + o + ") seed=" + seed + ": " + got + " vs " + want);
                }
            }
        }
    }
}
