package dev.minnow.models.llm;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One sequence's state: the KV cache, the position, and the activation buffers of the forward pass (named as in
 * llama2.c). {@link #forward} feeds tokens at the current position and returns the logits after the last one.
 * Prompts go through in batches (matrix-matrix products), single tokens through matrix-vector products. Not
 * thread-safe; the kernels themselves use all threads.
 */
public final class LlamaSession implements AutoCloseable {
    private final LlamaModel model;
    private final LlamaConfig c;
    private final Kernels kernels;
    private final KvCache cache;
    private final int maxBatch;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment x;      // residual stream [batch, dim]
    private final MemorySegment xb;     // normed input of a sublayer [batch, dim]
    private final MemorySegment xb2;    // sublayer output [batch, dim]
    private final MemorySegment q;      // queries [batch, qDim]
    private final MemorySegment k;      // keys [batch, kvDim]
    private final MemorySegment v;      // values [batch, kvDim]
    private final MemorySegment att;    // attention output [batch, qDim]
    private final MemorySegment hb;     // ffn gate, then silu(gate)·up [batch, ffn]
    private final MemorySegment hb2;    // ffn up [batch, ffn]
    private final MemorySegment logits; // [vocab]
    private final float[][] scores;     // per head [context]
    private final MemorySegment[] probs; // per head [context], off-heap for the softmax kernel
    private final float[][] attnWork;   // per head [headDim] (F16 cache)
    private final float[] embedRow;
    private final float[] cos;
    private final float[] sin;
    private final float[] ropeFactors; // per rotated pair, theta divided by it; null: none
    private int position;
    private long rewinds;
    private dev.minnow.models.sparse.SparseFfn sparse; // sparse decoding hook (null: dense)

    LlamaSession(LlamaModel model, int contextSize, KvCacheType kvType, int maxBatch) {
        this.model = model;
        this.c = model.config;
        this.kernels = model.kernels;
        if (contextSize < 1) {
            throw new IllegalArgumentException("context size must be positive, got " + contextSize);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + maxBatch);
        }
        this.maxBatch = Math.min(maxBatch, contextSize);
        this.cache = new KvCache(kvType, c.layers(), contextSize, c.kvDim());
        int b = this.maxBatch;
        x = alloc((long) b * c.dim());
        xb = alloc((long) b * c.dim());
        xb2 = alloc((long) b * c.dim());
        q = alloc((long) b * c.qDim());
        k = alloc((long) b * c.kvDim());
        v = alloc((long) b * c.kvDim());
        att = alloc((long) b * c.qDim());
        hb = alloc((long) b * c.ffnDim());
        hb2 = alloc((long) b * c.ffnDim());
        logits = alloc(c.vocabSize());
        scores = new float[c.heads()][contextSize];
        probs = new MemorySegment[c.heads()];
        for (int h = 0; h < probs.length; h++) {
            probs[h] = alloc(contextSize);
        }
        attnWork = new float[c.heads()][c.headDim()];
        embedRow = new float[c.dim()];
        cos = new float[c.ropeDim() / 2];
        sin = new float[c.ropeDim() / 2];
        ropeFactors = model.ropeFactors(contextSize);
    }

    private MemorySegment alloc(long floats) {
        return arena.allocate(floats * 4, 64);
    }

    /** Positions already in the cache. */
    public int position() { return position; }

    public int contextSize() { return cache.capacity; }

    public KvCacheType kvCacheType() { return cache.type; }

    /**
     * Sets how decode steps sparsify the FFNs (see {@link dev.minnow.models.sparse.SparseFfn}); the same policy
     * keeps its state (calibration, the current core set), a new one starts fresh.
     */
    public void sparsity(dev.minnow.models.sparse.Sparsity s) {
        if (sparse != null && sparse.sparsity().equals(s)) {
            return;
        }
        if (sparse != null) {
            sparse.close();
            sparse = null;
        }
        if (s != null && !(s instanceof dev.minnow.models.sparse.Sparsity.Dense)) {
            int n = c.layers();
            WeightMatrix[] g = new WeightMatrix[n], u = new WeightMatrix[n], d = new WeightMatrix[n];
            for (int l = 0; l < n; l++) {
                g[l] = model.layers[l].gate();
                u[l] = model.layers[l].up();
                d[l] = model.layers[l].down();
            }
            sparse = new dev.minnow.models.sparse.SparseFfn(s, kernels, c.dim(), c.ffnDim(), g, u, d);
        }
    }

    /** The sparse decoding state, or null when decoding is dense. */
    public dev.minnow.models.sparse.SparseFfn sparseFfn() { return sparse; }

    /** Forgets the sequence (the cache is overwritten from position 0). */
    public void reset() { position = 0; rewinds++; }

    /** How many times {@link #reset} or {@link #rewind} ran: whoever keeps track of the cached tokens can tell. */
    public long rewinds() { return rewinds; }

    /**
     * Keeps the first {@code position} positions and forgets the rest: the next {@link #forward} writes the cache
     * from there (a conversation whose new prompt shares only a prefix with what is cached).
     */
    public void rewind(int position) {
        if (position < 0 || position > this.position) {
            throw new IllegalArgumentException("cannot rewind to position " + position + ": the cache holds " + this.position + " positions");
        }
        this.position = position;
        rewinds++;
    }

    /**
     * Runs {@code tokens} at the current position and returns the logits after the last of them (a new array).
     * Throws when the tokens would run past the context.
     */
    public float[] forward(int... tokens) {
        return run(tokens, null, null);
    }

    /**
     * As {@link #forward}, writing the logits into {@code out} (length ≥ the vocabulary) and returning it: the decode
     * loop's allocation-free form.
     */
    public float[] forwardInto(float[] out, int... tokens) {
        if (out.length < c.vocabSize()) {
            throw new IllegalArgumentException("logits buffer of " + out.length + " floats, the vocabulary has " + c.vocabSize());
        }
        return run(tokens, null, out);
    }

    /**
     * Runs {@code tokens} at the current position and returns the logits after every one of them
     * ({@code [tokens.length][vocab]}), as perplexity needs.
     */
    public float[][] forwardAll(int... tokens) {
        float[][] all = new float[tokens.length][];
        run(tokens, all, null);
        return all;
    }

    private float[] run(int[] tokens, float[][] all, float[] into) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        if ((long) position + tokens.length > cache.capacity) {
            throw new IllegalStateException("context full: " + position + " positions used + " + tokens.length
                    + " new tokens > context size " + cache.capacity + "; use a larger context (--ctx) or fewer tokens");
        }
        for (int t : tokens) {
            if (t < 0 || t >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + c.vocabSize());
            }
        }
        if (sparse != null) {
            sparse.beginRun(tokens.length);
        }
        for (int start = 0; start < tokens.length; start += maxBatch) {
            int n = Math.min(maxBatch, tokens.length - start);
            layers(tokens, start, n);
            position += n;
            if (all != null) {
                MemorySegment batchLogits = batchLogits();
                for (int t = 0; t < n; t++) {
                    norm(x, (long) t * c.dim(), model.outputNorm, model.outputNormBias, xb, (long) t * c.dim());
                }
                if (n == 1) {
                    model.output.gemv(xb, 0, batchLogits, 0);
                } else {
                    model.output.gemm(n, xb, 0, batchLogits, 0);
                }
                addBias(n, c.vocabSize(), batchLogits, model.outputBias);
                for (int t = 0; t < n; t++) {
                    all[start + t] = new float[c.vocabSize()];
                    MemorySegment.copy(batchLogits, WeightMatrix.F32, (long) t * c.vocabSize() * 4, all[start + t], 0, c.vocabSize());
                }
            }
        }
        if (all != null) {
            return all[tokens.length - 1];
        }
        // logits of the last token only
        int last = ((tokens.length - 1) % maxBatch);
        norm(x, (long) last * c.dim(), model.outputNorm, model.outputNormBias, xb, 0);
        model.output.gemv(xb, 0, logits, 0);
        addBias(1, c.vocabSize(), logits, model.outputBias);
        float[] out = into != null ? into : new float[c.vocabSize()];
        MemorySegment.copy(logits, WeightMatrix.F32, 0, out, 0, c.vocabSize());
        return out;
    }

    private MemorySegment batchLogitsBuffer;

    private MemorySegment batchLogits() {
        if (batchLogitsBuffer == null) {
            batchLogitsBuffer = alloc((long) maxBatch * c.vocabSize());
        }
        return batchLogitsBuffer;
    }

    /** The architecture's norm of x[off .. off+dim) into out: RMSNorm, or LayerNorm with an optional bias. */
    private void norm(MemorySegment in, long inOff, MemorySegment w, MemorySegment bias, MemorySegment out, long outOff) {
        switch (c.norm()) {
            case RMS -> kernels.rmsNorm(c.dim(), in, inOff, w, 0, c.normEps(), out, outOff);
            case LAYER -> kernels.layerNorm(c.dim(), in, inOff, w, 0, bias, 0, c.normEps(), out, outOff);
        }
    }

    /** Adds {@code bias} (length {@code width}) to each of the n rows of {@code rows}; nothing when it is null. */
    private void addBias(int n, int width, MemorySegment rows, MemorySegment bias) {
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                kernels.add(width, rows, (long) t * width, bias, 0, rows, (long) t * width);
            }
        }
    }

    /** LayerNorm of each head of each of the n rows of {@code rows} with that head's weights; nothing when null. */
    private void headNorm(int n, int heads, MemorySegment rows, MemorySegment w) {
        if (w != null) {
            int hd = c.headDim();
            for (int t = 0; t < n; t++) {
                for (int h = 0; h < heads; h++) {
                    long off = ((long) t * heads + h) * hd;
                    kernels.layerNorm(hd, rows, off, w, (long) h * hd, null, 0, c.normEps(), rows, off);
                }
            }
        }
    }

    private void matmul(WeightMatrix w, int n, MemorySegment in, MemorySegment out) {
        if (n == 1) {
            w.gemv(in, 0, out, 0);
        } else {
            w.gemm(n, in, 0, out, 0);
        }
    }

    /** The transformer blocks for tokens[start .. start+n) at positions position .. position+n. */
    private void layers(int[] tokens, int start, int n) {
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int hd = c.headDim();
        for (int t = 0; t < n; t++) {
            model.tokenEmbedding.row(tokens[start + t], embedRow);
            MemorySegment.copy(embedRow, 0, x, WeightMatrix.F32, (long) t * dim * 4, dim);
        }
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int l = 0; l < c.layers(); l++) {
            LlamaModel.Layer layer = model.layers[l];
            // attention
            Parallel.forRange(n, ROWS_GRAIN, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    norm(x, (long) t * dim, layer.attnNorm(), layer.attnNormBias(), xb, (long) t * dim);
                }
            });
            matmul(layer.wq(), n, xb, q);
            matmul(layer.wk(), n, xb, k);
            matmul(layer.wv(), n, xb, v);
            addBias(n, qDim, q, layer.qBias());
            addBias(n, kvDim, k, layer.kBias());
            addBias(n, kvDim, v, layer.vBias());
            headNorm(n, c.heads(), q, layer.qNorm());
            headNorm(n, c.kvHeads(), k, layer.kNorm());
            for (int t = 0; t < n; t++) {
                int pos = position + t;
                ropeTables(pos);
                kernels.rope(c.ropeLayout(), c.heads(), hd, c.ropeDim(), cos, sin, q, (long) t * qDim);
                kernels.rope(c.ropeLayout(), c.kvHeads(), hd, c.ropeDim(), cos, sin, k, (long) t * kvDim);
                cache.store(l, pos, k, (long) t * kvDim, v, (long) t * kvDim);
            }
            final int layerIndex = l;
            // one parallel loop over the heads, each through every token of the batch (a head's scratch is its own):
            // a loop per token cost a dispatch per token and left the early tokens on one thread
            Parallel.RangeBody heads = (h0, h1) -> {
                for (int h = h0; h < h1; h++) {
                    for (int t = 0; t < n; t++) {
                        long qRow = (long) t * qDim;
                        cache.attendHead(kernels, layerIndex, position + t, h / c.groupSize(), hd, q, qRow + (long) h * hd,
                                scale, scores[h], probs[h], attnWork[h], att, qRow + (long) h * hd);
                    }
                }
            };
            // a parallel loop costs a few microseconds: only worth it when the heads have real work
            long positions = (long) n * position + (long) n * (n + 1) / 2;   // Σ (pos + 1) over the batch
            if ((long) c.heads() * positions * hd >= 1 << 16) {
                Parallel.forRange(c.heads(), 1, heads);
            } else {
                heads.run(0, c.heads());
            }
            matmul(layer.wo(), n, att, xb2);
            addBias(n, dim, xb2, layer.woBias());
            addRows(n, x, xb2);
            // feed-forward: on the normed residual, or (parallel residual) on the attention's normed input, still in xb
            if (!layer.parallelResidual()) {
                Parallel.forRange(n, ROWS_GRAIN, (t0, t1) -> {
                    for (int t = t0; t < t1; t++) {
                        norm(x, (long) t * dim, layer.ffnNorm(), layer.ffnNormBias(), xb, (long) t * dim);
                    }
                });
            }
            if (n > 1 || sparse == null || !sparse.decode(l, xb, xb2)) {
                matmul(layer.gate(), n, xb, hb);
                matmul(layer.up(), n, xb, hb2);
                int ffn = c.ffnDim();
                Parallel.forRange(n, ROWS_GRAIN, (t0, t1) -> {
                    kernels.activate(Activation.SILU, (t1 - t0) * ffn, hb, (long) t0 * ffn);
                    kernels.mul((t1 - t0) * ffn, hb, (long) t0 * ffn, hb2, (long) t0 * ffn, hb, (long) t0 * ffn);
                });
                if (n > 1 && sparse != null) {
                    sparse.record(l, n, xb, hb);
                }
                matmul(layer.down(), n, hb, xb2);
            }
            addRows(n, x, xb2);
        }
    }

    /** Batch rows per task of the row-wise steps between the matrix products (norms, SwiGLU, residual adds). */
    private static final int ROWS_GRAIN = 8;

    /** x += y over n rows of the model width, in row ranges on the active threads. */
    private void addRows(int n, MemorySegment x, MemorySegment y) {
        int dim = c.dim();
        Parallel.forRange(n, ROWS_GRAIN, (t0, t1) -> kernels.add((t1 - t0) * dim, x, (long) t0 * dim, y, (long) t0 * dim, x, (long) t0 * dim));
    }

    /**
     * cos/sin of freqScale · pos·base^(-2i/ropeDim) / factor[i], times the attention factor, computed as ggml's
     * rope cache does (float theta, multiplied pair by pair; YaRN's extrapolation mix off).
     */
    private void ropeTables(int pos) {
        float thetaScale = (float) Math.pow(c.ropeBase(), -2.0 / c.ropeDim());
        float freqScale = c.ropeFreqScale();
        float mscale = c.ropeAttnFactor();
        float theta = pos;
        for (int i = 0; i < cos.length; i++) {
            float angle = ropeFactors == null ? theta : theta / ropeFactors[i];
            angle *= freqScale;
            cos[i] = (float) Math.cos(angle) * mscale;
            sin[i] = (float) Math.sin(angle) * mscale;
            theta *= thetaScale;
        }
    }

    @Override
    public void close() {
        if (sparse != null) {
            sparse.close();
        }
        cache.close();
        arena.close();
    }
}
