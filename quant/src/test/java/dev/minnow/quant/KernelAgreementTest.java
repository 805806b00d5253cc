package dev.minnow.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.kernels.scalar.ScalarQuantKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernels module keeps its own copies of the activation quantizers and block dequantizers (it cannot depend on
 * this module); they must agree with {@link GgmlQuant} exactly.
 */
class KernelAgreementTest {
    static final ScalarQuantKernels K = ScalarQuantKernels.INSTANCE;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q8_1", "Q8_K"})
    void activationQuantizersGiveGgmlQuantsBytes(DType act) {
        SplittableRandom r = Gen.random("act-" + act);
        int n = 4 * 256;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 3));
        }
        for (int i = 0; i < 64; i++) {
            x[r.nextInt(n)] = (r.nextInt(17) - 8) * 0.5f; // ties
        }
        x[3] = Float.NaN;
        java.util.Arrays.fill(x, 256, 512, 0f); // an all-zero block
        byte[] want = GgmlQuantTest.quantize(act, x);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = arena.allocate(4L * n);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, n);
            MemorySegment got = arena.allocate(want.length);
            switch (act) {
                case Q8_0 -> K.quantizeQ8_0(n, xs, 0, got, 0);
                case Q8_1 -> K.quantizeQ8_1(n, xs, 0, got, 0);
                default -> K.quantizeQ8_K(n, xs, 0, got, 0);
            }
            assertArrayEquals(want, got.toArray(ValueLayout.JAVA_BYTE), act + " seed=" + Gen.seed("act-" + act));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void blockDequantizersAgreeBitForBit(DType t) {
        SplittableRandom r = Gen.random("deq-" + t);
        int nb = 6;
        byte[] bytes = new byte[nb * t.bytesPerBlock()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) r.nextInt(256);
        }
        // finite f16 scales (random bytes could be NaN, which would compare unequal to itself)
        for (int b = 0; b < nb; b++) {
            for (int off : switch (t) {
                case Q8_0, Q4_0, Q5_0 -> new int[] {0};
                case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                case Q2_K -> new int[] {80, 82};
                case Q3_K -> new int[] {108};
                default -> new int[] {208};
            }) {
                short h = Float.floatToFloat16((float) r.nextGaussian());
                bytes[b * t.bytesPerBlock() + off] = (byte) h;
                bytes[b * t.bytesPerBlock() + off + 1] = (byte) (h >> 8);
            }
        }
        float[] want = GgmlQuantTest.dequantize(t, bytes, nb * t.blockSize());
        float[] block = new float[t.blockSize()];
        MemorySegment seg = MemorySegment.ofArray(bytes);
        for (int b = 0; b < nb; b++) {
            ScalarQuantKernels.dequantizeBlock(t, seg, (long) b * t.bytesPerBlock(), block);
            for (int j = 0; j < block.length; j++) {
                assertEquals(Float.floatToRawIntBits(want[b * block.length + j]), Float.floatToRawIntBits(block[j]),
                        t + " block " + b + " element " + j);
            }
        }
    }
}
