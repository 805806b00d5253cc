package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;

/**
 * The fixtures' small digits CNN (8×8 grey input): {@code conv1} 3×3 + {@code bn1} + ReLU, {@code conv2} 3×3/2 +
 * {@code bn2} + ReLU, {@code dw} depthwise 3×3 + {@code bn3} + ReLU6, {@code pw} 1×1 + {@code bn4} + ReLU, mean over
 * H×W, {@code fc}. The int8 variant is {@link DigitsInt8}.
 */
final class DigitsNet {
    private DigitsNet() {}

    static Layer build(StateDict sd) {
        int in = (int) sd.get("conv1.weight").dim(1);
        Conv2d c1 = sd.convBn("conv1", "bn1", in, 1, Activation.RELU);
        Conv2d c2 = sd.convBn("conv2", "bn2", c1.outChannels(), 2, Activation.RELU);
        Conv2d dw = sd.convBn("dw", "bn3", c2.outChannels(), 1, Activation.RELU6);
        Conv2d pw = sd.convBn("pw", "bn4", dw.outChannels(), 1, Activation.RELU);
        return Layer.sequence(c1, c2, dw, pw, Blocks.poolAndClassify(sd.linear("fc")));
    }
}
