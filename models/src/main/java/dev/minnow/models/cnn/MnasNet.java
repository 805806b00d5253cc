package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision MNASNet ({@code mnasnet0_5/0_75/1_0/1_3}, any alpha). {@code layers.0..7}: 3×3/2 conv+BN+ReLU,
 * depthwise 3×3 conv+BN+ReLU, 1×1 conv+BN; {@code layers.8..13}: six stacks of inverted residuals
 * ({@code layers.S.B.layers.0..7}: 1×1 expand+BN+ReLU, depthwise k×k+BN+ReLU, 1×1 project+BN), first block of each
 * stack with stride 2,2,2,1,2,1; {@code layers.14..16}: 1×1 conv+BN+ReLU; pool; {@code classifier.1}.
 */
final class MnasNet {
    static final int[] STACK_STRIDES = {2, 2, 2, 1, 2, 1};

    private MnasNet() {}

    static Layer build(StateDict sd) {
        List<Layer> layers = new ArrayList<>();
        Conv2d c0 = sd.convBn("layers.0", "layers.1", 3, 2, Activation.RELU);
        Conv2d c3 = sd.convBn("layers.3", "layers.4", c0.outChannels(), 1, Activation.RELU);
        Conv2d c6 = sd.convBn("layers.6", "layers.7", c3.outChannels(), 1, null);
        layers.add(c0);
        layers.add(c3);
        layers.add(c6);
        int c = c6.outChannels();
        for (int s = 0; s < STACK_STRIDES.length; s++) {
            String sp = "layers." + (8 + s) + ".";
            if (!sd.has(sp + "0.layers.0.weight")) {
                throw sd.error("missing tensor '" + sp + "0.layers.0.weight'");
            }
            for (int b = 0; sd.has(sp + b + ".layers.0.weight"); b++) {
                String p = sp + b + ".layers.";
                int stride = b == 0 ? STACK_STRIDES[s] : 1;
                Conv2d expand = sd.convBn(p + "0", p + "1", c, 1, Activation.RELU);
                Conv2d dw = sd.convBn(p + "3", p + "4", expand.outChannels(), stride, Activation.RELU);
                Conv2d project = sd.convBn(p + "6", p + "7", dw.outChannels(), 1, null);
                Layer block = Layer.sequence(Blocks.blockedInterior(List.of(expand, dw, project)));
                int out = project.outChannels();
                layers.add(stride == 1 && out == c ? Blocks.residual(block) : block);
                c = out;
            }
        }
        layers.add(sd.convBn("layers.14", "layers.15", c, 1, Activation.RELU));
        layers.add(Blocks.poolAndClassify(sd.linear("classifier.1")));
        return Layer.sequence(layers);
    }
}
