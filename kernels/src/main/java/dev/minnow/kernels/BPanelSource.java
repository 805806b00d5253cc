package dev.minnow.kernels;

/**
 * The B operand of {@link Kernels#gemmPackedB}, written by its producer straight into the GEMM's packed micro-panel
 * layout: op(B) is k × n and B is stored transposed (n × k, the layout of linear-layer weights [out, in]), so a panel
 * holds {@code cols ≤ width} rows of B (output columns) over a {@code kc}-deep slice, one {@code width}-float row per
 * depth step. A quantized weight matrix dequantizes its rows directly into this layout, which saves writing an f32
 * copy of the weights and transposing it inside the GEMM.
 *
 * <p>Depth slices are aligned for block formats: every {@code k0} is a multiple of {@link #DEPTH_ALIGN}, and every
 * {@code kc} is too except a last slice, which ends at k.
 */
@FunctionalInterface
public interface BPanelSource {
    /** Every slice starts at a multiple of this depth (256: the K-quants' block size, a multiple of 32). */
    int DEPTH_ALIGN = 256;

    /**
     * {@code panel[off + p·width + j] = B[j0 + j][k0 + p]} (= op(B)[k0 + p][j0 + j]) for p &lt; kc and j &lt; cols,
     * and 0 for cols ≤ j &lt; width. Called from {@link Parallel}'s threads at once, for disjoint panels.
     */
    void pack(int j0, int cols, int k0, int kc, float[] panel, int off, int width);
}
