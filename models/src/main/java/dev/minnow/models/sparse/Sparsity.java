package dev.minnow.models.sparse;

/**
 * How a decoder's SwiGLU FFNs are sparsified while decoding. Attention is never sparsified.
 *
 * <pre>{@code
 * GenerationOptions.greedy().sparsity(Sparsity.coreInfer(0.2, 0.4))
 * }</pre>
 */
public sealed interface Sparsity {

    /** Every neuron, the reference. */
    record Dense() implements Sparsity {}

    /**
     * CoreInfer's stability-guided policy: during prefill, per layer, each token's core neurons are the top
     * {@code alpha} fraction of its positive activations (SiLU(gate)·up); the sentence's core neurons are the
     * {@code beta}·N neurons that are token-core most often (ties to the lower index). Decode then uses only those,
     * until the next prefill. The first {@code skipFirst} and last {@code skipLast} layers stay dense; -1 means the
     * reference code's proportion (it sparsifies layers 6..26 of Llama-3.1-8B's 32: 6/32 dense in front, 5/32 behind).
     */
    record CoreInfer(double alpha, double beta, int skipFirst, int skipLast) implements Sparsity {
        public CoreInfer {
            check("alpha", alpha);
            check("beta", beta);
            if (skipFirst < -1 || skipLast < -1) {
                throw new IllegalArgumentException("skipFirst/skipLast must be >= 0 (or -1 for auto), got " + skipFirst + "/" + skipLast);
            }
        }

        /** Whether layer {@code layer} of {@code nLayers} is sparsified. */
        public boolean sparsifies(int layer, int nLayers) {
            int first = skipFirst >= 0 ? skipFirst : (int) Math.round(nLayers * 6 / 32.0);
            int last = skipLast >= 0 ? skipLast : (int) Math.round(nLayers * 5 / 32.0);
            return layer >= first && layer < nLayers - last;
        }
    }

    /**
     * CATS-style magnitude threshold on the gate activation SiLU(x·W_gate): per layer, neurons whose |gate| is
     * below the threshold calibrated to zero a {@code target} fraction on calibration text are skipped, token by
     * token (the gate GEMV stays dense; up rows and down columns are computed only for survivors).
     */
    record Threshold(double target) implements Sparsity {
        public Threshold {
            if (!(target >= 0 && target < 1)) {
                throw new IllegalArgumentException("target must be in [0, 1), got " + target);
            }
        }
    }

    /**
     * A static "hot neuron" set from calibration (PowerInfer's offline profile): per layer, the {@code keep} fraction
     * of neurons most often positive-core on calibration text; fixed for every prompt.
     */
    record HotNeurons(double keep) implements Sparsity {
        public HotNeurons {
            check("keep", keep);
        }
    }

    static Sparsity dense() { return new Dense(); }

    /** CoreInfer with the reference code's layer bounds scaled to the model (about the first 19% and last 16% stay dense). */
    static Sparsity coreInfer(double alpha, double beta) { return new CoreInfer(alpha, beta, -1, -1); }

    static Sparsity threshold(double target) { return new Threshold(target); }

    static Sparsity hotNeurons(double keep) { return new HotNeurons(keep); }

    private static void check(String name, double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], got " + v);
        }
    }
}
