package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Linear;
import dev.minnow.nn.Nchwc;
import dev.minnow.nn.Ops;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Small composites the architectures share. */
final class Blocks {
    private Blocks() {}

    /** x + body(x). */
    static Layer residual(Layer body) {
        return x -> Ops.add(body.forward(x), x);
    }

    /** act(body(x) + shortcut(x)). */
    static Layer residual(Layer body, Layer shortcut, Activation act) {
        return x -> {
            Tensor sum = Ops.add(body.forward(x), shortcut.forward(x));
            return act == null ? sum : Ops.activate(act, sum);
        };
    }

    /**
     * An inverted-residual body (expansion, depthwise, projection) with its two inner activations in the
     * channel-blocked layout ({@link Nchwc}), as the ONNX layout pass chooses them: when the expansion reads
     * at least {@link Nchwc#MIN_EXPAND_IN} channels and the projection at least {@link Nchwc#MIN_NCHW_OUT_IN} (below that the conversions cost more than the blocked
     * kernels save; BENCHMARKS.md, session 19). The body's input and output stay NCHW. Other lists come back as they are.
     */
    static List<Conv2d> blockedInterior(List<Conv2d> convs) {
        if (convs.size() != 3) {
            return convs;
        }
        Conv2d e = convs.get(0), d = convs.get(1), p = convs.get(2);
        if (!blocksInside(e, d, p)) {
            return convs;
        }
        return List.of(e.withNchwcOutput(true), d.withNchwcOutput(true), p);
    }

    /**
     * Whether an expansion {@code e}, depthwise {@code d} and projection {@code p} run their interior blocked (the rule of
     * {@link #blockedInterior}; MobileNetV3's squeeze-and-excitation between d and p follows its input's layout).
     */
    static boolean blocksInside(Conv2d e, Conv2d d, Conv2d p) {
        return e.isPointwise() && d.isDepthwise() && p.isPointwise() && e.inChannels() >= Nchwc.MIN_EXPAND_IN
                && p.inChannels() >= Nchwc.MIN_NCHW_OUT_IN;
    }

    /** Global average pool, flatten, then the linear classifier. */
    static Layer poolAndClassify(Linear fc) {
        return x -> fc.forward(Ops.flatten(Ops.globalAveragePool(x)));
    }

    /** A linear layer on [N, features]. */
    static Layer linear(Linear fc) {
        return fc::forward;
    }
}
