package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Pool2d;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision ResNets ({@code resnet18/34} with BasicBlocks, {@code resnet50/101/152} with Bottlenecks, stride on
 * the 3×3 conv as in v1.5). Block type and counts come from the names ({@code layerL.B.conv3} marks a Bottleneck);
 * {@code layer2..4} start with stride 2; {@code downsample.0/1} is the 1×1 conv+BN shortcut.
 */
final class ResNet {
    private ResNet() {}

    static Layer build(StateDict sd) {
        List<Layer> layers = new ArrayList<>();
        Conv2d stem = sd.convBn("conv1", "bn1", 3, 2, Activation.RELU);
        layers.add(stem);
        layers.add(Pool2d.max(3, 2, 1, false));
        int c = stem.outChannels();
        for (int l = 1; l <= 4; l++) {
            if (!sd.has("layer" + l + ".0.conv1.weight")) {
                throw sd.error("missing tensor 'layer" + l + ".0.conv1.weight'");
            }
            for (int b = 0; sd.has("layer" + l + "." + b + ".conv1.weight"); b++) {
                String p = "layer" + l + "." + b + ".";
                int stride = l > 1 && b == 0 ? 2 : 1;
                Layer body;
                int out;
                if (sd.has(p + "conv3.weight")) {
                    Conv2d c1 = sd.convBn(p + "conv1", p + "bn1", c, 1, Activation.RELU);
                    Conv2d c2 = sd.convBn(p + "conv2", p + "bn2", c1.outChannels(), stride, Activation.RELU);
                    Conv2d c3 = sd.convBn(p + "conv3", p + "bn3", c2.outChannels(), 1, null);
                    body = Layer.sequence(c1, c2, c3);
                    out = c3.outChannels();
                } else {
                    Conv2d c1 = sd.convBn(p + "conv1", p + "bn1", c, stride, Activation.RELU);
                    Conv2d c2 = sd.convBn(p + "conv2", p + "bn2", c1.outChannels(), 1, null);
                    body = Layer.sequence(c1, c2);
                    out = c2.outChannels();
                }
                Layer shortcut = sd.has(p + "downsample.0.weight")
                        ? sd.convBn(p + "downsample.0", p + "downsample.1", c, stride, null)
                        : x -> x;
                if (!sd.has(p + "downsample.0.weight") && (stride != 1 || out != c)) {
                    throw sd.error("block '" + p + "' changes shape but has no downsample");
                }
                layers.add(Blocks.residual(body, shortcut, Activation.RELU));
                c = out;
            }
        }
        layers.add(Blocks.poolAndClassify(sd.linear("fc")));
        return Layer.sequence(layers);
    }
}
