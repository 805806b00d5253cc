package dev.minnow.kernels.vector;

import java.util.Locale;

/**
 * The register-tiled micro-kernel (and with it the packing of A and the blocking) of the f32 GEMM, chosen per vector
 * width: the best tile depends on how many vector registers the CPU has and on how wide a cache line of A is.
 *
 * <ul>
 *   <li>{@link #PREBROADCAST6} — 6 rows × 2 vectors, A packed pre-broadcast (each element as a whole vector), 12-row
 *       A blocks. On AVX2 (16 registers) it keeps all 12 accumulators in registers where broadcasting in the loop
 *       spilled one. The cost: an A block is LANES× larger, and every FMA pair reads one vector of A from L2.
 *   <li>{@link #BROADCAST6} — 6 rows × 2 vectors, A packed as plain rows of MR floats, broadcast in the loop.
 *   <li>{@link #BROADCAST12} — 12 rows × 2 vectors (24 accumulators): needs AVX-512's 32 registers. Plain A packing
 *       lets A blocks grow to MC = 48 rows, so each packed B micro-panel is reused 4× from L1 instead of 2×.
 * </ul>
 *
 * <p>The default is {@link #PREBROADCAST6} up to 256 bits and {@link #BROADCAST12} at 512 bits (measured on an Intel
 * Xeon with AVX-512: see BENCHMARKS.md); {@code -Dminnow.gemm.micro=prebroadcast6|broadcast6|broadcast12} overrides
 * it, and {@code -Dminnow.gemm.mc=N} / {@code -Dminnow.gemm.kc=N} the block sizes (for tuning runs).
 */
public enum GemmMicro {
    PREBROADCAST6(6),
    BROADCAST6(6),
    BROADCAST12(12);

    private final int rows;

    GemmMicro(int rows) { this.rows = rows; }

    /** Rows of A per micro-tile (MR). */
    public int rows() { return rows; }

    /** Lower-case name, as {@code -Dminnow.gemm.micro} takes it. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The built-in choice for a vector width, without the system property. */
    public static GemmMicro defaultFor(int bits) {
        return bits >= 512 ? BROADCAST12 : PREBROADCAST6;
    }

    /** The micro-kernel for a width: {@code -Dminnow.gemm.micro} when set, else {@link #defaultFor}. */
    public static GemmMicro forWidth(int bits) {
        String p = System.getProperty("minnow.gemm.micro", "auto").trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty() || p.equals("auto")) {
            return defaultFor(bits);
        }
        for (GemmMicro g : values()) {
            if (g.id().equals(p)) {
                return g;
            }
        }
        throw new IllegalArgumentException("minnow.gemm.micro must be auto, prebroadcast6, broadcast6 or broadcast12, got '" + p + "'");
    }
}
