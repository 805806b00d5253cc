package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.nn.Layer;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.ModelFormatException;
import dev.minnow.tensor.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A CNN classifier loaded from a safetensors {@code state_dict}: NCHW F32 images in, {@code [N, classes]} logits
 * out. Weights stay memory-mapped (BN-folded convolutions hold folded copies); close to unmap.
 *
 * <pre>{@code
 * try (CnnModel m = CnnModel.load(Path.of("model.safetensors"), "mobilenet_v2")) {
 *     Tensor logits = m.forward(image);   // image: [1, 3, 224, 224]
 * }
 * }</pre>
 */
public final class CnnModel implements AutoCloseable {
    private final SafetensorsFile file;
    private final CnnArch arch;
    private final Layer network;
    private final int inputChannels;

    private CnnModel(SafetensorsFile file, CnnArch arch, Layer network, int inputChannels) {
        this.file = file;
        this.arch = arch;
        this.network = network;
        this.inputChannels = inputChannels;
    }

    /** Loads {@code path}; {@code arch} may be null to detect the architecture from the tensor names. */
    public static CnnModel load(Path path, String arch) {
        SafetensorsFile f = SafetensorsFile.open(path);
        try {
            CnnArch a = arch == null ? CnnArch.detect(f.names()) : CnnArch.parse(arch);
            if (a == null) {
                throw new ModelFormatException(path, -1, "cannot tell the architecture from the tensor names; pass --arch");
            }
            StateDict sd = new StateDict(f, a.id());
            Layer net;
            try {
                net = a.build(sd);
            } catch (IllegalArgumentException | ArithmeticException e) {
                // a shape that does not fit the architecture: name the file and the architecture
                throw new ModelFormatException(path, -1, a.id() + ": " + e.getMessage(), e);
            }
            int in = -1;
            for (String stem : new String[] {"features.0.0.weight", "features.0.weight", "conv1.weight", "layers.0.weight"}) {
                if (f.contains(stem) && f.entry(stem).shape().length == 4) {
                    in = (int) f.entry(stem).shape()[1];
                    break;
                }
            }
            return new CnnModel(f, a, net, in);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public CnnArch arch() { return arch; }

    public Path path() { return file.path(); }

    /** Channels the stem expects. */
    public int inputChannels() { return inputChannels; }

    /** Logits for a batch of NCHW F32 images. */
    public Tensor forward(Tensor images) {
        if (images.rank() != 4 || images.dim(1) != inputChannels) {
            throw new IllegalArgumentException(arch.id() + " expects NCHW input with " + inputChannels + " channels, got "
                    + Arrays.toString(images.shape()));
        }
        Tensor x = images.contiguous();
        return Buffers.recycling(() -> network.forward(x));
    }

    @Override
    public void close() { file.close(); }

    @Override
    public String toString() { return "CnnModel[" + arch.id() + ", " + file.path() + "]"; }
}
