package dev.minnow.models.llm;

import dev.minnow.kernels.RopeLayout;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufFormatException;
import java.util.List;

/**
 * Hyper-parameters of a decoder of one of the {@link Architecture}s, as GGUF stores them under
 * {@code <architecture>.*} (named below without that prefix).
 *
 * @param architecture  which decoder ({@code general.architecture}); decides the norm kind
 * @param dim           embedding width ({@code embedding_length})
 * @param layers        transformer blocks ({@code block_count})
 * @param heads         query heads ({@code attention.head_count})
 * @param kvHeads       key/value heads ({@code attention.head_count_kv}); heads share them in groups (GQA)
 * @param headDim       width of one head ({@code attention.key_length}, default dim / heads)
 * @param ffnDim        hidden width of the SwiGLU feed-forward ({@code feed_forward_length})
 * @param vocabSize     rows of the token embedding
 * @param contextLength the context the model was trained for ({@code context_length})
 * @param normEps       norm epsilon ({@code attention.layer_norm_rms_epsilon} for RMSNorm,
 *                      {@code attention.layer_norm_epsilon} for LayerNorm)
 * @param ropeBase      RoPE frequency base ({@code rope.freq_base})
 * @param ropeDim       rotated dims per head ({@code rope.dimension_count}, default headDim; less is partial rotary)
 * @param ropeLayout    pairing of rotated dims: {@link RopeLayout#INTERLEAVED} for llama (ggml mode 0),
 *                      {@link RopeLayout#SPLIT_HALF} for the NeoX-style rest (ggml mode 2)
 * @param ropeFreqScale linear RoPE scaling: angles times this (1 / {@code rope.scaling.factor}; 1 when unscaled)
 * @param ropeAttnFactor cos and sin times this ({@code rope.scaling.attn_factor}, default 1; Phi-3 128k)
 * @param ropeOriginalContext the context the RoPE factors were made for
 *                      ({@code rope.scaling.original_context_length}, default contextLength): a session longer than
 *                      this uses {@code rope_factors_long}, otherwise {@code rope_factors_short}
 */
