package dev.minnow.nn;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.Arrays;

/** y = x·Wᵀ + b for F32 weights stored [out, in] (PyTorch's and GGUF's layout). */
public final class Linear {
    private final Tensor weight;
    private final Tensor bias;
    private final int in;
    private final int out;

    public Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || weight.dtype() != DType.F32 || !weight.isContiguous()) {
            throw new IllegalArgumentException("Linear weight must be a contiguous F32 [out, in] tensor, got " + weight);
        }
        this.out = Math.toIntExact(weight.dim(0));
        this.in = Math.toIntExact(weight.dim(1));
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out || bias.dtype() != DType.F32)) {
            throw new IllegalArgumentException("Linear bias must be F32 [" + out + "], got " + bias);
        }
        this.weight = weight;
        this.bias = bias;
    }

    /** Most rows that run as matrix-vector products instead of one GEMM ({@code -Dminnow.gemvRows=false}: the GEMM). */
    private static final int GEMV_MAX_ROWS = 4;

    /** x: [rows, in] contiguous F32; returns a new [rows, out] tensor. */
    public Tensor forward(Tensor x) {
        long t0 = Profile.begin();
        Tensor y = forwardImpl(x);
        Profile.end("linear", t0, 0);
        return y;
    }

    private Tensor forwardImpl(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != in || x.dtype() != DType.F32 || !x.isContiguous()) {
            throw new IllegalArgumentException("Linear expects a contiguous F32 [rows, " + in + "] input, got "
                    + x.dtype() + Arrays.toString(x.shape()));
        }
        int rows = Math.toIntExact(x.dim(0));
        Tensor y = Tensor.allocate(DType.F32, rows, out);
        Kernels k = KernelProvider.get();
        if (rows <= GEMV_MAX_ROWS && Boolean.parseBoolean(System.getProperty("minnow.gemvRows", "true"))) {
            // a few rows (a CNN classifier on one image): W·x per row reads W once; the GEMM would pack all of W
            for (int r = 0; r < rows; r++) {
                k.gemv(out, in, weight.segment(), 0, x.segment(), (long) r * in, y.segment(), (long) r * out);
            }
        } else {
            k.gemm(rows, out, in, x.segment(), 0, in, weight.segment(), 0, in, true, y.segment(), 0, out, false);
        }
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                k.add(out, y.segment(), (long) r * out, bias.segment(), 0, y.segment(), (long) r * out);
            }
        }
        return y;
    }
}
