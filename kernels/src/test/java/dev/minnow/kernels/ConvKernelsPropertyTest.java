package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.vector.VectorConvKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector depthwise kernel against the scalar specification at 128/256/512 bits, with and without FMA, over
 * kernel sizes 1..7, strides 1..3 and awkward output widths. Without FMA the vector kernel adds in the same order,
 * so it must be bit-exact; with FMA each of the k² steps skips one product rounding: bound 2·k²·u·Σ|w·x| per output.
 */
class ConvKernelsPropertyTest {
    static final double U = 0x1p-24;
    static final ConvKernels SPEC = ConvKernels.scalar();

    static List<ConvKernels> implementations() {
        List<ConvKernels> ks = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            ks.add(new VectorConvKernels(bits, true));
            ks.add(new VectorConvKernels(bits, false));
        }
        ks.add(ConvKernels.get());
        return ks;
    }

    static Stream<Arguments> cases() {
        int[] widths = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 112, 257};
        List<Arguments> out = new ArrayList<>();
        for (ConvKernels k : implementations()) {
            for (int ks : new int[] {1, 3, 5, 7}) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int wo : widths) {
                        out.add(Arguments.of(k, ks, stride, wo));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} k={1} s={2} wo={3}")
    @MethodSource("cases")
    void depthwiseMatchesSpec(ConvKernels impl, int k, int stride, int wo) {
        String name = "depthwise/" + impl.name() + "/" + k + "/" + stride + "/" + wo;
        long seed = Gen.seed(name);
        SplittableRandom r = new SplittableRandom(seed);
        int ho = 1 + r.nextInt(5);
        int pw = wo + (k - 1) / stride + 1 + r.nextInt(3);      // enough columns per phase for every tap
        int hp = (ho - 1) * stride + k + r.nextInt(2);
        float[] in = Gen.floats(r, stride * hp * pw + 3);
        float[] w = Gen.floats(r, k * k + 1);
        float bias = (float) r.nextDouble(-1, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sin = Gen.segment(arena, in), sw = Gen.segment(arena, w);
            MemorySegment want = arena.allocate(ho * wo * 4L + 8), got = arena.allocate(ho * wo * 4L + 8);
            SPEC.depthwise(k, stride, sin, 3, hp, pw, sw, 1, bias, want, 1, ho, wo);
            impl.depthwise(k, stride, sin, 3, hp, pw, sw, 1, bias, got, 1, ho, wo);
            boolean exact = impl.name().endsWith("-nofma");
            long phase = (long) hp * pw;
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double abs = Math.abs(bias);
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            abs += Math.abs(w[1 + ky * k + kx] * in[(int) (3 + (kx % stride) * phase + (long) (oy * stride + ky) * pw + ox + kx / stride)]);
                        }
                    }
                    int i = 1 + oy * wo + ox;
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    String ctx = name + " at (" + oy + "," + ox + ") seed=" + seed;
                    if (exact) {
                        assertEquals(a, b, 0f, ctx);
                    } else {
                        assertTrue(Math.abs(a - b) <= 2 * k * k * U * abs + 1e-30, ctx + ": " + a + " vs " + b);
                    }
                }
            }
            assertEquals(0f, got.getAtIndex(Gen.F32, 0), "wrote before outOff");
            assertEquals(0f, got.getAtIndex(Gen.F32, 1 + ho * wo), "wrote past the output");
        }
    }

    /** The check above catches a kernel that drops the last tap. */
    @Test
    void catchesABrokenKernel() {
        ConvKernels broken = new ConvKernels() {
            @Override public String name() { return "broken-nofma"; }

            @Override
            public void depthwise(int k, int stride, MemorySegment in, long inOff, int hp, int pw, MemorySegment w, long wOff,
                                  float bias, MemorySegment out, long outOff, int ho, int wo) {
                SPEC.depthwise(k, stride, in, inOff, hp, pw, w, wOff, bias, out, outOff, ho, wo);
                out.setAtIndex(Gen.F32, outOff + ho * wo - 1, out.getAtIndex(Gen.F32, outOff + ho * wo - 1) + 1e-3f);
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> depthwiseMatchesSpec(broken, 3, 1, 17));
    }
}
