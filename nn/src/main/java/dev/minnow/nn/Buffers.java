package dev.minnow.nn;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Half;
import dev.minnow.tensor.Shapes;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Activation buffers and weight conversion. Activations live in automatic arenas (freed by the GC, shareable with
 * the kernel threads), so a forward pass never closes a shared arena per layer.
 *
 * <p>Inside {@link #recycling} the calling thread's buffers come from a pool that the next pass reuses: a model's
 * forward pass asks for the same sizes every time, so after the first pass nothing is allocated (fresh native
 * memory costs page faults and zeroing on every layer). The pass must not let a pooled tensor escape:
 * {@link #recycling} copies its result out of the pool.
 */
public final class Buffers {
    private Buffers() {}

    /** Pooled segments of one thread, reused from the start at each outermost {@link #recycling} call. */
    private static final class Pool {
        final java.util.ArrayList<MemorySegment> segments = new java.util.ArrayList<>();
        final java.util.ArrayList<Boolean> used = new java.util.ArrayList<>();
        int depth;

        MemorySegment take(long bytes, boolean zero) {
            // the exact size first (a pass allocates the same sizes in the same order each time), else the smallest
            // free one of up to twice the size (one released early in this pass, likely still in cache)
            int best = -1;
            for (int i = 0; i < segments.size(); i++) {
                long have = segments.get(i).byteSize();
                if (!used.get(i) && have == bytes) {
                    best = i;
                    break;
                }
                if (BEST_FIT && !used.get(i) && have > bytes && have <= 2 * bytes && (best < 0 || have < segments.get(best).byteSize())) {
                    best = i;
                }
            }
            if (best >= 0) {
                used.set(best, Boolean.TRUE);
                MemorySegment m = segments.get(best).asSlice(0, bytes);
                return zero ? m.fill((byte) 0) : m;
            }
            MemorySegment s = Arena.ofAuto().allocate(bytes, 64);
            if (segments.size() < 4096) {
                segments.add(s);
                used.add(Boolean.TRUE);
            }
            return s;
        }

        void release() {
            java.util.Collections.fill(used, Boolean.FALSE);
        }

        /** Returns one pooled segment (the same address and size) for reuse within the pass; false if none is. */
        boolean release(MemorySegment m) {
            for (int i = segments.size() - 1; i >= 0; i--) {
                MemorySegment p = segments.get(i);
                if (used.get(i) && p.address() == m.address() && m.byteSize() <= p.byteSize()) {
                    used.set(i, Boolean.FALSE);
                    return true;
                }
            }
            return false;
        }
    }

    private static final ThreadLocal<Pool> POOL = new ThreadLocal<>();

    /** {@code -Dminnow.buffers.bestFit=false} (read at start): pooled buffers are reused at their exact size only. */
    private static final boolean BEST_FIT = !"false".equals(System.getProperty("minnow.buffers.bestFit"));

    /**
     * Runs {@code pass} with this thread's activation buffers recycled between calls, and returns its result
     * copied out of the pool. Nested calls share the outer pool.
     */
    public static Tensor recycling(java.util.function.Supplier<Tensor> pass) {
        Pool pool = POOL.get();
        if (pool == null) {
            pool = new Pool();
            POOL.set(pool);
        }
        if (pool.depth > 0) {
            return pass.get();
        }
        pool.depth++;
        try {
            Tensor result = pass.get();
            Tensor out = unpooled(result.shape());
            MemorySegment.copy(Buffers.asF32(result.contiguous()).segment(), 0, out.segment(), 0, out.segment().byteSize());
            return out;
        } finally {
            pool.depth--;
            pool.release();
        }
    }

    /**
     * Hands {@code t}'s buffer back to this thread's pool before the {@link #recycling} pass ends, so that a later
     * allocation of the same size in the pass reuses it (while it is still in cache): only for a tensor that nothing
     * reads again, and that no live tensor shares memory with. A tensor that is not a whole pooled buffer (a view, a
     * constant, the caller's input) is left alone. Returns whether a buffer was released.
     */
    public static boolean releaseEarly(Tensor t) {
        Pool pool = POOL.get();
        if (pool == null || pool.depth == 0 || t == null || !t.segment().isNative()) {
            return false;
        }
        return pool.release(t.segment());
    }

    /** Scratch memory of {@code bytes}, zero-filled, pooled inside {@link #recycling}. */
    public static MemorySegment scratch(long bytes) {
        return scratch(bytes, true);
    }

    /**
     * Scratch memory of {@code bytes} whose contents are unspecified (a pooled segment keeps what its last user
     * wrote): for a caller that writes every byte before reading any.
     */
    public static MemorySegment scratchOverwritten(long bytes) {
        return scratch(bytes, false);
    }

    private static MemorySegment scratch(long bytes, boolean zero) {
        Pool pool = POOL.get();
        long n = Math.max(bytes, 4);
        if (pool != null && pool.depth > 0) {
            return pool.take(n, zero);
        }
        return Arena.ofAuto().allocate(n, 64);
    }

    /** An F32 tensor of {@code shape} with unspecified contents (see {@link #scratchOverwritten}). */
    public static Tensor f32Overwritten(long... shape) {
        long n = Shapes.elementCount(shape);
        return Tensor.wrap(scratch(n * 4, false).asSlice(0, n * 4), DType.F32, shape);
    }

    /** A zero-filled F32 tensor of {@code shape}, 64-byte aligned (pooled inside {@link #recycling}). */
    public static Tensor f32(long... shape) {
        long n = Shapes.elementCount(shape);
        MemorySegment seg = scratch(n * 4);
        return Tensor.wrap(seg.asSlice(0, n * 4), DType.F32, shape);
    }

    private static Tensor unpooled(long... shape) {
        long n = Shapes.elementCount(shape);
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, n) * 4, 64);
        return Tensor.wrap(seg.asSlice(0, n * 4), DType.F32, shape);
    }

    /** A copy of {@code data} as an F32 tensor of {@code shape} in an automatic arena. */
    public static Tensor f32(float[] data, long... shape) {
        Tensor t = f32(shape);
        if (t.elementCount() != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + t.elementCount() + " values, got " + data.length);
        }
        MemorySegment.copy(data, 0, t.segment(), Tensor.F32_LE, 0, data.length);
        return t;
    }

    /**
     * {@code t} as a contiguous F32 tensor: {@code t} itself when it already is one (a view, no copy), else a converted
     * copy (F16, BF16, F64 and integer types).
     */
    public static Tensor asF32(Tensor t) {
        if (t.dtype() == DType.F32 && t.isContiguous()) {
            return t;
        }
        Tensor out = f32(t.shape());
        MemorySegment src = t.contiguous().segment();
        MemorySegment dst = out.segment();
        long n = t.elementCount();
        switch (t.dtype()) {
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    dst.setAtIndex(Tensor.F32_LE, i, Half.f16ToF32(src.getAtIndex(Tensor.I16_LE, i)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    dst.setAtIndex(Tensor.F32_LE, i, Half.bf16ToF32(src.getAtIndex(Tensor.I16_LE, i)));
                }
            }
            default -> MemorySegment.copy(t.toFloatArray(), 0, dst, Tensor.F32_LE, 0, (int) n);
        }
        return out;
    }

    /** Requires an NCHW F32 contiguous tensor with {@code channels} channels (or any when negative). */
    static void checkNchw(String op, Tensor x, int channels) {
        if (x.dtype() != DType.F32 || x.rank() != 4 || !x.isContiguous()) {
            throw new IllegalArgumentException(op + " expects a contiguous F32 NCHW tensor, got " + x.dtype() + Arrays.toString(x.shape()));
        }
        if (channels >= 0 && x.dim(1) != channels) {
            throw new IllegalArgumentException(op + " expects " + channels + " input channels, got " + x.dtype() + Arrays.toString(x.shape()));
        }
        if (x.elementCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": tensor " + Arrays.toString(x.shape()) + " is too large");
        }
    }
}
