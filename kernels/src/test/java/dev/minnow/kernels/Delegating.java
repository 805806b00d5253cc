package dev.minnow.kernels;

import java.lang.foreign.MemorySegment;

/** Test helper: a Kernels that forwards everything, for subclasses that break one method on purpose. */
abstract class Delegating implements Kernels {
    final Kernels inner;

    Delegating(Kernels inner) { this.inner = inner; }

    @Override public String name() { return getClass().getSimpleName(); }
    @Override public int vectorBits() { return inner.vectorBits(); }
    @Override public float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) { return inner.dot(a, aOff, b, bOff, n); }
    @Override public float sum(MemorySegment x, long xOff, int n) { return inner.sum(x, xOff, n); }
    @Override public void axpy(int n, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) { inner.axpy(n, alpha, x, xOff, y, yOff); }
    @Override public void scale(int n, float s, MemorySegment x, long xOff) { inner.scale(n, s, x, xOff); }
    @Override public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment o, long oOff) { inner.add(n, a, aOff, b, bOff, o, oOff); }
    @Override public void mul(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment o, long oOff) { inner.mul(n, a, aOff, b, bOff, o, oOff); }
    @Override public void gemvF16(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) { inner.gemvF16(rows, cols, w, wOff, x, xOff, y, yOff); }
    @Override public void convertF16(int n, MemorySegment src, long srcOff, MemorySegment dst, long dstOff) { inner.convertF16(n, src, srcOff, dst, dstOff); }
    @Override public void dotColumns(int n, int len, MemorySegment a, long aOff, long stride, MemorySegment x, long xOff, float scale, float[] out) { inner.dotColumns(n, len, a, aOff, stride, x, xOff, scale, out); }
    @Override public void axpyRows(int n, int len, float[] coef, MemorySegment v, long vOff, long stride, MemorySegment y, long yOff) { inner.axpyRows(n, len, coef, v, vOff, stride, y, yOff); }
    @Override public void gemvF16Panels(int from, int to, int cols, MemorySegment p, long pOff, MemorySegment x, long xOff, MemorySegment y, long yOff) { inner.gemvF16Panels(from, to, cols, p, pOff, x, xOff, y, yOff); }
    @Override public void f16FromPanels(int cols, int k0, int kc, MemorySegment p, long pOff, int r0, int rows, float[] panel, int off, int width) { inner.f16FromPanels(cols, k0, kc, p, pOff, r0, rows, panel, off, width); }
    @Override public void gemv(int rows, int cols, MemorySegment w, long wOff, MemorySegment x, long xOff, MemorySegment y, long yOff) { inner.gemv(rows, cols, w, wOff, x, xOff, y, yOff); }
    @Override public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb, boolean bT, MemorySegment c, long cOff, int ldc, boolean acc) { inner.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, bT, c, cOff, ldc, acc); }
    @Override public void gemmPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource b, MemorySegment c, long cOff, int ldc, boolean acc) { inner.gemmPackedB(m, n, k, a, aOff, lda, b, c, cOff, ldc, acc); }
    @Override public void rmsNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, float eps, MemorySegment o, long oOff) { inner.rmsNorm(n, x, xOff, w, wOff, eps, o, oOff); }
    @Override public void layerNorm(int n, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff, float eps, MemorySegment o, long oOff) { inner.layerNorm(n, x, xOff, w, wOff, b, bOff, eps, o, oOff); }
    @Override public void softmax(int n, MemorySegment x, long xOff) { inner.softmax(n, x, xOff); }
    @Override public void activate(Activation act, int n, MemorySegment x, long xOff) { inner.activate(act, n, x, xOff); }
    @Override public void rope(RopeLayout l, int h, int d, int r, float[] c, float[] s, MemorySegment x, long xOff) { inner.rope(l, h, d, r, c, s, x, xOff); }
    @Override public int argmax(MemorySegment x, long xOff, int n) { return inner.argmax(x, xOff, n); }
    @Override public int topK(MemorySegment x, long xOff, int n, int k, int[] idx) { return inner.topK(x, xOff, n, k, idx); }
}
