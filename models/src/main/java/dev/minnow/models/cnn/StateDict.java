package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Buffers;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Linear;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * PyTorch {@code state_dict()} tensors by name, over a {@link SafetensorsFile}, with the layer builders the CNN
 * loaders share. F32 weights stay views of the mapped file; BatchNorm is folded into the preceding convolution
 * (which copies that convolution's weights). A missing or mis-shaped tensor throws a {@link ModelFormatException}
 * naming the file, the architecture and the tensor.
 */
public final class StateDict {
    public static final double BN_EPS = 1e-5;

    private final SafetensorsFile file;
    private final String arch;

    public StateDict(SafetensorsFile file, String arch) {
        this.file = file;
        this.arch = arch;
    }

    public Path path() { return file.path(); }

    public String arch() { return arch; }

    public Set<String> names() { return file.names(); }

    public boolean has(String name) { return file.contains(name); }

    /** The tensor (a view for F32; F16/BF16 are converted to F32). */
    public Tensor get(String name) {
        if (!file.contains(name)) {
            throw error("missing tensor '" + name + "'");
        }
        return Buffers.asF32(file.tensor(name));
    }

    /** The tensor, which must have rank {@code rank}. */
    public Tensor get(String name, int rank) {
        Tensor t = get(name);
        if (t.rank() != rank) {
            throw error("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected rank " + rank);
        }
        return t;
    }

    /** The raw tensor in its stored dtype (for int8 weights and the like). */
    public Tensor raw(String name) {
        if (!file.contains(name)) {
            throw error("missing tensor '" + name + "'");
        }
        return file.tensor(name);
    }

    public ModelFormatException error(String msg) {
        return new ModelFormatException(file.path(), -1, arch + ": " + msg);
    }

    /**
     * Convolution {@code prefix.weight} (+ {@code prefix.bias} when present) with padding {@code (k−1)/2·dilation}
     * and groups inferred from the input channel count.
     */
    public Conv2d conv(String prefix, int inChannels, int stride, int dilation) {
        Tensor w = get(prefix + ".weight", 4);
        long perGroup = w.dim(1);
        if (perGroup <= 0 || inChannels % perGroup != 0) {
            throw error("tensor '" + prefix + ".weight' " + Arrays.toString(w.shape()) + " does not fit " + inChannels + " input channels");
        }
        int groups = (int) (inChannels / perGroup);
        if (w.dim(0) % groups != 0) {
            throw error("tensor '" + prefix + ".weight' " + Arrays.toString(w.shape()) + ": " + w.dim(0) + " outputs not divisible by "
                    + groups + " groups");
        }
        Tensor b = has(prefix + ".bias") ? get(prefix + ".bias", 1) : null;
        int k = (int) w.dim(2);
        int kw = (int) w.dim(3);
        return Conv2d.of(w, b, new int[] {stride, stride}, new int[] {(k - 1) / 2 * dilation, (kw - 1) / 2 * dilation},
                new int[] {dilation, dilation}, groups);
    }

    /** {@link #conv} then BatchNorm {@code bn} folded in, then {@code act} (null for none). */
    public Conv2d convBn(String convPrefix, String bnPrefix, int inChannels, int stride, Activation act) {
        return foldBn(conv(convPrefix, inChannels, stride, 1), bnPrefix).withActivation(act);
    }

    /** Folds BatchNorm {@code bn} (weight, bias, running_mean, running_var) into {@code conv}. */
    public Conv2d foldBn(Conv2d conv, String bn) {
        Tensor g = get(bn + ".weight", 1);
        if (g.dim(0) != conv.outChannels()) {
            throw error("BatchNorm '" + bn + "' has " + g.dim(0) + " channels but follows a conv with " + conv.outChannels());
        }
        return conv.foldBatchNorm(g, get(bn + ".bias", 1), get(bn + ".running_mean", 1), get(bn + ".running_var", 1), BN_EPS);
    }

    /** {@code prefix.weight [out, in]} and {@code prefix.bias}. */
    public Linear linear(String prefix) {
        return new Linear(get(prefix + ".weight", 2), has(prefix + ".bias") ? get(prefix + ".bias", 1) : null);
    }

    /** Output channels of the conv at {@code prefix}. */
    public int outChannels(String prefix) {
        return (int) get(prefix + ".weight").dim(0);
    }
}
