package dev.minnow.models.llm;

import dev.minnow.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Keys and values of every layer for positions {@code [0, capacity)}: per layer two {@code capacity × kvDim}
 * arrays in F32 or F16, off-heap. {@link #attendHead} runs one query head over positions {@code 0..last}: scores,
 * softmax, weighted sum of values. The F32 keys are stored transposed ({@code kvDim × capacity}: dimension j of all
 * positions in one row), so the scores of a vector's worth of positions are one multiply-add per key dimension
 * ({@link Kernels#dotColumns}) instead of a dot product and a lane sum per position; the values stay row-major
 * ({@link Kernels#axpyRows}). The F16 cache keeps ggml's row-major layout and roundings.
 */
final class KvCache implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = WeightMatrix.F32;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final KvCacheType type;
    final int capacity;
    final int kvDim;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    KvCache(KvCacheType type, int layers, int capacity, int kvDim) {
        this.type = type;
        this.capacity = capacity;
        this.kvDim = kvDim;
        long bytes = (long) capacity * kvDim * (type == KvCacheType.F32 ? 4 : 2);
        keys = new MemorySegment[layers];
        values = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = arena.allocate(bytes, 64);
            values[l] = arena.allocate(bytes, 64);
        }
    }

    /** Bytes held by the cache. */
    long byteSize() {
        return 2L * keys.length * keys[0].byteSize();
    }

    void store(int layer, int pos, MemorySegment k, long kOff, MemorySegment v, long vOff) {
        long base = (long) pos * kvDim;
        if (type == KvCacheType.F32) {
            MemorySegment kt = keys[layer]; // transposed: key dimension j of every position is one row
            for (int j = 0; j < kvDim; j++) {
                kt.setAtIndex(F32, (long) j * capacity + pos, k.getAtIndex(F32, kOff + j));
            }
            MemorySegment.copy(v, vOff * 4, values[layer], base * 4, kvDim * 4L);
        } else {
            for (int i = 0; i < kvDim; i++) {
                keys[layer].setAtIndex(F16, base + i, Float.floatToFloat16(k.getAtIndex(F32, kOff + i)));
                values[layer].setAtIndex(F16, base + i, Float.floatToFloat16(v.getAtIndex(F32, vOff + i)));
            }
        }
    }

    /**
     * out[0..headDim) = Σ_s softmax(scale · q·k_s) v_s over s in 0..last, for the keys and values of
     * {@code kvHead}. {@code scores} and the off-heap {@code probs} hold at least last+1 floats; {@code work} at least headDim floats.
     */
    void attendHead(Kernels kernels, int layer, int last, int kvHead, int headDim, MemorySegment q, long qOff,
                    float scale, float[] scores, MemorySegment probs, float[] work, MemorySegment out, long outOff) {
        if (type == KvCacheType.F32) {
            attendF32(kernels, layer, last, kvHead, headDim, q, qOff, scale, scores, probs, out, outOff);
        } else {
            attendF16(layer, last, kvHead, headDim, q, qOff, scale, scores, work, out, outOff);
        }
    }

    private void attendF32(Kernels kernels, int layer, int last, int kvHead, int headDim, MemorySegment q, long qOff,
                           float scale, float[] scores, MemorySegment probs, MemorySegment out, long outOff) {
        int n = last + 1;
        long headBase = (long) kvHead * headDim;
        MemorySegment k = keys[layer];
        MemorySegment v = values[layer];
        kernels.dotColumns(n, headDim, k, headBase * capacity, capacity, q, qOff, scale, scores); // positions in lanes
        MemorySegment.copy(scores, 0, probs, F32, 0, n);
        kernels.softmax(n, probs, 0);
        MemorySegment.copy(probs, F32, 0, scores, 0, n);
        for (int i = 0; i < headDim; i++) {   // not asSlice(..).fill: C2 kept that slice on the heap (~30 kB per token)
            out.set(F32, (outOff + i) * 4, 0f);
        }
        kernels.axpyRows(n, headDim, scores, v, headBase, kvDim, out, outOff); // n axpy calls' floats, one call
    }

    /**
     * The F16 cache reproduces ggml's CPU attention over an F16 cache (two matrix products with a softmax between):
     * the query is rounded to F16 for the q·k products, and the softmax probabilities are rounded to F16 for the
     * product with the values; accumulation is f32. Downstream Q8_0 activation rounding amplifies any difference
     * here, so these roundings are reproduced rather than skipped (against llama.cpp on the F32 fixture model:
     * 3.6e-5 of the logit range with them, 1.4e-4 without; an online-softmax flash-attention emulation with an F16
     * accumulator gave 2.2e-4, so that is not what the reference ran).
     */
    private void attendF16(int layer, int last, int kvHead, int headDim, MemorySegment q, long qOff, float scale,
                           float[] scores, float[] work, MemorySegment out, long outOff) {
        long headBase = (long) kvHead * headDim;
        MemorySegment k = keys[layer];
        MemorySegment v = values[layer];
        for (int i = 0; i < headDim; i++) {
            work[i] = Float.float16ToFloat(Float.floatToFloat16(q.getAtIndex(F32, qOff + i)));
        }
        int n = last + 1;
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < n; s++) {
            long base = (long) s * kvDim + headBase;
            float dot = 0f;
            for (int i = 0; i < headDim; i++) {
                dot += Float.float16ToFloat(k.getAtIndex(F16, base + i)) * work[i];
            }
            scores[s] = dot * scale;
            max = Math.max(max, scores[s]);
        }
        double sum = 0;
        for (int s = 0; s < n; s++) {
            scores[s] = (float) Math.exp(scores[s] - max);
            sum += scores[s];
        }
        float inv = (float) (1.0 / sum);
        for (int s = 0; s < n; s++) {
            scores[s] = Float.float16ToFloat(Float.floatToFloat16(scores[s] * inv));
        }
        for (int i = 0; i < headDim; i++) {
            work[i] = 0f; // now the accumulator
        }
        for (int s = 0; s < n; s++) {
            long base = (long) s * kvDim + headBase;
            float p = scores[s];
            for (int i = 0; i < headDim; i++) {
                work[i] += Float.float16ToFloat(v.getAtIndex(F16, base + i)) * p;
            }
        }
        MemorySegment.copy(work, 0, out, F32, outOff * 4, headDim);
    }

    @Override
    public void close() {
        arena.close();
    }
}