public record LlamaConfig(Architecture architecture, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                          int vocabSize, int contextLength, float normEps, float ropeBase, int ropeDim,
                          RopeLayout ropeLayout, float ropeFreqScale, float ropeAttnFactor, int ropeOriginalContext) {

    /** Architectures this package runs, by {@code general.architecture}. */
    public static final List<String> SUPPORTED_ARCHITECTURES = Architecture.names();

    public LlamaConfig {
        if (architecture == null || ropeLayout == null) {
            throw new IllegalArgumentException("architecture and rope layout must be given");
        }
        String a = architecture.ggufName();
        check(a, dim > 0 && dim <= 1 << 16, "embedding_length " + dim + " must be in 1..65536");
        check(a, layers > 0 && layers <= 1024, "block_count " + layers + " must be in 1..1024");
        check(a, heads > 0 && heads <= 1024, "attention.head_count " + heads + " must be in 1..1024");
        check(a, kvHeads > 0 && kvHeads <= heads, "attention.head_count_kv " + kvHeads + " must be in 1..head_count (" + heads + ")");
        check(a, heads % kvHeads == 0, "attention.head_count_kv " + kvHeads + " must divide attention.head_count " + heads);
        check(a, headDim > 0 && headDim <= 4096, "head dim (attention.key_length, default embedding_length / head_count) "
                + headDim + " must be in 1..4096");
        check(a, (long) heads * headDim <= 1 << 20, "head_count × head dim " + (long) heads * headDim + " must be at most 1048576");
        check(a, ffnDim > 0 && ffnDim <= 1 << 20, "feed_forward_length " + ffnDim + " must be in 1..1048576");
        check(a, vocabSize > 0, "vocabulary size " + vocabSize + " must be positive");
        check(a, contextLength > 0, "context_length " + contextLength + " must be positive");
        check(a, normEps > 0 && Float.isFinite(normEps), architecture.epsilonKey() + " " + normEps + " must be positive and finite");
        check(a, ropeBase > 0 && Float.isFinite(ropeBase), "rope.freq_base " + ropeBase + " must be positive and finite");
        check(a, ropeDim > 0 && ropeDim <= headDim && ropeDim % 2 == 0,
                "rope.dimension_count " + ropeDim + " must be even and in 2..head dim " + headDim);
        check(a, ropeFreqScale > 0 && Float.isFinite(ropeFreqScale),
                "rope.scaling.factor gives frequency scale " + ropeFreqScale + "; it must be positive and finite");
        check(a, ropeAttnFactor > 0 && Float.isFinite(ropeAttnFactor),
                "rope.scaling.attn_factor " + ropeAttnFactor + " must be positive and finite");
        check(a, ropeOriginalContext > 0, "rope.scaling.original_context_length " + ropeOriginalContext + " must be positive");
    }

    private static void check(String arch, boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(arch + " hyper-parameter: " + message);
        }
    }

    public int qDim() { return heads * headDim; }

    public int kvDim() { return kvHeads * headDim; }

    /** Query heads per key/value head. */
    public int groupSize() { return heads / kvHeads; }

    /** The norm epsilon under its llama name (kept for callers written for llama). */
    public float rmsEps() { return normEps; }

    public Architecture.Norm norm() { return architecture.norm(); }

    /** A llama config with common defaults (eps 1e-5, base 10000, rope over the whole head). */
    public static LlamaConfig of(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize, int contextLength) {
        return of(Architecture.LLAMA, dim, layers, heads, kvHeads, ffnDim, vocabSize, contextLength, 0);
    }

    /**
     * A config of {@code arch} with common defaults (eps 1e-5, base 10000, no RoPE scaling), rotating
     * {@code ropeDim} dims per head (0: the whole head).
     */
    public static LlamaConfig of(Architecture arch, int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize,
                                 int contextLength, int ropeDim) {
        if (heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException(arch + " hyper-parameter: embedding_length " + dim
                    + " must be a positive multiple of attention.head_count " + heads);
        }
        int hd = dim / heads;
        return new LlamaConfig(arch, dim, layers, heads, kvHeads, hd, ffnDim, vocabSize, contextLength, 1e-5f, 10000f,
                ropeDim == 0 ? hd : ropeDim, arch.ropeLayout(), 1f, 1f, contextLength);
    }

    /** Reads the {@code <arch>.*} keys; throws naming the architecture when it is not supported. */
    public static LlamaConfig fromGguf(GgufFile f, int vocabSize) {
        String name = f.getString("general.architecture");
        Architecture arch;
        try {
            arch = Architecture.of(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.path() + ": " + e.getMessage(), e);
        }
        String p = arch.ggufName() + ".";
        String hp = f.path() + ": " + arch + " hyper-parameter: ";
        int dim = f.getInt(p + "embedding_length");
        int heads = f.getInt(p + "attention.head_count");
        if (heads <= 0) {
            throw new IllegalArgumentException(hp + "attention.head_count " + heads + " must be positive");
        }
        int headDim = f.has(p + "attention.key_length") ? f.getInt(p + "attention.key_length") : dim / heads;
        if (!f.has(p + "attention.key_length") && dim % heads != 0) {
            throw new IllegalArgumentException(hp + "embedding_length " + dim + " is not a multiple of attention.head_count " + heads);
        }
        if (f.has(p + "attention.value_length") && f.getInt(p + "attention.value_length") != headDim) {
            throw new GgufFormatException(f.path(), -1, p + "attention.value_length differs from key_length; not supported for " + arch);
        }
        // RoPE scaling as llama.cpp reads it: linear (the default type) multiplies angles by 1/factor; 'none'
        // never scales; YaRN and the rest are not implemented here
        String scalingType = f.getString(p + "rope.scaling.type", "linear");
        if (!scalingType.equals("linear") && !scalingType.equals("none")) {
            throw new IllegalArgumentException(f.path() + ": " + p + "rope.scaling.type '" + scalingType
                    + "' is not supported (Minnow runs 'none' and 'linear' RoPE scaling)");
        }
        float factor = f.has(p + "rope.scaling.factor") ? f.getFloat(p + "rope.scaling.factor") : f.getFloat(p + "rope.scale_linear", 0f);
        if (!(factor >= 0) || !Float.isFinite(factor)) {
            throw new IllegalArgumentException(hp + "rope.scaling.factor " + factor + " must be a finite number >= 0");
        }
        float freqScale = factor == 0f || scalingType.equals("none") ? 1f : 1f / factor;
        int contextLength = f.getInt(p + "context_length", 2048);
        try {
            return new LlamaConfig(arch, dim, f.getInt(p + "block_count"), heads,
                    f.getInt(p + "attention.head_count_kv", heads), headDim,
                    f.getInt(p + "feed_forward_length"), vocabSize,
                    contextLength,
                    f.getFloat(p + arch.epsilonKey(), 1e-5f),
                    f.getFloat(p + "rope.freq_base", 10000f),
                    f.getInt(p + "rope.dimension_count", headDim),
                    arch.ropeLayout(), freqScale,
                    f.getFloat(p + "rope.scaling.attn_factor", 1f),
                    f.getInt(p + "rope.scaling.original_context_length", contextLength));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.path() + ": " + e.getMessage(), e);
        }
    }
}
