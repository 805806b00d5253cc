package dev.minnow.models.llm;

import dev.minnow.kernels.Kernels;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.gguf.GgufFile;
import dev.minnow.tensor.gguf.GgufFormatException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The weights of a decoder of one of the {@link Architecture}s, viewed in place in their file, and the shape checks
 * that make a bad file fail at load instead of mid-generation. {@link #newSession} makes the mutable state (KV cache,
 * activations) that runs the forward pass.
 *
 * <p>Tensors are named as llama.cpp names them ({@code blk.N.attn_q.weight}, ...). Fused tensors are split into row
 * views at load, so the forward pass (and sparse decoding) sees separate matrices: Phi-3's {@code attn_qkv} into Q,
 * K and V, its {@code ffn_up} into gate (first half) and up (second half). A tensor the forward pass would not use
 * is an error, so a file that needs something Minnow does not do never runs with a wrong answer.
 */
public final class LlamaModel {
    /**
     * One transformer block: attention then SwiGLU feed-forward, each after a norm. Biases are null when the file
     * has none; {@code ffnNorm} is null for a parallel-residual block (StableLM 2 12B), whose feed-forward reads the
     * attention's normed input. {@code qNorm}/{@code kNorm} ([heads × headDim], StableLM 2 12B) are per-head LayerNorm
     * weights applied to the queries and keys before RoPE, or null.
     */
    record Layer(MemorySegment attnNorm, MemorySegment attnNormBias,
                 WeightMatrix wq, WeightMatrix wk, WeightMatrix wv,
                 MemorySegment qBias, MemorySegment kBias, MemorySegment vBias,
                 MemorySegment qNorm, MemorySegment kNorm,
                 WeightMatrix wo, MemorySegment woBias,
                 MemorySegment ffnNorm, MemorySegment ffnNormBias,
                 WeightMatrix gate, WeightMatrix up, WeightMatrix down) {

        boolean parallelResidual() { return ffnNorm == null; }
    }

    final LlamaConfig config;
    final Kernels kernels;
    final WeightMatrix tokenEmbedding;
    final MemorySegment outputNorm;
    final MemorySegment outputNormBias;
    final WeightMatrix output;
    /** Added to the logits ({@code output.bias}, optional in llama.cpp's qwen2), or null. */
    final MemorySegment outputBias;
    final Layer[] layers;
    /** RoPE frequency factors (theta of pair i divided by factor i), or null: Llama 3.1's {@code rope_freqs}. */
    final float[] ropeFreqs;
    /** Phi-3 128k's factors for sessions longer / not longer than the original context, or null. */
    final float[] ropeFactorsLong;
    final float[] ropeFactorsShort;

    LlamaModel(LlamaConfig config, Kernels kernels, WeightMatrix tokenEmbedding, MemorySegment outputNorm,
               MemorySegment outputNormBias, WeightMatrix output, MemorySegment outputBias, Layer[] layers, float[] ropeFreqs,
               float[] ropeFactorsLong, float[] ropeFactorsShort) {
        this.config = config;
        this.kernels = kernels;
        this.tokenEmbedding = tokenEmbedding;
        this.outputNorm = outputNorm;
        this.outputNormBias = outputNormBias;
        this.output = output;
        this.outputBias = outputBias;
        this.layers = layers;
        this.ropeFreqs = ropeFreqs;
        this.ropeFactorsLong = ropeFactorsLong;
        this.ropeFactorsShort = ropeFactorsShort;
    }

    public LlamaConfig config() { return config; }

    public Architecture architecture() { return config.architecture(); }

    /** Weights from GGUF tensors named as llama.cpp names them ({@code blk.N.attn_q.weight}, ...). */
    public static LlamaModel fromGguf(GgufFile f, LlamaConfig c, Kernels kernels) {
        return new Loader(f, c, kernels).load();
    }

    /** Reads one file's tensors, remembering which it used. */
    private static final class Loader {
        private final GgufFile f;
        private final LlamaConfig c;
        private final Kernels kernels;
        private final Architecture arch;
        private final Set<String> used = new HashSet<>();

        Loader(GgufFile f, LlamaConfig c, Kernels kernels) {
            this.f = f;
            this.c = c;
            this.kernels = kernels;
            this.arch = c.architecture();
        }

