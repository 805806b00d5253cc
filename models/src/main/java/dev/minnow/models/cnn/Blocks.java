package dev.minnow.models.cnn;

import dev.minnow.kernels.Activation;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Linear;
import dev.minnow.nn.Ops;
import dev.minnow.tensor.Tensor;

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

    /** Global average pool, flatten, then the linear classifier. */
    static Layer poolAndClassify(Linear fc) {
        return x -> fc.forward(Ops.flatten(Ops.globalAveragePool(x)));
    }

    /** A linear layer on [N, features]. */
    static Layer linear(Linear fc) {
        return fc::forward;
    }
}
