package dev.minnow.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.testing.Gen;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorMath}: exp against {@code Math.exp} over every 4096th float of its whole range (and the special values),
 * and the folds against the pairwise tree they promise, at 64 to 512 bits.
 */
class VectorMathTest {
    static VectorSpecies<Float> species(int bits) {
        return VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(bits));
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void expIsWithinOneUlpOfTheExactValue(int bits) {
        VectorSpecies<Float> s = species(bits);
        int lanes = s.length();
        float[] x = new float[lanes], y = new float[lanes];
        double worst = 0;
        float worstAt = 0;
        long checked = 0;
        // every 4096th float bit pattern from -110 to 95, plus the values around the cut-offs
        int[] ranges = {Float.floatToRawIntBits(0f), Float.floatToRawIntBits(95f), Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(-110f)};
        for (int part = 0; part < 2; part++) {
            for (int bitsOf = ranges[2 * part]; bitsOf <= ranges[2 * part + 1]; ) {
                int m = 0;
                for (; m < lanes && bitsOf <= ranges[2 * part + 1]; m++, bitsOf += 4096) {
                    x[m] = Float.intBitsToFloat(bitsOf);
                }
                VectorMath.exp(FloatVector.fromArray(s, x, 0)).intoArray(y, 0);
                for (int i = 0; i < m; i++) {
                    double want = Math.exp(x[i]);
                    float wantF = (float) want;
                    double err;
                    if (Math.abs(wantF) < Float.MIN_NORMAL) {
                        err = Math.abs(y[i] - want) / Float.MIN_VALUE; // subnormal or zero: in units of 2^-149
                    } else if (Float.isInfinite(wantF)) {
                        err = Float.isInfinite(y[i]) ? 0 : Math.abs(y[i] - want) / Math.ulp(Float.MAX_VALUE);
                    } else {
                        err = Math.abs(y[i] - want) / Math.ulp(wantF);
                    }
                    if (err > worst) {
                        worst = err;
                        worstAt = x[i];
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked > 500_000, "checked " + checked);
        System.out.println("exp at " + bits + " bits: worst " + worst + " ulp at x=" + worstAt + " over " + checked + " values");
        assertTrue(worst <= 1.0, "exp at " + bits + " bits: worst error " + worst + " ulp at x=" + worstAt);
        float[] special = new float[lanes];
        float[] want = {Float.NaN, Float.POSITIVE_INFINITY, 0f, 1f, Float.POSITIVE_INFINITY, 0f, (float) Math.exp(88.72f), (float) Math.E};
        float[] in = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 88.73f, -103.98f, 88.72f, 1f};
        for (int i = 0; i < in.length; i += lanes) {
            int m = Math.min(lanes, in.length - i);
            System.arraycopy(in, i, special, 0, m);
            VectorMath.exp(FloatVector.fromArray(s, special, 0)).intoArray(y, 0);
            for (int j = 0; j < m; j++) {
                float w = want[i + j];
                assertTrue(Float.isNaN(w) ? Float.isNaN(y[j]) : y[j] == w || Math.abs(y[j] - w) <= Math.ulp(w),
                        "exp(" + in[i + j] + ") = " + y[j] + ", want " + w + " at " + bits + " bits");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 128, 256, 512})
    void foldsLeaveThePairwiseTreeSumInLaneZero(int bits) {
        VectorSpecies<Float> s = species(bits);
        int lanes = s.length();
        java.util.SplittableRandom r = new java.util.SplittableRandom(Gen.seed("folds" + bits));
        for (int t = 0; t < 200; t++) {
            float[] l = new float[lanes];
            for (int i = 0; i < lanes; i++) {
                l[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), r.nextInt(-20, 20)));
            }
            FloatVector v = FloatVector.fromArray(s, l, 0);
            for (VectorShuffle<Float> f : VectorMath.folds(s)) {
                v = v.add(v.rearrange(f));
            }
            assertEquals(tree(l), v.lane(0), "lanes " + java.util.Arrays.toString(l));
        }
    }

    /** Lane 0 after the folds, in scalar code: step w adds lane j ^ w to lane j, for w = n/2 … 1. */
    private static float tree(float[] l) {
        int n = l.length;
        float[] v = l.clone();
        for (int w = n / 2; w > 0; w /= 2) {
            float[] next = new float[n];
            for (int j = 0; j < n; j++) {
                next[j] = v[j] + v[j ^ w];
            }
            v = next;
        }
        return v[0];
    }

    /**
     * The vector softmax's exponentials are {@link VectorMath#exp}'s bits: softmax writes exp's operations out in its
     * own loop (a call that passes a vector boxed it when C2 did not inline exp), so this pins that copy to the original,
     * bit for bit, with the kernel's summation order (lane-wise in order, the folds, then the tail) and its scaling.
     */
    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void softmaxExponentialsAreVectorMathExpBits(int bits) {
        VectorSpecies<Float> s = species(bits);
        int lanes = s.length();
        VectorShuffle<Float>[] folds = VectorMath.folds(s);
        var k = new VectorKernels(bits, false);
        for (int n : new int[] {0, 1, lanes - 1, lanes, lanes + 1, 7 * lanes + 3, 257, 1000}) {
            String ctx = "softmax-exact-" + bits + "-" + n;
            long seed = Gen.seed(ctx);
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() * 60 - 40);
            }
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var seg = arena.allocate(4L * Math.max(n, 1), 64);
                java.lang.foreign.MemorySegment.copy(x, 0, seg, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, n);
                k.softmax(n, seg, 0);
                float max = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                float[] e = new float[n];
                FloatVector sum = FloatVector.zero(s);
                int i = 0;
                for (; i + lanes <= n; i += lanes) {
                    FloatVector v = VectorMath.exp(FloatVector.fromArray(s, x, i).sub(max));
                    v.intoArray(e, i);
                    sum = sum.add(v);
                }
                for (VectorShuffle<Float> f : folds) {
                    sum = sum.add(sum.rearrange(f));
                }
                float total = sum.lane(0);
                for (; i < n; i++) {
                    e[i] = (float) Math.exp(x[i] - max);
                    total += e[i];
                }
                float inv = 1f / total;
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(e[j] * inv),
                            Float.floatToRawIntBits(seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, j)),
                            ctx + " seed " + seed + " at " + j);
                }
            }
        }
    }
}
