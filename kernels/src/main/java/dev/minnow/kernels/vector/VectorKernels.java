package dev.minnow.kernels.vector;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.BPanelSource;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.RopeLayout;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Vector API kernels for one species width (128, 256 or 512 bits), with or without FMA. The work is done by a copy
 * of {@link F32Kernels} (and {@link GemmF32}) specialised for that width by {@link Specializer}, so that the species
 * is a JIT constant; this class forwards to it. Widths above the hardware's run correctly but in software (slowly).
 */
public final class VectorKernels implements Kernels {
    private final VectorF32 impl;

    /** @param bits 128, 256 or 512; @param fma use fused multiply-add (only where the CPU has it) */
    public VectorKernels(int bits, boolean fma) {
        this(bits, fma, GemmMicro.forWidth(bits));
    }

    /** As {@link #VectorKernels(int, boolean)} with the GEMM micro-kernel {@code gemm} instead of the width's default. */
    public VectorKernels(int bits, boolean fma, GemmMicro gemm) {
        this(bits, fma, gemm, f16StreamsDefault());
    }

    /**
     * As {@link #VectorKernels(int, boolean, GemmMicro)}; {@code f16Streams} 1 or 2: how many far-apart rows the F16
     * GEMV reads in one pass (two memory streams for the hardware prefetcher; bit-identical results).
     */
    public VectorKernels(int bits, boolean fma, GemmMicro gemm, int f16Streams) {
        if (bits != 64 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        if (f16Streams != 1 && f16Streams != 2) {
            throw new IllegalArgumentException("F16 GEMV streams must be 1 or 2, got " + f16Streams);
        }
        this.impl = Specializer.instance(F32Kernels.class, VectorF32.class, bits, fma, gemm.ordinal() | (f16Streams == 2 ? F16_TWO_STREAMS : 0));
    }

    /** The variant bit of {@link F32Kernels} for two F16 GEMV streams (the low bits are the GEMM micro-kernel). */
    static final int F16_TWO_STREAMS = 32;

    /**
     * {@code -Dminnow.f16.streams=1|2}; default 2 at every width. AVX2 (F16 GEMV streamed from memory): 1.2–1.4× at
     * 1 thread, 1.1–1.5× at 2 (BENCHMARKS.md session 8). AVX-512 Zen 5 (session 13, TinyLlama-shaped F16 decode, three
     * alternations): 6.5–7.0 → 9.2–9.3 tok/s at 1 thread, 11.9–12.3 → 16.0–17.0 at 2.
     */
    private static int f16StreamsDefault() {
        return Integer.getInteger("minnow.f16.streams", 2) == 1 ? 1 : 2;
    }

    /** Bit size of the platform's preferred float species. */
    public static int preferredBits() { return FloatVector.SPECIES_PREFERRED.vectorBitSize(); }

    /** The specialised copy, for {@link MachineProbe}. */
    VectorF32 impl() { return impl; }

    @Override public String name() { return impl.name(); }

    @Override public int vectorBits() { return impl.vectorBits(); }

    @Override public String toString() { return impl.name(); }

    @Override
    public float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        return impl.dot(a, aOff, b, bOff, n);
    }

    @Override
    public float sum(MemorySegment x, long xOff, int n) { return impl.sum(x, xOff, n); }

    @Override
    public void axpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        impl.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scale(int n, float s, MemorySegment x, long xOff) { impl.scale(n, s, x, xOff); }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        impl.add(n, a, aOff, b, bOff, out, outOff);
    }

    @Override
    public void mul(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff) {
        impl.mul(n, a, aOff, b, bOff, out, outOff);
    }

    @Override
    public void gemvF16(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        impl.gemvF16(rows, cols, w, wOff, x, xOff, y, yOff);
    }

    @Override
    public void convertF16(int n, MemorySegment src, long srcOff, MemorySegment dst, long dstOff) {
        impl.convertF16(n, src, srcOff, dst, dstOff);
    }

    @Override
    public void dotColumns(int n, int len, MemorySegment a, long aOff, long stride, MemorySegment x, long xOff, float scale,
                           float[] out) {
        impl.dotColumns(n, len, a, aOff, stride, x, xOff, scale, out);
    }

    @Override
    public void axpyRows(int n, int len, float[] coef, MemorySegment v, long vOff, long stride, MemorySegment y, long yOff) {
        impl.axpyRows(n, len, coef, v, vOff, stride, y, yOff);
    }

    @Override
    public void gemvF16Panels(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff,
                              MemorySegment y, long yOff) {
        impl.gemvF16Panels(from, to, cols, p, pOff, x, xOff, y, yOff);
    }

    @Override
    public void f16FromPanels(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows, float[] panel,
                              int off, int width) {
        impl.f16FromPanels(cols, k0, kc, p, pOff, r0, rows, panel, off, width);
    }

    @Override
    public void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        impl.gemv(rows, cols, w, wOff, x, xOff, y, yOff);
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     boolean bTransposed, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        impl.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, bTransposed, c, cOff, ldc, accumulate);
    }

    @Override
    public void gemmPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b, MemorySegment c,
                            long cOff, int ldc, boolean accumulate) {
        impl.gemmPackedB(m, n, k, a, aOff, lda, b, c, cOff, ldc, accumulate);
    }

    @Override
    public void rmsNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, float eps, MemorySegment out, long outOff) {
        impl.rmsNorm(n, x, xOff, w, wOff, eps, out, outOff);
    }

    @Override
    public void layerNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff,
                          float eps, MemorySegment out, long outOff) {
        impl.layerNorm(n, x, xOff, w, wOff, b, bOff, eps, out, outOff);
    }

    @Override
    public void softmax(int n, MemorySegment x, long xOff) { impl.softmax(n, x, xOff); }

    @Override
    public void activate(Activation act, int n, MemorySegment x, long xOff) { impl.activate(act, n, x, xOff); }

    @Override
    public void rope(RopeLayout layout, int nHeads, int headDim, int rotaryDim, float[] cos, float[] sin,
                     MemorySegment x, long xOff) {
        impl.rope(layout, nHeads, headDim, rotaryDim, cos, sin, x, xOff);
    }

    @Override
    public int argmax(MemorySegment x, long xOff, int n) { return impl.argmax(x, xOff, n); }

    @Override
    public int topK(MemorySegment x, long xOff, int n, int k, int[] outIdx) { return impl.topK(x, xOff, n, k, outIdx); }
}
