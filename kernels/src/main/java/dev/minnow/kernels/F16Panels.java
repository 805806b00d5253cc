package dev.minnow.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * F16 weights repacked at load into <b>16-row panels</b> for the decode GEMV ({@link Kernels#gemvF16Panels}), as
 * {@link Q4Panels} does for the quantized types: element c of a panel's 16 rows is 16 consecutive halves (32 bytes,
 * lane r = row r), so one vector load and an exact widening give 16 rows' weights for one broadcast activation, and
 * a panel is one sequential stream of {@code 32·cols} bytes. The row GEMV ({@link Kernels#gemvF16}) reads rows of
 * {@code 2·cols} bytes and measured 44% of the read bandwidth at 1 thread (BENCHMARKS.md, session 18).
 *
 * <h2>Arithmetic</h2>
 * The decode path rounds its activations to F16 first (ggml's F16 dot), so every product of a weight and an
 * activation is exact in f32 (11 × 11 significant bits) and a fused multiply-add gives the same float as a product
 * and a sum. Per row, element c is added into partial sum {@code c mod 4}, in element order; the row's value is
 * {@code (s0 + s1) + (s2 + s3)} ({@link #gemvSpec}, the specification every kernel repeats bit for bit when x holds
 * F16 values). The row GEMV sums in another order, so the two agree within the reassociation bound.
 *
 * <h2>Bad values</h2>
 * A matrix with an infinite or NaN half is not packed ({@link #pack} throws; the caller keeps the row GEMV, which
 * converts those exactly): the kernels widen halves with integer operations that are exact for finite values only.
 */
public final class F16Panels {
    /** Rows per panel. */
    public static final int ROWS = 16;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian f32, as every kernel reads activations ({@link Kernels#dotColumns}'s specification too). */
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F16Panels() {}

    /** Bytes of one panel (16 rows of {@code cols} halves). */
    public static long panelBytes(int cols) {
        if (cols <= 0) {
            throw new IllegalArgumentException("16-row F16 panels: row length " + cols + " is not positive");
        }
        return 32L * cols;
    }

    /** Bytes of the panels of {@code rows / 16 × 16} rows of {@code cols} halves. */
    public static long packedBytes(int rows, int cols) {
        return (long) (rows / ROWS) * panelBytes(cols);
    }

    /**
     * Repacks the first {@code rows / 16 × 16} rows of the F16 matrix {@code w} (row-major, byte offset {@code wOff})
     * into a new 64-byte-aligned segment of {@code arena}, splitting the panels over {@link Parallel}'s threads.
     *
     * @throws IllegalArgumentException when the buffer is too short, or a packed half is infinite or NaN (the
     *         message names the row and column)
     */
    public static MemorySegment pack(int rows, int cols, MemorySegment w, long wOff, Arena arena) {
        long bytes = packedBytes(rows, cols);
        long rowBytes = 2L * cols;
        if (rows < 0 || wOff < 0 || wOff + rowBytes * rows > w.byteSize()) {
            throw new IllegalArgumentException("16-row F16 panels: " + rows + " rows of " + cols + " halves need "
                    + (wOff + rowBytes * Math.max(rows, 0)) + " bytes, the buffer has " + w.byteSize());
        }
        MemorySegment p = arena.allocate(Math.max(bytes, 1), 64);
        int panels = rows / ROWS;
        Parallel.RangeBody body = (from, to) -> {
            // per panel: its 16 rows copied out in bulk, checked, transposed in a heap array, copied in (the element-wise
            // segment reads and scattered writes took about 5 s for a 2 GB model)
            short[] in = new short[ROWS * cols];
            short[] out = new short[ROWS * cols];
            for (int g = from; g < to; g++) {
                MemorySegment.copy(w, S16, wOff + (long) ROWS * g * rowBytes, in, 0, ROWS * cols);
                for (int i = 0; i < in.length; i++) {
                    if ((in[i] & 0x7c00) == 0x7c00) {
                        throw new IllegalArgumentException("F16 row " + (ROWS * g + i / cols) + " column " + (i % cols)
                                + " is infinite or NaN (0x" + Integer.toHexString(in[i] & 0xffff) + "): not packed into panels");
                    }
                }
                for (int r = 0; r < ROWS; r++) {
                    for (int c = 0, i = r * cols; c < cols; c++, i++) {
                        out[ROWS * c + r] = in[i];
                    }
                }
                MemorySegment.copy(out, 0, p, S16, (long) g * 32 * cols, ROWS * cols);
            }
        };
        if (Parallel.shareable(w, p)) {
            Parallel.forRange(panels, 1, body);
        } else { // a confined buffer: this thread only
            body.run(0, panels);
        }
        return p;
    }

    /**
     * y[0..rows) = W·x for a matrix whose first {@code rows / 16 × 16} rows are packed in {@code panels} and whose
     * remaining rows are read from the F16 rows of {@code w} (byte offset {@code wOff}) by {@link Kernels#gemvF16};
     * x (element offset {@code xOff}) holds F16 values. The panels are split over {@link Parallel}'s threads when
     * the segments can be shared.
     */
    public static void gemv(Kernels k, int rows, int cols, MemorySegment panels, MemorySegment w, long wOff,
                            MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int n = rows / ROWS;
        if (panels.byteSize() < packedBytes(rows, cols)) {
            throw new IllegalArgumentException("16-row F16 panels of " + rows + " x " + cols + " need "
                    + packedBytes(rows, cols) + " bytes, the buffer has " + panels.byteSize());
        }
        if (n > 1 && Parallel.shareable(panels, x, y)) {
            Parallel.forRange(n, 1, (from, to) -> k.gemvF16Panels(from, to, cols, panels, 0, x, xOff, y, yOff));
        } else {
            k.gemvF16Panels(0, n, cols, panels, 0, x, xOff, y, yOff);
        }
        int tail = rows - n * ROWS;
        if (tail > 0) {
            k.gemvF16(tail, cols, w, wOff / 2 + (long) n * ROWS * cols, x, xOff, y, yOff + (long) n * ROWS);
        }
    }

    /** The specification of {@link Kernels#gemvF16Panels}: per row four partial sums (element c into c mod 4). */
    public static void gemvSpec(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                                MemorySegment y, long yOff) {
        long panelBytes = panelBytes(cols);
        checkPanels("gemvF16Panels", to, panelBytes, p, pOff);
        float[] s = new float[4];
        for (int g = from; g < to; g++) {
            long panel = pOff + g * panelBytes;
            for (int r = 0; r < ROWS; r++) {
                java.util.Arrays.fill(s, 0f);
                for (int c = 0; c < cols; c++) {
                    float wv = Float.float16ToFloat(p.get(S16, panel + 32L * c + 2L * r));
                    s[c & 3] = s[c & 3] + wv * x.get(F32, 4 * (xOff + c));
                }
                y.set(F32, 4 * (yOff + (long) ROWS * g + r), (s[0] + s[1]) + (s[2] + s[3]));
            }
        }
    }

    /** The specification of {@link Kernels#f16FromPanels}: each half widened exactly, zeros past {@code rows}. */
    public static void fromPanelsSpec(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows,
                                      float[] panel, int off, int width) {
        long panelBytes = checkFromPanels(cols, k0, kc, p, pOff, r0, rows, width);
        for (int j = 0; j < rows; j++) {
            int row = r0 + j;
            long base = pOff + (row / ROWS) * panelBytes + 2L * (row % ROWS);
            for (int q = 0; q < kc; q++) {
                panel[off + q * width + j] = Float.float16ToFloat(p.get(S16, base + 32L * (k0 + q)));
            }
        }
        for (int q = 0; q < kc; q++) {
            java.util.Arrays.fill(panel, off + q * width + rows, off + (q + 1) * width, 0f);
        }
    }

    /** The argument checks of {@link Kernels#f16FromPanels}; returns the bytes of one panel. */
    public static long checkFromPanels(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows, int width) {
        long panelBytes = panelBytes(cols);
        if (rows < 0 || rows > width || r0 < 0 || k0 < 0 || kc < 0 || k0 + kc > cols) {
            throw new IllegalArgumentException("f16FromPanels: rows " + r0 + " + " + rows + " (width " + width
                    + "), depth " + k0 + " + " + kc + " must lie within " + cols);
        }
        long need = pOff + (long) ((r0 + rows + ROWS - 1) / ROWS) * panelBytes;
        if (pOff < 0 || rows > 0 && need > p.byteSize()) {
            throw new IllegalArgumentException("f16FromPanels: rows " + r0 + " + " + rows + " of " + cols + " need "
                    + need + " panel bytes, the buffer has " + p.byteSize());
        }
        return panelBytes;
    }

    /** Throws unless panels [0, to) of {@code panelBytes} each lie in {@code p} from {@code pOff}. */
    public static void checkPanels(String what, int to, long panelBytes, MemorySegment p, long pOff) {
        if (pOff < 0 || to < 0 || pOff + to * panelBytes > p.byteSize()) {
            throw new IllegalArgumentException(what + ": " + to + " panels of " + panelBytes + " bytes from " + pOff
                    + " need " + (pOff + Math.max(to, 0) * panelBytes) + " bytes, the buffer has " + p.byteSize());
        }
    }

    /**
     * The {@link BPanelSource} of a packed F16 matrix for the prefill GEMM: rows below {@code rows / 16 × 16} from the
     * panels ({@link Kernels#f16FromPanels}), the rest from the F16 rows of {@code w} (byte offset {@code wOff}), every
     * value {@link Float#float16ToFloat} of the original half; zeros for n ≤ j &lt; width.
     */
    public static void dequantizeB(Kernels k, int rows, int cols, MemorySegment panels, MemorySegment w, long wOff,
                                   int j0, int n, int k0, int kc, float[] panel, int off, int width) {
        int packedRows = rows / ROWS * ROWS;
        if (j0 < 0 || n < 0 || j0 + n > rows) {
            throw new IllegalArgumentException("16-row F16 panels: rows " + j0 + " + " + n + " of " + rows);
        }
        int split = Math.max(0, Math.min(n, packedRows - j0));
        if (split > 0) {
            k.f16FromPanels(cols, k0, kc, panels, 0, j0, split, panel, off, width);
        } else {
            for (int q = 0; q < kc; q++) {
                java.util.Arrays.fill(panel, off + q * width, off + (q + 1) * width, 0f);
            }
        }
        for (int j = split; j < n; j++) { // the rows beyond the last panel (at most 15)
            long row = wOff + 2L * ((long) (j0 + j) * cols + k0);
            for (int q = 0; q < kc; q++) {
                panel[off + q * width + j] = Float.float16ToFloat(w.get(S16, row + 2L * q));
            }
        }
    }
}