        LlamaModel load() {
            WeightMatrix emb = matrix("token_embd.weight", c.vocabSize(), c.dim());
            WeightMatrix out = f.hasTensor("output.weight") ? matrix("output.weight", c.vocabSize(), c.dim()) : emb; // tied
            boolean layerNorm = arch.norm() == Architecture.Norm.LAYER;
            Layer[] layers = new Layer[c.layers()];
            for (int l = 0; l < layers.length; l++) {
                String p = "blk." + l + ".";
                MemorySegment attnNorm = vector(p + "attn_norm.weight", c.dim());
                MemorySegment attnNormBias = layerNorm ? optionalVector(p + "attn_norm.bias", c.dim()) : null;
                WeightMatrix wq, wk, wv;
                MemorySegment bq, bk, bv;
                if (f.hasTensor(p + "attn_qkv.weight")) {
                    // fused: Q rows, then K rows, then V rows
                    String name = p + "attn_qkv.weight";
                    Tensor t = tensor(name);
                    shape(name, t, c.qDim() + 2L * c.kvDim(), c.dim());
                    wq = rows(name, t, 0, c.qDim());
                    wk = rows(name, t, c.qDim(), c.kvDim());
                    wv = rows(name, t, c.qDim() + c.kvDim(), c.kvDim());
                    MemorySegment b = optionalVector(p + "attn_qkv.bias", c.qDim() + 2 * c.kvDim());
                    bq = b == null ? null : b.asSlice(0, c.qDim() * 4L);
                    bk = b == null ? null : b.asSlice(c.qDim() * 4L, c.kvDim() * 4L);
                    bv = b == null ? null : b.asSlice((c.qDim() + (long) c.kvDim()) * 4, c.kvDim() * 4L);
                } else {
                    wq = matrix(p + "attn_q.weight", c.qDim(), c.dim());
                    wk = matrix(p + "attn_k.weight", c.kvDim(), c.dim());
                    wv = matrix(p + "attn_v.weight", c.kvDim(), c.dim());
                    bq = optionalVector(p + "attn_q.bias", c.qDim());
                    bk = optionalVector(p + "attn_k.bias", c.kvDim());
                    bv = optionalVector(p + "attn_v.bias", c.kvDim());
                }
                MemorySegment qNorm = null, kNorm = null;
                if (arch == Architecture.STABLELM) {
                    // optional per-head LayerNorms of Q and K, ggml shape {headDim, heads}
                    qNorm = optionalHeadNorm(p + "attn_q_norm.weight", c.heads());
                    kNorm = optionalHeadNorm(p + "attn_k_norm.weight", c.kvHeads());
                }
                WeightMatrix wo = matrix(p + "attn_output.weight", c.dim(), c.qDim());
                MemorySegment bo = optionalVector(p + "attn_output.bias", c.dim());
                MemorySegment ffnNorm;
                if (arch == Architecture.STABLELM) {
                    ffnNorm = optionalVector(p + "ffn_norm.weight", c.dim()); // absent: parallel residual
                } else {
                    ffnNorm = vector(p + "ffn_norm.weight", c.dim());
                }
                MemorySegment ffnNormBias = layerNorm && ffnNorm != null ? optionalVector(p + "ffn_norm.bias", c.dim()) : null;
                WeightMatrix gate, up;
                if (arch == Architecture.PHI3) {
                    // fused gate+up, [2·ffn, dim]: gate rows first, as Phi3MLP's chunk(2) and ggml's swiglu split it
                    String name = p + "ffn_up.weight";
                    Tensor t = tensor(name);
                    shape(name, t, 2L * c.ffnDim(), c.dim());
                    gate = rows(name, t, 0, c.ffnDim());
                    up = rows(name, t, c.ffnDim(), c.ffnDim());
                } else {
                    gate = matrix(p + "ffn_gate.weight", c.ffnDim(), c.dim());
                    up = matrix(p + "ffn_up.weight", c.ffnDim(), c.dim());
                }
                WeightMatrix down = matrix(p + "ffn_down.weight", c.dim(), c.ffnDim());
                layers[l] = new Layer(attnNorm, attnNormBias, wq, wk, wv, bq, bk, bv, qNorm, kNorm, wo, bo, ffnNorm, ffnNormBias,
                        gate, up, down);
            }
            MemorySegment norm = vector("output_norm.weight", c.dim());
            MemorySegment normBias = layerNorm ? optionalVector("output_norm.bias", c.dim()) : null;
            float[] freqs = factors("rope_freqs.weight");
            float[] longF = null, shortF = null;
            if (arch == Architecture.PHI3) {
                longF = factors("rope_factors_long.weight");
                shortF = factors("rope_factors_short.weight");
                if ((longF == null) != (shortF == null)) {
                    throw new GgufFormatException(f.path(), -1, "phi3: rope_factors_long.weight and rope_factors_short.weight "
                            + "must both be present or both absent");
                }
            }
            MemorySegment outBias = optionalVector("output.bias", c.vocabSize());
            checkAllUsed();
            return new LlamaModel(c, kernels, emb, norm, normBias, out, outBias, layers, freqs, longF, shortF);
        }

