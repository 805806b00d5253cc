package dev.minnow.models.llm;

import dev.minnow.kernels.Kernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufFormatException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The weights of a {@code llama}-architecture model, viewed in place in their file, and the shape checks that
 * make a bad file fail at load instead of mid-generation. {@link #newSession} makes the mutable state (KV cache,
 * activations) that runs the forward pass.
 */
public final class LlamaModel {
    /** One transformer block: attention then SwiGLU feed-forward, each after an RMSNorm. */
    record Layer(MemorySegment attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                 MemorySegment ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}

    final LlamaConfig config;
    final Kernels kernels;
    final WeightMatrix tokenEmbedding;
    final MemorySegment outputNorm;
    final WeightMatrix output;
    final Layer[] layers;

    LlamaModel(LlamaConfig config, Kernels kernels, WeightMatrix tokenEmbedding, MemorySegment outputNorm,
               WeightMatrix output, Layer[] layers) {
        this.config = config;
        this.kernels = kernels;
        this.tokenEmbedding = tokenEmbedding;
        this.outputNorm = outputNorm;
        this.output = output;
        this.layers = layers;
    }

    public LlamaConfig config() { return config; }

    /** Weights from GGUF tensors named as llama.cpp names them ({@code blk.N.attn_q.weight}, ...). */
    public static LlamaModel fromGguf(GgufFile f, LlamaConfig c, Kernels kernels) {
        Function<String, Tensor> get = name -> {
            if (!f.hasTensor(name)) {
                throw new GgufFormatException(f.path(), -1, "missing tensor '" + name + "' (llama, " + c.layers() + " layers)");
            }
            return f.tensor(name);
        };
        WeightMatrix emb = matrix(f, "token_embd.weight", get.apply("token_embd.weight"), c.vocabSize(), c.dim(), kernels);
        WeightMatrix out = f.hasTensor("output.weight")
                ? matrix(f, "output.weight", get.apply("output.weight"), c.vocabSize(), c.dim(), kernels)
                : emb; // tied embeddings
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(
                    vector(f, p + "attn_norm.weight", get.apply(p + "attn_norm.weight"), c.dim()),
                    matrix(f, p + "attn_q.weight", get.apply(p + "attn_q.weight"), c.qDim(), c.dim(), kernels),
                    matrix(f, p + "attn_k.weight", get.apply(p + "attn_k.weight"), c.kvDim(), c.dim(), kernels),
                    matrix(f, p + "attn_v.weight", get.apply(p + "attn_v.weight"), c.kvDim(), c.dim(), kernels),
                    matrix(f, p + "attn_output.weight", get.apply(p + "attn_output.weight"), c.dim(), c.qDim(), kernels),
                    vector(f, p + "ffn_norm.weight", get.apply(p + "ffn_norm.weight"), c.dim()),
                    matrix(f, p + "ffn_gate.weight", get.apply(p + "ffn_gate.weight"), c.ffnDim(), c.dim(), kernels),
                    matrix(f, p + "ffn_up.weight", get.apply(p + "ffn_up.weight"), c.ffnDim(), c.dim(), kernels),
                    matrix(f, p + "ffn_down.weight", get.apply(p + "ffn_down.weight"), c.dim(), c.ffnDim(), kernels));
        }
        MemorySegment norm = vector(f, "output_norm.weight", get.apply("output_norm.weight"), c.dim());
        return new LlamaModel(c, kernels, emb, norm, out, layers);
    }

    private static WeightMatrix matrix(GgufFile f, String name, Tensor t, int rows, int cols, Kernels kernels) {
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected [" + rows + ", " + cols + "]");
        }
        try {
            return WeightMatrix.of(name, t, kernels);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(f.path(), -1, e.getMessage());
        }
    }

    /** A norm weight as F32: the mapped bytes when F32, else a small converted copy. */
    private static MemorySegment vector(GgufFile f, String name, Tensor t, int n) {
        long[] s = t.shape();
        if (s.length != 1 || s[0] != n) {
            throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected [" + n + "]");
        }
        if (t.dtype() == DType.F32) {
            return t.segment();
        }
        if (!t.dtype().isFloat()) {
            throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' has type " + t.dtype() + ", expected F32 or F16");
        }
        return MemorySegment.ofArray(t.toFloatArray());
    }

    /**
     * A new inference state over this model: a KV cache of {@code contextSize} positions of {@code kvType}, and
     * activation buffers for prompt batches of up to {@code maxBatch} tokens.
     */
    public LlamaSession newSession(int contextSize, KvCacheType kvType, int maxBatch) {
        return new LlamaSession(this, contextSize, kvType, maxBatch);
    }

    public LlamaSession newSession(int contextSize, KvCacheType kvType) {
        return newSession(contextSize, kvType, 64);
    }

    @Override
    public String toString() {
        return "LlamaModel[" + config + ", weights " + layers[0].wq().type() + ", output " + output.type() + "]";
    }
}
