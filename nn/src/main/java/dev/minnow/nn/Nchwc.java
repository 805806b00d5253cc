package dev.minnow.nn;

import dev.minnow.kernels.CnnKernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.Arrays;

/**
 * The channel-blocked activation layout ("NCHWc", as ONNX Runtime and oneDNN call it) that {@link Conv2d} can read and
 * write between layers: a rank-5 F32 tensor {@code [n, ceil(c / L), h, w, L]} with {@code L = }{@link #lanes()}, channel
 * c of pixel (y, x) at {@code [b][c / L][y][x][c % L]}, the lanes past c zero. A depthwise layer then has a vector of
 * channels per pixel with no transposes, and a pointwise layer broadcasts pixels against vectors of output channels.
 * Only convolutions produce it (when built {@link Conv2d#withNchwcOutput}) and every convolution accepts it; the
 * channel count is the consumer's.
 */
public final class Nchwc {
    private Nchwc() {}

    /**
     * Fewest input channels of an expansion (a pointwise layer into a depthwise one) reading NCHW that is worth
     * writing blocked ({@code -Dminnow.cnn.nchwcMinExpandIn}, read at start; default 16). Below it the staging costs more
     * than the depthwise layer gains (BENCHMARKS.md, session 19).
     */
    public static final int MIN_EXPAND_IN = Integer.getInteger("minnow.cnn.nchwcMinExpandIn", 16);

    /**
     * Fewest input channels of a pointwise layer reading blocked and writing NCHW that is worth it (64): its
     * transposed stores pay only over a deep input (pw 16→96 @112 that way: 1154 µs against 504 all NCHW).
     */
    public static final int MIN_NCHW_OUT_IN = 64;

    /** Channels per block: the CNN kernels' vector lanes (16 at 512 bits). */
    public static int lanes() {
        return CnnKernels.get().blockLanes();
    }

    /**
     * Whether convolutions built with an NCHWc output write it (default) or NCHW ({@code -Dminnow.cnn.nchwc=false};
     * read per call, for A/B runs in one process).
     */
    public static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.nchwc", "true"));
    }

    /** Whether {@code t} is in the blocked layout (rank 5). */
    public static boolean isBlocked(Tensor t) {
        return t.rank() == 5;
    }

    /** NCHW F32 → blocked, exactly. */
    public static Tensor fromNchw(Tensor x) {
        Buffers.checkNchw("Nchwc.fromNchw", x, -1);
        int L = lanes();
        long n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int plane = Math.toIntExact(h * w), blocks = (int) ((c + L - 1) / L);
        Tensor y = Buffers.f32Overwritten(n, blocks, h, w, L);   // every lane is written
        for (long b = 0; b < n; b++) {
            CnnKernels.get().nchwToBlocked(L, (int) c, plane, x.segment(), b * c * plane, y.segment(), b * blocks * plane * L);
        }
        return y;
    }

    /** Blocked → NCHW F32 of {@code channels} channels, exactly. */
    public static Tensor toNchw(Tensor x, int channels) {
        check("Nchwc.toNchw", x, channels);
        int L = (int) x.dim(4);
        long n = x.dim(0), blocks = x.dim(1), h = x.dim(2), w = x.dim(3);
        int plane = Math.toIntExact(h * w);
        Tensor y = Buffers.f32Overwritten(n, channels, h, w);
        for (long b = 0; b < n; b++) {
            CnnKernels.get().blockedToNchw(L, channels, plane, x.segment(), b * blocks * plane * L, y.segment(), b * channels * plane);
        }
        return y;
    }

    /** Requires a contiguous F32 blocked tensor of {@code channels} channels at this process's lane count. */
    static void check(String op, Tensor x, int channels) {
        int L = lanes();
        if (x.dtype() != DType.F32 || x.rank() != 5 || !x.isContiguous() || x.dim(4) != L || x.dim(1) != (channels + L - 1) / L) {
            throw new IllegalArgumentException(op + " expects a contiguous F32 channel-blocked tensor [n, " + ((channels + L - 1) / L)
                    + ", h, w, " + L + "] of " + channels + " channels, got " + x.dtype() + Arrays.toString(x.shape()));
        }
        if (x.elementCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensor " + Arrays.toString(x.shape()) + " is too large");
        }
    }
}