        /** Every tensor must have been read: one the forward pass ignores would make its answers wrong. */
        private void checkAllUsed() {
            for (String name : f.tensorInfos().keySet()) {
                if (!used.contains(name)) {
                    String why = name.endsWith("attn_q_norm.weight") || name.endsWith("attn_k_norm.weight")
                            ? "per-head query/key norms are supported for stablelm only"
                            : "the " + arch + " forward pass Minnow runs does not use it";
                    throw new GgufFormatException(f.path(), -1, "unexpected tensor '" + name + "': " + why);
                }
            }
        }

        private Tensor tensor(String name) {
            if (!f.hasTensor(name)) {
                throw new GgufFormatException(f.path(), -1, "missing tensor '" + name + "' (" + arch + ", " + c.layers() + " layers)");
            }
            used.add(name);
            return f.tensor(name);
        }

        private void shape(String name, Tensor t, long rows, long cols) {
            long[] s = t.shape();
            if (s.length != 2 || s[0] != rows || s[1] != cols) {
                throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' has shape " + Arrays.toString(s)
                        + ", expected [" + rows + ", " + cols + "]");
            }
        }

        private WeightMatrix matrix(String name, int rows, int cols) {
            Tensor t = tensor(name);
            shape(name, t, rows, cols);
            return rows(name, t, 0, rows);
        }

        private WeightMatrix rows(String name, Tensor t, int first, int n) {
            try {
                return WeightMatrix.rowsOf(name, t, first, n, kernels);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(f.path(), -1, e.getMessage());
            }
        }

        private MemorySegment optionalVector(String name, int n) {
            return f.hasTensor(name) ? vector(name, n) : null;
        }

        /** A norm weight or bias as F32: the mapped bytes when F32, else a small converted copy. */
        private MemorySegment vector(String name, int n) {
            Tensor t = tensor(name);
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

        /** A per-head norm weight of shape [heads, headDim] as F32, or null when absent. */
        private MemorySegment optionalHeadNorm(String name, int heads) {
            if (!f.hasTensor(name)) {
                return null;
            }
            Tensor t = tensor(name);
            shape(name, t, heads, c.headDim());
            if (t.dtype() == DType.F32) {
                return t.segment();
            }
            if (!t.dtype().isFloat()) {
                throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' has type " + t.dtype() + ", expected F32 or F16");
            }
            return MemorySegment.ofArray(t.toFloatArray());
        }

        /** RoPE frequency factors, ropeDim/2 positive finite floats, or null when the file has none. */
        private float[] factors(String name) {
            if (!f.hasTensor(name)) {
                return null;
            }
            MemorySegment v = vector(name, c.ropeDim() / 2);
            float[] a = v.toArray(WeightMatrix.F32);
            for (int i = 0; i < a.length; i++) {
                if (!(a[i] > 0) || !Float.isFinite(a[i])) {
                    throw new GgufFormatException(f.path(), -1, "tensor '" + name + "' value " + i + " is " + a[i]
                            + "; RoPE frequency factors must be positive and finite");
                }
            }
            return a;
        }
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

    /** The RoPE factors a session of {@code contextSize} positions uses, as llama.cpp chooses them, or null. */
    float[] ropeFactors(int contextSize) {
        if (ropeFreqs != null) {
            return ropeFreqs;
        }
        if (ropeFactorsLong != null) {
            return contextSize > config.ropeOriginalContext() ? ropeFactorsLong : ropeFactorsShort;
        }
        return null;
    }

    @Override
    public String toString() {
        return "LlamaModel[" + config + ", weights " + layers[0].wq().type() + ", output " + output.type() + "]";
    }
}
