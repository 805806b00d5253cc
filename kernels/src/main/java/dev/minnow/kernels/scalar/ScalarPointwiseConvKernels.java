package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.PointwiseConvKernels;

/** The specification of {@link PointwiseConvKernels}: plain loops, float sums in tap then channel order. */
public final class ScalarPointwiseConvKernels implements PointwiseConvKernels {
    public static final ScalarPointwiseConvKernels INSTANCE = new ScalarPointwiseConvKernels();

    private ScalarPointwiseConvKernels() {}

    @Override public String name() { return "scalar"; }

    @Override public int vectorBits() { return 0; }

    /** The scalar layout is the row-major matrix itself (a copy). */
    @Override
    public float[] pack(int cout, int k, float[] w) {
        if (w.length < (long) cout * k) {
            throw new IllegalArgumentException("weights hold " + w.length + " values, expected " + cout + "×" + k);
        }
        return java.util.Arrays.copyOf(w, cout * k);
    }

    @Override
    public void conv(int n, int cin, int taps, float[] in, int[] tapOff, int inStride, float[] packed, int cout, float[] bias,
                     Activation act, boolean residual, float[] out, int outOff, int outStride) {
        int k = taps * cin;
        for (int j = 0; j < n; j++) {
            for (int co = 0; co < cout; co++) {
                float s = bias == null ? 0f : bias[co];
                for (int t = 0; t < taps; t++) {
                    int a = tapOff[t] + j * inStride;
                    int w = co * k + t * cin;
                    for (int ci = 0; ci < cin; ci++) {
                        s += in[a + ci] * packed[w + ci];
                    }
                }
                if (act != null) {
                    s = ScalarKernels.activation(act, s);
                }
                int o = outOff + j * outStride + co;
                out[o] = residual ? out[o] + s : s;
            }
        }
    }

    @Override
    public void convToPlanes(int n, int cin, float[] in, int inOff, float[] w, int cout, float[] bias, Activation act,
                             float[] out, int outOff, int plane) {
        for (int j = 0; j < n; j++) {
            for (int co = 0; co < cout; co++) {
                float s = bias == null ? 0f : bias[co];
                for (int ci = 0; ci < cin; ci++) {
                    s += in[inOff + j * cin + ci] * w[co * cin + ci];
                }
                out[outOff + co * plane + j] = act == null ? s : ScalarKernels.activation(act, s);
            }
        }
    }
}
