package dev.minnow.models.llm;

import dev.minnow.kernels.RopeLayout;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufFormatException;
import java.util.List;

/**
 * Hyper-parameters of a {@code llama}-architecture model, as GGUF stores them under {@code llama.*}.
 *
 * @param dim          embedding width ({@code embedding_length})
 * @param layers       transformer blocks ({@code block_count})
 * @param heads        query heads ({@code attention.head_count})
 * @param kvHeads      key/value heads ({@code attention.head_count_kv}); heads share them in groups (GQA)
 * @param headDim      width of one head ({@code attention.key_length}, default dim / heads)
 * @param ffnDim       hidden width of the SwiGLU feed-forward ({@code feed_forward_length})
 * @param vocabSize    rows of the token embedding
 * @param contextLength the context the model was trained for ({@code context_length})
 * @param rmsEps       RMSNorm epsilon ({@code attention.layer_norm_rms_epsilon})
 * @param ropeBase     RoPE frequency base ({@code rope.freq_base})
 * @param ropeDim      rotated dims per head ({@code rope.dimension_count}, default headDim)
 * @param ropeLayout   pairing of rotated dims: {@link RopeLayout#INTERLEAVED} for llama (ggml mode 0)
 */
public record LlamaConfig(int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize,
                          int contextLength, float rmsEps, float ropeBase, int ropeDim, RopeLayout ropeLayout) {

    /** Architectures this package runs, by {@code general.architecture}. */
    public static final List<String> SUPPORTED_ARCHITECTURES = List.of("llama");

    public LlamaConfig {
        check(dim > 0 && dim <= 1 << 16, "embedding_length " + dim + " must be in 1..65536");
        check(layers > 0 && layers <= 1024, "block_count " + layers + " must be in 1..1024");
        check(heads > 0 && heads <= 1024, "attention.head_count " + heads + " must be in 1..1024");
        check(kvHeads > 0 && kvHeads <= heads, "attention.head_count_kv " + kvHeads + " must be in 1..head_count (" + heads + ")");
        check(heads % kvHeads == 0, "attention.head_count_kv " + kvHeads + " must divide attention.head_count " + heads);
        check(headDim > 0 && headDim <= 4096, "head dim " + headDim + " must be in 1..4096");
        check(ffnDim > 0 && ffnDim <= 1 << 20, "feed_forward_length " + ffnDim + " must be in 1..1048576");
        check(vocabSize > 0, "vocabulary size " + vocabSize + " must be positive");
        check(contextLength > 0, "context_length " + contextLength + " must be positive");
        check(rmsEps > 0 && Float.isFinite(rmsEps), "attention.layer_norm_rms_epsilon " + rmsEps + " must be positive and finite");
        check(ropeBase > 0 && Float.isFinite(ropeBase), "rope.freq_base " + ropeBase + " must be positive and finite");
        check(ropeDim > 0 && ropeDim <= headDim && ropeDim % 2 == 0,
                "rope.dimension_count " + ropeDim + " must be even and in 2..head dim " + headDim);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("llama hyper-parameter: " + message);
        }
    }

    public int qDim() { return heads * headDim; }

    public int kvDim() { return kvHeads * headDim; }

    /** Query heads per key/value head. */
    public int groupSize() { return heads / kvHeads; }

    /** A config with common defaults (eps 1e-5, base 10000, rope over the whole head). */
    public static LlamaConfig of(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize, int contextLength) {
        if (heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("llama hyper-parameter: embedding_length " + dim
                    + " must be a positive multiple of attention.head_count " + heads);
        }
        int hd = dim / heads;
        return new LlamaConfig(dim, layers, heads, kvHeads, hd, ffnDim, vocabSize, contextLength, 1e-5f, 10000f, hd,
                RopeLayout.INTERLEAVED);
    }

    /** Reads {@code llama.*} keys; throws naming the architecture when it is not supported. */
    public static LlamaConfig fromGguf(GgufFile f, int vocabSize) {
        String arch = f.getString("general.architecture");
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException(f.path() + ": unsupported architecture '" + arch + "'; supported: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES));
        }
        String p = arch + ".";
        int dim = f.getInt(p + "embedding_length");
        int heads = f.getInt(p + "attention.head_count");
        if (heads <= 0) {
            throw new IllegalArgumentException(f.path() + ": llama hyper-parameter: attention.head_count " + heads + " must be positive");
        }
        int headDim = f.has(p + "attention.key_length") ? f.getInt(p + "attention.key_length") : dim / heads;
        if (!f.has(p + "attention.key_length") && dim % heads != 0) {
            throw new IllegalArgumentException(f.path() + ": llama hyper-parameter: embedding_length " + dim
                    + " is not a multiple of attention.head_count " + heads);
        }
        if (f.has(p + "attention.value_length") && f.getInt(p + "attention.value_length") != headDim) {
            throw new GgufFormatException(f.path(), -1, "attention.value_length differs from key_length; not supported for llama");
        }
        try {
            return new LlamaConfig(dim, f.getInt(p + "block_count"), heads,
                    f.getInt(p + "attention.head_count_kv", heads), headDim,
                    f.getInt(p + "feed_forward_length"), vocabSize,
                    f.getInt(p + "context_length", 2048),
                    f.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                    f.getFloat(p + "rope.freq_base", 10000f),
                    f.getInt(p + "rope.dimension_count", headDim),
                    RopeLayout.INTERLEAVED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.path() + ": " + e.getMessage(), e);
        }
    }
}
