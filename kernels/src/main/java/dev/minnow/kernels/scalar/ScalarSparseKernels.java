package dev.minnow.kernels.scalar;

import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.QuantKernels;
import dev.minnow.kernels.SparseKernels;
import dev.minnow.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The specification of {@link SparseKernels}: plain loops for the f16 dot and the three row axpys, and the row-sparse
 * GEMV / column-sparse product built on them and on the dense dot kernels it is given ({@link Kernels#dot} for f32
 * rows, {@link QuantKernels#dot} for quantized rows). The vector twin overrides only the four primitives; the
 * drivers (checks, activation quantization, thread split) are shared.
 */
public class ScalarSparseKernels implements SparseKernels {
    /** The specification on the scalar dense kernels. */
    public static final ScalarSparseKernels INSTANCE = new ScalarSparseKernels(ScalarKernels.INSTANCE, ScalarQuantKernels.INSTANCE);

    protected static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private final Kernels f32;
    private final QuantKernels quant;

    /** @param f32 dots of f32 rows; @param quant dots of quantized rows */
    public ScalarSparseKernels(Kernels f32, QuantKernels quant) {
        this.f32 = f32;
        this.quant = quant;
    }

    @Override public String name() { return "scalar"; }

    @Override public int vectorBits() { return 0; }

    @Override
    public String toString() { return name() + " (rows: " + f32.name() + ", quantized rows: " + quant.name() + ")"; }

    // ---- primitives (the vector twin overrides these) ----

    @Override
    public float dotF16(int n, MemorySegment w, long wOff, MemorySegment x, long xOff) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += Float.float16ToFloat(w.get(S16, wOff + 2L * i)) * x.getAtIndex(F32, xOff + i);
        }
        return sum;
    }

    @Override
    public void axpyF32(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        for (int i = 0; i < n; i++) {
            y.setAtIndex(F32, yOff + i, y.getAtIndex(F32, yOff + i) + a * w.get(F32, wOff + 4L * i));
        }
    }

    @Override
    public void axpyF16(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        for (int i = 0; i < n; i++) {
            y.setAtIndex(F32, yOff + i, y.getAtIndex(F32, yOff + i) + a * Float.float16ToFloat(w.get(S16, wOff + 2L * i)));
        }
    }

    @Override
    public void axpyQ8_0(int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        if (n < 0 || n % 32 != 0) {
            throw new IllegalArgumentException("axpyQ8_0: length " + n + " is not a multiple of the block size 32");
        }
        for (int b = 0; b < n / 32; b++) {
            long o = wOff + 34L * b;
            float ad = a * Float.float16ToFloat(w.get(S16, o));
            long yb = yOff + 32L * b;
            for (int i = 0; i < 32; i++) {
                y.setAtIndex(F32, yb + i, y.getAtIndex(F32, yb + i) + ad * w.get(ValueLayout.JAVA_BYTE, o + 2 + i));
            }
        }
    }

    @Override
    public void axpy4(DType t, int n, MemorySegment w, float a0, long w0, float a1, long w1, float a2, long w2, float a3,
                      long w3, MemorySegment y, long yOff) {
        axpy(t, n, a0, w, w0, y, yOff);
        axpy(t, n, a1, w, w1, y, yOff);
        axpy(t, n, a2, w, w2, y, yOff);
        axpy(t, n, a3, w, w3, y, yOff);
    }

    private void axpy(DType t, int n, float a, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        switch (t) {
            case F32 -> axpyF32(n, a, w, wOff, y, yOff);
            case F16 -> axpyF16(n, a, w, wOff, y, yOff);
            case Q8_0 -> axpyQ8_0(n, a, w, wOff, y, yOff);
            default -> throw new IllegalArgumentException("row axpy of " + t + " (supported: F32, F16, Q8_0)");
        }
    }

    // ---- drivers ----

    /** A reusable buffer of at least {@code bytes} in an automatic (shareable) arena, per calling thread. */
    private static MemorySegment scratch(long bytes) {
        MemorySegment[] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
        }
        return holder[0];
    }

    /** Largest row index used (-1 when count is 0), after checking the indices. */
    private static int maxRow(String kernel, int count, int[] rows) {
        if (count < 0) {
            throw new IllegalArgumentException(kernel + ": negative row count " + count);
        }
        if (rows == null) {
            return count - 1;
        }
        if (rows.length < count) {
            throw new IllegalArgumentException(kernel + ": " + count + " rows requested, index array holds " + rows.length);
        }
        int max = -1;
        for (int j = 0; j < count; j++) {
            if (rows[j] < 0) {
                throw new IllegalArgumentException(kernel + ": negative row index " + rows[j] + " at " + j);
            }
            max = Math.max(max, rows[j]);
        }
        return max;
    }

    private static void checkWeights(String kernel, DType t, MemorySegment w, long wOff, long rowBytes, int maxRow) {
        long need = wOff + rowBytes * (maxRow + 1L);
        if (wOff < 0 || need > w.byteSize()) {
            throw new IllegalArgumentException(kernel + " " + t + ": row " + maxRow + " of " + rowBytes + " bytes needs "
                    + need + " weight bytes, the buffer has " + w.byteSize());
        }
        if (t == DType.F32 && wOff % 4 != 0) {
            throw new IllegalArgumentException(kernel + " F32: weight byte offset " + wOff + " is not a multiple of 4");
        }
    }

    @Override
    public void gemvRows(DType t, int count, int[] rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff,
                         MemorySegment y, long yOff) {
        if (cols < 0 || !SparseKernels.supportsRows(t, cols)) {
            throw new IllegalArgumentException("gemvRows: rows of " + cols + " " + t + " values are not supported"
                    + " (F32, F16, or a quantized type with whole blocks)");
        }
        int max = maxRow("gemvRows", count, rows);
        long rowBytes = t.byteSize(cols);
        checkWeights("gemvRows", t, w, wOff, rowBytes, max);
        if (count == 0) {
            return;
        }
        switch (t) {
            case F32 -> {
                if (rows == null) { // packed rows: the dense f32 GEMV itself
                    f32.gemv(count, cols, w, wOff / 4, x, xOff, y, yOff);
                    return;
                }
                eachRow(count, w, x, y, (from, to) -> {
                    for (int j = from; j < to; j++) {
                        y.setAtIndex(F32, yOff + j, f32.dot(w, (wOff + rowBytes * rows[j]) / 4, x, xOff, cols));
                    }
                });
            }
            case F16 -> { // ggml rounds the activations through f16 before an f16 dot, as the dense F16 GEMV does
                MemorySegment xs = scratch(4L * Math.max(cols, 1));
                for (int i = 0; i < cols; i++) {
                    float v = x.getAtIndex(F32, xOff + i);
                    short h = v != v ? (short) (((Float.floatToRawIntBits(v) >>> 16) & 0x8000) | 0x7e00) : Float.floatToFloat16(v);
                    xs.setAtIndex(F32, i, Float.float16ToFloat(h));
                }
                if (wOff % 2 != 0) {
                    throw new IllegalArgumentException("gemvRows F16: weight byte offset " + wOff + " is not a multiple of 2");
                }
                if (rows == null) { // packed rows: the dense f16 GEMV itself
                    f32.gemvF16(count, cols, w, wOff / 2, xs, 0, y, yOff);
                    return;
                }
                eachRow(count, w, xs, y, (from, to) -> {
                    for (int j = from; j < to; j++) { // one row of the dense f16 GEMV (inline: inside this loop)
                        f32.gemvF16(1, cols, w, (wOff + rowBytes * rows[j]) / 2, xs, 0, y, yOff + j);
                    }
                });
            }
            default -> {
                MemorySegment xq = scratch(QuantKernels.activationType(t).byteSize(cols));
                quant.quantizeActivation(t, cols, x, xOff, xq, 0);
                if (quant instanceof ScalarQuantKernels sq) { // the dense GEMV's row kernels, on the listed rows
                    eachRow(count, w, xq, y, (from, to) -> sq.gemvRows(t, cols, w, wOff, rowBytes, rows, from, to, xq, y, yOff));
                } else {
                    eachRow(count, w, xq, y, (from, to) -> {
                        for (int j = from; j < to; j++) {
                            y.setAtIndex(F32, yOff + j, quant.dot(t, cols, w, wOff + rowBytes * (rows == null ? j : rows[j]), xq, 0));
                        }
                    });
                }
            }
        }
    }

    /** Rows split over {@link Parallel}'s threads (chunks of 16, as the dense GEMV) when the segments are shareable. */
    private static void eachRow(int count, MemorySegment w, MemorySegment x, MemorySegment y, Parallel.RangeBody body) {
        if (count >= 32 && Parallel.shareable(w, x, y)) {
            Parallel.forRange(count, 16, body);
        } else {
            body.run(0, count);
        }
    }

    @Override
    public void axpyPanelsQ8_0(int count, int[] rows, float[] coef, int n, int totalRows, MemorySegment w, long wOff,
                               MemorySegment y, long yOff) {
        if (n < 0 || n % 32 != 0) {
            throw new IllegalArgumentException("axpyPanelsQ8_0: length " + n + " is not a multiple of the block size 32");
        }
        if (rows == null) {
            throw new IllegalArgumentException("axpyPanelsQ8_0: row indices are required");
        }
        int max = maxRow("axpyPanelsQ8_0", count, rows);
        if (max >= totalRows) {
            throw new IllegalArgumentException("axpyPanelsQ8_0: row index " + max + " of a matrix of " + totalRows + " rows");
        }
        if (coef.length < count) {
            throw new IllegalArgumentException("axpyPanelsQ8_0: " + count + " rows but " + coef.length + " coefficients");
        }
        checkWeights("axpyPanelsQ8_0", DType.Q8_0, w, wOff, DType.Q8_0.byteSize(n), totalRows - 1);
        int panels = (n + 63) / 64;
        Parallel.RangeBody body = (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int blocks = Math.min(2, n / 32 - 2 * p);
                axpyPanel(count, rows, coef, blocks, wOff + (long) p * totalRows * 68, w, y, yOff + 64L * p);
            }
        };
        if (panels > 1 && n >= 512 && Parallel.shareable(w, y)) {
            Parallel.forRange(panels, 2, body);
        } else {
            body.run(0, panels);
        }
    }

    /**
     * One panel of {@link #axpyPanelsQ8_0}: y[yOff .. yOff + 32·blocks) = Σ_j coef[j]·(row rows[j]'s pieces, at
     * {@code panelOff + rows[j]·34·blocks}). The specification: zero, then each row's axpy in ascending j.
     */
    protected void axpyPanel(int count, int[] rows, float[] coef, int blocks, long panelOff, MemorySegment w, MemorySegment y,
                             long yOff) {
        y.asSlice(4L * yOff, 128L * blocks).fill((byte) 0);
        for (int j = 0; j < count; j++) {
            axpyQ8_0(32 * blocks, coef[j], w, panelOff + 34L * blocks * rows[j], y, yOff);
        }
    }

    /** Output elements per parallel chunk of {@link #axpyRows}: a multiple of 32 (whole Q8_0 blocks). */
    static int axpyChunk(int n) {
        int per = (n + 2 * Parallel.threads() - 1) / (2 * Parallel.threads());
        return Math.max(256, (per + 31) / 32 * 32);
    }

    /**
     * Outputs [o, o + len) of {@link #axpyRows} (o a multiple of the row type's block size): y set to 0, then every
     * row's axpy over that range in ascending j. The vector twin may keep the range in registers across the rows,
     * with the same multiply and add per element in the same order.
     */
    protected void axpyRowsRange(DType t, int count, int[] rows, float[] coef, long rowBytes, int o, int len, MemorySegment w,
                                 long wOff, MemorySegment y, long yOff) {
        y.asSlice(4L * (yOff + o), 4L * len).fill((byte) 0);
        long inRow = t.byteSize(o);
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            axpy4(t, len, w, coef[j], wOff + rowBytes * rows[j] + inRow, coef[j + 1], wOff + rowBytes * rows[j + 1] + inRow,
                    coef[j + 2], wOff + rowBytes * rows[j + 2] + inRow, coef[j + 3], wOff + rowBytes * rows[j + 3] + inRow,
                    y, yOff + o);
        }
        for (; j < count; j++) {
            axpy(t, len, coef[j], w, wOff + rowBytes * rows[j] + inRow, y, yOff + o);
        }
    }

    @Override
    public void axpyRows(DType t, int count, int[] rows, float[] coef, int n, MemorySegment w, long wOff, MemorySegment y,
                         long yOff) {
        if (n < 0 || !SparseKernels.supportsAxpyRows(t, n)) {
            throw new IllegalArgumentException("axpyRows: rows of " + n + " " + t + " values are not supported"
                    + " (F32, F16, or Q8_0 with n a multiple of 32)");
        }
        if (rows == null) {
            throw new IllegalArgumentException("axpyRows: row indices are required");
        }
        int max = maxRow("axpyRows", count, rows);
        if (coef.length < count) {
            throw new IllegalArgumentException("axpyRows: " + count + " rows but " + coef.length + " coefficients");
        }
        long rowBytes = t.byteSize(n);
        checkWeights("axpyRows", t, w, wOff, rowBytes, max);
        if (n == 0) {
            return;
        }
        int chunk = axpyChunk(n);
        int chunks = (n + chunk - 1) / chunk;
        Parallel.RangeBody body = (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int o = c * chunk;
                axpyRowsRange(t, count, rows, coef, rowBytes, o, Math.min(chunk, n - o), w, wOff, y, yOff);
            }
        };
        if (chunks > 1 && Parallel.shareable(w, y)) {
            Parallel.forRange(chunks, 1, body);
        } else {
            body.run(0, chunks);
        }
    }
}
