package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision {@code mobilenet_v2} (any {@code width_mult}: channel counts come from the tensor shapes). Layout of
 * the state_dict: {@code features.0} stem conv+BN+ReLU6 (stride 2), {@code features.1..17} inverted residual blocks
 * ({@code conv.0} expand 1×1, {@code conv.1} depthwise 3×3, {@code conv.2} project, {@code conv.3} BN; blocks without
 * expansion drop the first), {@code features.18} 1×1 conv+BN+ReLU6, then pool and {@code classifier.1}.
 * Strides are not in the shapes: they follow the paper's table (t, c, n, s) by block index.
 */
final class MobileNetV2 {
    /** Strides of blocks 1..17 from the settings n = 1,2,3,4,3,3,1 and s = 1,2,2,2,1,2,1. */
    static final int[] BLOCK_STRIDES = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1};

    private MobileNetV2() {}

    /** One inverted residual block (or the stem / last 1×1 conv): its convolutions in order, and whether x + body(x). */
    record Block(String name, List<Conv2d> convs, boolean residual) {
        Layer layer() {
            Layer body = Layer.sequence(Blocks.blockedInterior(convs));
            return residual ? Blocks.residual(body) : body;
        }
    }

    static Layer build(StateDict sd) {
        List<Layer> layers = new ArrayList<>();
        for (Block b : blocks(sd)) {
            layers.add(b.layer());
        }
        layers.add(Blocks.poolAndClassify(sd.linear("classifier.1")));
        return Layer.sequence(layers);
    }

    /** The stem, the 17 inverted residual blocks and the last 1×1 conv (features.0..18), in order. */
    static List<Block> blocks(StateDict sd) {
        List<Block> blocks = new ArrayList<>();
        Conv2d stem = sd.convBn("features.0.0", "features.0.1", 3, 2, Activation.RELU6);
        blocks.add(new Block("features.0", List.of(stem), false));
        int c = stem.outChannels();
        int i = 1;
        for (; sd.has("features." + i + ".conv.0.0.weight"); i++) {
            if (i - 1 >= BLOCK_STRIDES.length) {
                throw sd.error("more inverted residual blocks than mobilenet_v2's 17");
            }
            String p = "features." + i + ".conv.";
            int stride = BLOCK_STRIDES[i - 1];
            List<Conv2d> body = new ArrayList<>();
            int hidden = c;
            int next = 0;
            if (sd.has(p + "3.weight")) { // expansion present
                Conv2d expand = sd.convBn(p + "0.0", p + "0.1", c, 1, Activation.RELU6);
                body.add(expand);
                hidden = expand.outChannels();
                next = 1;
            }
            body.add(sd.convBn(p + next + ".0", p + next + ".1", hidden, stride, Activation.RELU6));
            Conv2d project = sd.convBn(p + (next + 1), p + (next + 2), hidden, 1, null);
            body.add(project);
            int out = project.outChannels();
            blocks.add(new Block("features." + i, List.copyOf(body), stride == 1 && out == c));
            c = out;
        }
        if (i != BLOCK_STRIDES.length + 1) {
            throw sd.error("found " + (i - 1) + " inverted residual blocks, mobilenet_v2 has 17");
        }
        blocks.add(new Block("features." + i, List.of(sd.convBn("features." + i + ".0", "features." + i + ".1", c, 1, Activation.RELU6)), false));
        return blocks;
    }
}
