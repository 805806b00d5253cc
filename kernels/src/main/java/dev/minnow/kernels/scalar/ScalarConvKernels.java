package dev.minnow.kernels.scalar;

import dev.minnow.kernels.ConvKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The specification of {@link ConvKernels}: plain loops in the documented summation order. */
public final class ScalarConvKernels implements ConvKernels {
    public static final ScalarConvKernels INSTANCE = new ScalarConvKernels();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarConvKernels() {}

    @Override
    public String name() { return "scalar"; }

    @Override
    public void depthwise(int k, int stride, MemorySegment in, long inOff, int hp, int pw,
                          MemorySegment w, long wOff, float bias, MemorySegment out, long outOff, int ho, int wo) {
        long phase = (long) hp * pw;
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                float acc = bias;
                for (int ky = 0; ky < k; ky++) {
                    long row = inOff + (long) (oy * stride + ky) * pw + ox;
                    for (int kx = 0; kx < k; kx++) {
                        float x = in.getAtIndex(F32, row + (kx % stride) * phase + kx / stride);
                        acc += w.getAtIndex(F32, wOff + ky * k + kx) * x;
                    }
                }
                out.setAtIndex(F32, outOff + (long) oy * wo + ox, acc);
            }
        }
    }
}
