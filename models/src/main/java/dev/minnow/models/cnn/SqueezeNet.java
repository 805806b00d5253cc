package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Ops;
import dev.minnow.nn.Pool2d;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision {@code squeezenet1_0} / {@code squeezenet1_1}; the version follows from the stem kernel (7×7 → 1.0,
 * 3×3 → 1.1). {@code features.i} is the stem conv (followed by ReLU at i+1), a Fire module
 * ({@code squeeze}, {@code expand1x1}, {@code expand3x3}, each + ReLU, expands concatenated) or, where it holds
 * no tensors, a 3×3/2 max pool with ceil_mode. The head is dropout, {@code classifier.1} 1×1 conv, ReLU and global
 * average pooling.
 */
final class SqueezeNet {
    private SqueezeNet() {}

    static Layer build(StateDict sd) {
        List<Layer> layers = new ArrayList<>();
        Conv2d stem = sd.conv("features.0", 3, 2, 1);
        int k = (int) stem.weight().dim(2);
        if (k != 7 && k != 3) {
            throw sd.error("stem kernel " + k + "x" + k + " is neither squeezenet1_0's 7x7 nor squeezenet1_1's 3x3");
        }
        // the stem has no padding in either version
        stem = Conv2d.of(stem.weight(), stem.bias(), 2, 0, 1, 1).withActivation(Activation.RELU);
        layers.add(stem);
        int c = stem.outChannels();
        int last = 0;
        for (String n : sd.names()) {
            if (n.startsWith("features.")) {
                last = Math.max(last, Integer.parseInt(n.substring(9, n.indexOf('.', 9))));
            }
        }
        for (int i = 2; i <= last; i++) {
            String p = "features." + i + ".";
            if (!sd.has(p + "squeeze.weight")) {
                layers.add(Pool2d.max(3, 2, 0, true));
                continue;
            }
            Conv2d squeeze = sd.conv(p + "squeeze", c, 1, 1).withActivation(Activation.RELU);
            int s = squeeze.outChannels();
            Conv2d e1 = sd.conv(p + "expand1x1", s, 1, 1).withActivation(Activation.RELU);
            Conv2d e3 = sd.conv(p + "expand3x3", s, 1, 1).withActivation(Activation.RELU);
            layers.add(x -> {
                var sq = squeeze.forward(x);
                return Ops.concatChannels(e1.forward(sq), e3.forward(sq));
            });
            c = e1.outChannels() + e3.outChannels();
        }
        Conv2d head = sd.conv("classifier.1", c, 1, 1).withActivation(Activation.RELU);
        layers.add(head);
        layers.add(x -> Ops.flatten(Ops.globalAveragePool(x)));
        return Layer.sequence(layers);
    }
}
