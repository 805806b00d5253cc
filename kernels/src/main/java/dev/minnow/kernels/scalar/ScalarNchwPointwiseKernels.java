package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.NchwPointwiseKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The specification of {@link NchwPointwiseKernels}: plain loops in the documented order; packing is a copy. */
public final class ScalarNchwPointwiseKernels implements NchwPointwiseKernels {
    public static final ScalarNchwPointwiseKernels INSTANCE = new ScalarNchwPointwiseKernels();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarNchwPointwiseKernels() {}

    @Override
    public String name() { return "scalar"; }

    @Override
    public float[] pack(int cout, int cin, float[] w) {
        if (w.length < (long) cout * cin) {
            throw new IllegalArgumentException("weights hold " + w.length + " values, expected " + cout + "×" + cin);
        }
        return java.util.Arrays.copyOf(w, cout * cin);
    }

    @Override
    public void conv(int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                     MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int o0, int o1, int p0, int p1) {
        if (o0 < o1 && p0 < p1 && packed.length < (long) cout * cin) {
            throw new IllegalArgumentException("packed weights hold " + packed.length + " values, expected " + (long) cout * cin);
        }
        for (int o = o0; o < o1; o++) {
            for (int p = p0; p < p1; p++) {
                float acc = bias == null ? 0f : bias[o];
                for (int i = 0; i < cin; i++) {
                    acc += packed[o * cin + i] * x.getAtIndex(F32, xOff + (long) i * ldx + p);
                }
                float v = act == null ? acc : ScalarKernels.activation(act, acc);
                if (r != null) {
                    v += r.getAtIndex(F32, rOff + (long) o * ldy + p);
                }
                y.setAtIndex(F32, yOff + (long) o * ldy + p, v);
            }
        }
    }
    @Override
    public void convKxK(int cout, int cin, int kh, int kw, int st, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff,
                        int hq, int wq, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0, int o1, int r0,
                        int r1) {
        int k = cin * kh * kw;
        if (o0 < o1 && r0 < r1 && packed.length < (long) cout * k) {
            throw new IllegalArgumentException("packed weights hold " + packed.length + " values, expected " + (long) cout * k);
        }
        if (st < 1 || r0 < r1 && (r1 - 1 + (kh - 1) / st + 1 > hq || wo - 1 + (kw - 1) / st + 1 > wq)) {
            throw new IllegalArgumentException("phase planes of " + hq + "×" + wq + " cannot hold rows up to " + r1 + " of width " + wo
                    + " for a " + kh + "×" + kw + " kernel at stride " + st);
        }
        long phase = (long) hq * wq;
        for (int o = o0; o < o1; o++) {
            for (int oy = r0; oy < r1; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    float acc = bias == null ? 0f : bias[o];
                    for (int i = 0; i < k; i++) {
                        int c = i / (kh * kw), ky = i / kw % kh, kx = i % kw;
                        long at = xOff + ((long) (c * st + ky % st) * st + kx % st) * phase + (long) (oy + ky / st) * wq + ox + kx / st;
                        acc += packed[o * k + i] * x.getAtIndex(F32, at);
                    }
                    float v = act == null ? acc : ScalarKernels.activation(act, acc);
                    long at = (long) o * ldy + (long) oy * wo + ox;
                    if (r != null) {
                        v += r.getAtIndex(F32, rOff + at);
                    }
                    y.setAtIndex(F32, yOff + at, v);
                }
            }
        }
    }
}
