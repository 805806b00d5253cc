package dev.minnow.models.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.testing.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX Concat on F32 tensors along every axis of a 4-D shape (and a negative axis) against index arithmetic. */
class ConcatTest {
    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2, 3, -1, -3})
    void f32AlongEachAxisMatchesIndexArithmetic(int axis) {
        long seed = Gen.seed("onnx-concat-f32/" + axis);
        SplittableRandom r = new SplittableRandom(seed);
        int ax = axis < 0 ? axis + 4 : axis;
        long[] base = {2, 3, 4, 5};
        int[] sizes = {1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(3)};
        Tensor[] ts = new Tensor[sizes.length];
        float[][] vs = new float[sizes.length][];
        long total = 0;
        for (int i = 0; i < ts.length; i++) {
            long[] s = base.clone();
            s[ax] = sizes[i];
            total += sizes[i];
            vs[i] = Gen.floats(r, (int) (s[0] * s[1] * s[2] * s[3]));
            ts[i] = Tensor.of(vs[i], s);
        }
        long[] shape = base.clone();
        shape[ax] = total;
        float[] want = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
        int[] idx = new int[4];
        for (int e = 0; e < want.length; e++) {
            int rem = e;
            for (int d = 3; d >= 0; d--) {
                idx[d] = rem % (int) shape[d];
                rem /= (int) shape[d];
            }
            int part = 0, along = idx[ax];
            while (along >= sizes[part]) {
                along -= sizes[part++];
            }
            long[] s = base.clone();
            s[ax] = sizes[part];
            int[] j = idx.clone();
            j[ax] = along;
            want[e] = vs[part][(int) (((j[0] * s[1] + j[1]) * s[2] + j[2]) * s[3] + j[3])];
        }
        Tensor got = Elementwise.concat(axis, ts);
        assertArrayEquals(shape, got.shape(), "seed=" + seed);
        assertArrayEquals(want, got.toFloatArray(), "seed=" + seed);
    }
}
