package dev.minnow.models.llm;

import dev.minnow.kernels.RopeLayout;
import java.util.List;
import java.util.stream.Stream;

/**
 * The decoder-only architectures this package runs, by their GGUF {@code general.architecture} name, with what
 * sets them apart in the shared forward pass ({@link LlamaSession}). The rest is decided per layer by which tensors
 * the file holds (Q/K/V biases, fused {@code attn_qkv}, a missing {@code ffn_norm} meaning parallel residual), as in
 * llama.cpp.
 *
 * <table>
 *   <caption>What differs</caption>
 *   <tr><th>name</th><th>norm</th><th>RoPE pairs</th><th>notes</th></tr>
 *   <tr><td>llama</td><td>RMSNorm</td><td>(2i, 2i+1)</td><td>optional {@code rope_freqs} (Llama 3.1+)</td></tr>
 *   <tr><td>qwen2</td><td>RMSNorm</td><td>(i, i+d/2)</td><td>Q/K/V biases</td></tr>
 *   <tr><td>stablelm</td><td>LayerNorm with bias</td><td>(i, i+d/2)</td><td>partial rotary, optional biases,
 *       parallel residual where a layer has no {@code ffn_norm}, optional per-head Q/K LayerNorms (2 12B)</td></tr>
 *   <tr><td>phi3</td><td>RMSNorm</td><td>(i, i+d/2)</td><td>fused {@code attn_qkv}, fused gate+up in
 *       {@code ffn_up}, optional {@code rope_factors_long/short}</td></tr>
 * </table>
 *
 * <p>Phi-3's {@code attention.sliding_window} is not applied: llama.cpp disables Phi SWA too (its conversion scripts
 * do not describe the window correctly), so outputs match llama.cpp's. YaRN RoPE scaling, and per-head Q/K norms outside
 * stablelm, are rejected at load with a message naming the key or tensor.
 */
public enum Architecture {
    LLAMA("llama", Norm.RMS, RopeLayout.INTERLEAVED),
    QWEN2("qwen2", Norm.RMS, RopeLayout.SPLIT_HALF),
    STABLELM("stablelm", Norm.LAYER, RopeLayout.SPLIT_HALF),
    PHI3("phi3", Norm.RMS, RopeLayout.SPLIT_HALF);

    /** The normalisation before each sublayer and before the output. */
    public enum Norm {
        /** x / sqrt(mean(x²) + eps) · w; epsilon key {@code attention.layer_norm_rms_epsilon}. */
        RMS,
        /** (x − mean) / sqrt(var + eps) · w + b; epsilon key {@code attention.layer_norm_epsilon}. */
        LAYER
    }

    private final String ggufName;
    private final Norm norm;
    private final RopeLayout ropeLayout;

    Architecture(String ggufName, Norm norm, RopeLayout ropeLayout) {
        this.ggufName = ggufName;
        this.norm = norm;
        this.ropeLayout = ropeLayout;
    }

    /** The {@code general.architecture} value, also the prefix of the hyper-parameter keys. */
    public String ggufName() { return ggufName; }

    public Norm norm() { return norm; }

    /** llama.cpp's rope type: NORM (interleaved pairs) for llama, NEOX (split halves) for the others. */
    public RopeLayout ropeLayout() { return ropeLayout; }

    /** The GGUF key (without the architecture prefix) holding the norm epsilon. */
    public String epsilonKey() {
        return norm == Norm.RMS ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon";
    }

    /** All {@code general.architecture} names, in declaration order. */
    public static List<String> names() {
        return Stream.of(values()).map(Architecture::ggufName).toList();
    }

    /**
     * The architecture named {@code name}; throws {@link IllegalArgumentException} naming it and the supported list
     * when there is none.
     */
    public static Architecture of(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported architecture '" + name + "'; supported: " + String.join(", ", names()));
    }

    @Override
    public String toString() { return ggufName; }
}
