package dev.minnow.models.llm;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Weights repacked once, on first use, for the decode GEMV (16-row panels): the first caller packs (others wait),
 * then a mapped file's pages of the original weights are given back ({@link MemorySegment#unload}), since decode
 * and the packed prefill read only the panels from then on. A pack that throws {@link IllegalArgumentException}
 * (values the panel kernels cannot hold exactly) marks the matrix unpackable: it keeps its row kernels.
 */
final class LazyPanels {
    private volatile MemorySegment packed;
    private volatile boolean unpackable;

    /** The panels, packing them with {@code pack} on the first call; null when they cannot be packed. */
    MemorySegment get(MemorySegment weights, Supplier<MemorySegment> pack) {
        MemorySegment p = packed;
        if (p == null) {
            synchronized (this) {
                p = packed;
                if (p == null && !unpackable) {
                    try {
                        p = pack.get();
                        packed = p;
                        if (weights.isMapped()) {
                            weights.unload();
                        }
                    } catch (IllegalArgumentException e) {
                        unpackable = true;
                    }
                }
            }
        }
        return p;
    }

    /** The panels if packed, else null (never packs). */
    MemorySegment current() {
        return packed;
    }

    boolean unpackable() {
        return unpackable;
    }
}
