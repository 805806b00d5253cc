package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Linear;
import dev.minnow.nn.Ops;
import dev.minnow.nn.SqueezeExcitation;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision {@code mobilenet_v3_small} / {@code mobilenet_v3_large}: 11 or 15 inverted residual blocks tell them
 * apart. Channels, kernel sizes and the presence of squeeze-excitation come from the tensors; the activation
 * (ReLU or hard-swish) and stride of each block follow torchvision's configuration table. Each block is
 * {@code features.i.block.j}: optional expand 1×1, depthwise k×k, optional SE ({@code fc1}, {@code fc2}; ReLU and
 * hard-sigmoid), project 1×1 without activation. Head: 1×1 conv + hard-swish, pool, {@code classifier.0}
 * (+ hard-swish), dropout, {@code classifier.3}.
 */
final class MobileNetV3 {
    /** Per block: stride, hard-swish (1) or ReLU (0). */
    static final int[][] LARGE = {{1, 0}, {2, 0}, {1, 0}, {2, 0}, {1, 0}, {1, 0}, {2, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1},
        {2, 1}, {1, 1}, {1, 1}};
    static final int[][] SMALL = {{2, 0}, {2, 0}, {1, 0}, {2, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 1}, {1, 1}, {1, 1}};

    private MobileNetV3() {}

    static Layer build(StateDict sd) {
        int blocks = 0;
        while (sd.has("features." + (blocks + 1) + ".block.0.0.weight")) {
            blocks++;
        }
        int[][] cfg = switch (blocks) {
            case 15 -> LARGE;
            case 11 -> SMALL;
            default -> throw sd.error("found " + blocks + " inverted residual blocks; mobilenet_v3 large has 15, small 11");
        };
        List<Layer> layers = new ArrayList<>();
        Conv2d stem = sd.convBn("features.0.0", "features.0.1", 3, 2, Activation.HARD_SWISH);
        layers.add(stem);
        int c = stem.outChannels();
        for (int i = 1; i <= blocks; i++) {
            String p = "features." + i + ".block.";
            int stride = cfg[i - 1][0];
            Activation act = cfg[i - 1][1] == 1 ? Activation.HARD_SWISH : Activation.RELU;
            List<Layer> body = new ArrayList<>();
            int j = 0;
            int hidden = c;
            Conv2d expand = null;
            // a block whose first conv is 1x1 and not depthwise is the expansion
            if (sd.get(p + "0.0.weight").dim(2) == 1 && sd.get(p + "0.0.weight").dim(1) == c) {
                expand = sd.convBn(p + "0.0", p + "0.1", c, 1, act);
                body.add(expand);
                hidden = expand.outChannels();
                j = 1;
            }
            Conv2d dw = sd.convBn(p + j + ".0", p + j + ".1", hidden, stride, act);
            body.add(dw);
            j++;
            if (sd.has(p + j + ".fc1.weight")) {
                String se = p + j + ".";
                body.add(new SqueezeExcitation(sd.get(se + "fc1.weight"), sd.get(se + "fc1.bias"), sd.get(se + "fc2.weight"),
                        sd.get(se + "fc2.bias"), Activation.RELU, Activation.HARD_SIGMOID));
                j++;
            }
            Conv2d project = sd.convBn(p + j + ".0", p + j + ".1", hidden, 1, null);
            body.add(project);
            if (expand != null && Blocks.blocksInside(expand, dw, project)) {
                // expansion, depthwise and squeeze-and-excitation channel-blocked, as the ONNX layout pass runs them
                body.set(0, expand.withNchwcOutput(true));
                body.set(1, dw.withNchwcOutput(true));
            }
            Layer block = Layer.sequence(body);
            int out = project.outChannels();
            layers.add(stride == 1 && out == c ? Blocks.residual(block) : block);
            c = out;
        }
        String last = "features." + (blocks + 1);
        layers.add(sd.convBn(last + ".0", last + ".1", c, 1, Activation.HARD_SWISH));
        Linear fc0 = sd.linear("classifier.0");
        Linear fc3 = sd.linear("classifier.3");
        layers.add(x -> fc3.forward(Ops.activate(Activation.HARD_SWISH, fc0.forward(Ops.flatten(Ops.globalAveragePool(x))))));
        return Layer.sequence(layers);
    }
}
