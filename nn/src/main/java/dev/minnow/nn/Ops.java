package dev.minnow.nn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Shape-checked element-wise and structural operators over F32 tensors; each returns a new tensor, except
 * {@link #activateInPlace}.
 */
public final class Ops {
    private Ops() {}

    /** {@code act(x)} element-wise ({@link Kernels#activate}). */
    public static Tensor activate(Activation act, Tensor x) {
        long t0 = Profile.begin();
        Tensor y = activateImpl(act, x);
        Profile.end("activation", t0, 0);
        return y;
    }

    private static Tensor activateImpl(Activation act, Tensor x) {
        return activateInPlace(act, copy(x));
    }

    /**
     * {@code act(y)} element-wise over y itself, which is returned: for a contiguous F32 tensor that only the caller
     * holds (a fused step's own output), where a new tensor would cost an allocation and a second pass.
     */
    public static Tensor activateInPlace(Activation act, Tensor y) {
        long t0 = Profile.begin();
        activateInPlaceImpl(act, y);
        Profile.end("activation", t0, 0);
        return y;
    }

    private static void activateInPlaceImpl(Activation act, Tensor y) {
        if (y.dtype() != DType.F32 || !y.isContiguous()) {
            throw new IllegalArgumentException("activateInPlace needs a contiguous F32 tensor, got " + y.dtype() + " " + Arrays.toString(y.shape()));
        }
        int n = Math.toIntExact(y.elementCount());
        Kernels k = KernelProvider.get();
        int chunk = 1 << 14;
        MemorySegment ys = y.segment();
        Parallel.forRange((n + chunk - 1) / chunk, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                k.activate(act, Math.min(chunk, n - i * chunk), ys, (long) i * chunk);
            }
        });
    }

    public static Layer activation(Activation act) {
        return x -> activate(act, x);
    }

    /** a + b, same shapes. */
    public static Tensor add(Tensor a, Tensor b) {
        long t0 = Profile.begin();
        Tensor y = addImpl(a, b);
        Profile.end("add", t0, 0);
        return y;
    }

    private static Tensor addImpl(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()) || a.dtype() != DType.F32 || b.dtype() != DType.F32) {
            throw new IllegalArgumentException("add needs two F32 tensors of the same shape, got " + a.dtype() + Arrays.toString(a.shape())
                    + " and " + b.dtype() + Arrays.toString(b.shape()));
        }
        Tensor y = Buffers.f32(a.shape());
        KernelProvider.get().add(Math.toIntExact(a.elementCount()), a.contiguous().segment(), 0, b.contiguous().segment(), 0, y.segment(), 0);
        return y;
    }

    /** Concatenation of NCHW tensors along channels. */
    public static Tensor concatChannels(Tensor... xs) {
        long t0 = Profile.begin();
        Tensor y = concatChannelsImpl(xs);
        Profile.end("concat", t0, 0);
        return y;
    }

    private static Tensor concatChannelsImpl(Tensor... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("concat of nothing");
        }
        long n = xs[0].dim(0), h = xs[0].dim(2), w = xs[0].dim(3);
        long c = 0;
        for (Tensor x : xs) {
            Buffers.checkNchw("concat", x, -1);
            if (x.dim(0) != n || x.dim(2) != h || x.dim(3) != w) {
                throw new IllegalArgumentException("concat along channels needs equal N, H, W; got " + Arrays.toString(xs[0].shape())
                        + " and " + Arrays.toString(x.shape()));
            }
            c += x.dim(1);
        }
        Tensor y = Buffers.f32(n, c, h, w);
        long plane = h * w * 4;
        for (long b = 0; b < n; b++) {
            long at = b * c * plane;
            for (Tensor x : xs) {
                long bytes = x.dim(1) * plane;
                MemorySegment.copy(x.segment(), b * bytes, y.segment(), at, bytes);
                at += bytes;
            }
        }
        return y;
    }

    /** [N, C, H, W] → [N, C, 1, 1], the mean of each plane (accumulated in double). */
    public static Tensor globalAveragePool(Tensor x) {
        long t0 = Profile.begin();
        Tensor y = globalAveragePoolImpl(x);
        Profile.end("global avg pool", t0, 0);
        return y;
    }

    private static Tensor globalAveragePoolImpl(Tensor x) {
        Buffers.checkNchw("global average pool", x, -1);
        int n = (int) x.dim(0), c = (int) x.dim(1);
        int plane = (int) (x.dim(2) * x.dim(3));
        Tensor y = Buffers.f32(n, c, 1, 1);
        MemorySegment xs = x.segment(), ys = y.segment();
        // the vector sum per plane (a sequential double sum was latency-bound: MobileNetV3-Small's ten squeeze-and-
        // excitation pools took 4× ONNX Runtime's time)
        Kernels k = KernelProvider.get();
        for (long p = 0; p < (long) n * c; p++) {
            ys.setAtIndex(Tensor.F32_LE, p, k.sum(xs, p * plane, plane) / plane);
        }
        return y;
    }

    /** [N, ...] → [N, rest] (a view when contiguous). */
    public static Tensor flatten(Tensor x) {
        return x.reshape(x.dim(0), -1);
    }

    /** Softmax over the last dim. */
    public static Tensor softmax(Tensor x) {
        Tensor y = copy(x);
        int last = (int) y.dim(y.rank() - 1);
        long rows = y.elementCount() / Math.max(1, last);
        for (long r = 0; r < rows; r++) {
            KernelProvider.get().softmax(last, y.segment(), r * last);
        }
        return y;
    }

    /** A contiguous F32 copy in an automatic arena. */
    public static Tensor copy(Tensor x) {
        Tensor f = Buffers.asF32(x);
        Tensor y = Buffers.f32(f.shape());
        MemorySegment.copy(f.segment(), 0, y.segment(), 0, y.segment().byteSize());
        return y;
    }
}
