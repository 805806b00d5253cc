package dev.minnow.models.sparse;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.Kernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A SwiGLU FFN restricted to a neuron subset I: contiguous copies of W_gate[I,:], W_up[I,:] and W_down[:,I], so a
 * decode step streams only K = |I| rows and columns and no index indirection sits in the inner loop. The result is
 * W_down[:,I]·(SiLU(W_gate[I]x) ⊙ W_up[I]x): the exact FFN with every other neuron forced to zero.
 *
 * <p>F32 weights here ([N, dim] gate/up and [dim, N] down, row-major as in GGUF); quantized models gather their
 * rows in block form.
 */
public final class GatheredFfn implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int dim;
    private final int[] neurons;
    private final Tensor gate; // [K, dim]
    private final Tensor up;   // [K, dim]
    private final Tensor down; // [dim, K]
    private final Tensor hidden; // [K] scratch
    private final Tensor upOut;  // [K] scratch

    /** Gathers {@code neurons} (ascending, distinct) from the dense F32 weights. */
    public GatheredFfn(Tensor denseGate, Tensor denseUp, Tensor denseDown, int[] neurons) {
        check(denseGate, "gate");
        check(denseUp, "up");
        check(denseDown, "down");
        int n = Math.toIntExact(denseGate.dim(0));
        this.dim = Math.toIntExact(denseGate.dim(1));
        if (denseUp.dim(0) != n || denseUp.dim(1) != dim || denseDown.dim(0) != dim || denseDown.dim(1) != n) {
            throw new IllegalArgumentException("FFN shapes disagree: gate " + Arrays.toString(denseGate.shape()) + ", up "
                    + Arrays.toString(denseUp.shape()) + ", down " + Arrays.toString(denseDown.shape()));
        }
        for (int j = 0; j < neurons.length; j++) {
            if (neurons[j] < 0 || neurons[j] >= n || (j > 0 && neurons[j] <= neurons[j - 1])) {
                throw new IllegalArgumentException("neuron indices must be ascending, distinct and in 0.." + (n - 1)
                        + "; bad at position " + j);
            }
        }
        this.neurons = neurons.clone();
        int k = neurons.length;
        this.gate = Tensor.allocate(DType.F32, Math.max(k, 1), dim);
        this.up = Tensor.allocate(DType.F32, Math.max(k, 1), dim);
        this.down = Tensor.allocate(DType.F32, dim, Math.max(k, 1));
        this.hidden = Tensor.allocate(DType.F32, Math.max(k, 1));
        this.upOut = Tensor.allocate(DType.F32, Math.max(k, 1));
        long rowBytes = dim * 4L;
        MemorySegment g = denseGate.segment(), u = denseUp.segment(), d = denseDown.segment();
        for (int j = 0; j < k; j++) {
            MemorySegment.copy(g, neurons[j] * rowBytes, gate.segment(), j * rowBytes, rowBytes);
            MemorySegment.copy(u, neurons[j] * rowBytes, up.segment(), j * rowBytes, rowBytes);
        }
        MemorySegment dd = down.segment();
        for (int r = 0; r < dim; r++) {
            long src = (long) r * n;
            long dst = (long) r * k;
            for (int j = 0; j < k; j++) {
                dd.setAtIndex(F32, dst + j, d.getAtIndex(F32, src + neurons[j]));
            }
        }
    }

    private static void check(Tensor t, String what) {
        if (t.dtype() != DType.F32 || t.rank() != 2 || !t.isContiguous()) {
            throw new IllegalArgumentException("FFN " + what + " must be a contiguous 2-D F32 tensor, got " + t);
        }
    }

    public int size() { return neurons.length; }

    public int[] neurons() { return neurons.clone(); }

    /** out[0..dim) = FFN restricted to the kept neurons, of x[0..dim). */
    public void forward(Kernels k, MemorySegment x, long xOff, MemorySegment out, long outOff) {
        int kk = neurons.length;
        if (kk == 0) {
            out.asSlice(outOff * 4, dim * 4L).fill((byte) 0);
            return;
        }
        k.gemv(kk, dim, gate.segment(), 0, x, xOff, hidden.segment(), 0);
        k.gemv(kk, dim, up.segment(), 0, x, xOff, upOut.segment(), 0);
        k.activate(Activation.SILU, kk, hidden.segment(), 0);
        k.mul(kk, hidden.segment(), 0, upOut.segment(), 0, hidden.segment(), 0);
        k.gemv(dim, kk, down.segment(), 0, hidden.segment(), 0, out, outOff);
    }

    @Override
    public void close() {
        gate.close();
        up.close();
        down.close();
        hidden.close();
        upOut.close();
    }
}
