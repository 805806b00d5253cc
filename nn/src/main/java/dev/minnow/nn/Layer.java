package dev.minnow.nn;

import dev.minnow.tensor.Tensor;

/** One step of a network: NCHW (or [N, features]) F32 in, a new F32 tensor out; the input is never modified. */
@FunctionalInterface
public interface Layer {
    Tensor forward(Tensor x);

    /** This layer, then {@code next}. */
    default Layer then(Layer next) {
        return x -> next.forward(forward(x));
    }

    /** Layers applied in order. */
    static Layer sequence(Layer... layers) {
        return x -> {
            Tensor y = x;
            for (Layer l : layers) {
                y = l.forward(y);
            }
            return y;
        };
    }

    static Layer sequence(java.util.List<? extends Layer> layers) {
        return sequence(layers.toArray(new Layer[0]));
    }
}
