package dev.minnow.kernels.vector;

import dev.minnow.kernels.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cache-blocked f32 GEMM in the BLIS/GotoBLAS shape: C is cut into MC × NC tiles (the parallel tasks); for each
 * KC slice a task packs its A block into MR-row micro-panels and its B block into NR-column micro-panels
 * (thread-local heap arrays, zero-padded at the edges), then a register-tiled MR × NR micro-kernel (MR = 6 rows,
 * NR = 2 vectors: 12 accumulators) streams through them with FMA.
 */
final class GemmF32 {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final int MR = 6;
    private static final int KC = 256;
    private static final int MC = 96; // multiple of MR

    private final VectorSpecies<Float> species;
    private final int lanes;
    private final int nr;
    private final int nc;
    private final boolean fma;
    private final ThreadLocal<float[][]> scratch;

    GemmF32(VectorSpecies<Float> species, boolean fma) {
        this.species = species;
        this.lanes = species.length();
        this.nr = 2 * lanes;
        this.nc = Math.max(nr, (256 / nr) * nr);
        this.fma = fma;
        int aSize = MC * KC;
        int bSize = nc * KC;
        int tSize = MR * nr;
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[aSize], new float[bSize], new float[tSize]});
    }

    void multiply(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                  boolean bT, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    c.asSlice((cOff + (long) i * ldc) * 4, (long) n * 4).fill((byte) 0);
                }
            }
            return;
        }
        int mBlocks = (m + MC - 1) / MC;
        int nBlocks = (n + nc - 1) / nc;
        int tasks = mBlocks * nBlocks;
        long flops = (long) m * n * k;
        Parallel.RangeBody body = (from, to) -> {
            float[][] s = scratch.get();
            for (int t = from; t < to; t++) {
                int mb = t / nBlocks;
                int nb = t % nBlocks;
                int i0 = mb * MC;
                int j0 = nb * nc;
                tile(i0, Math.min(MC, m - i0), j0, Math.min(nc, n - j0), k, a, aOff, lda, b, bOff, ldb, bT, c, cOff, ldc,
                        accumulate, s);
            }
        };
        if (flops < 64L * 64 * 64 || !Parallel.shareable(a, b, c)) {
            body.run(0, tasks);
        } else {
            Parallel.forRange(tasks, 1, body);
        }
    }

    private void tile(int i0, int mc, int j0, int ncur, int k, MemorySegment a, long aOff, int lda, MemorySegment b,
                      long bOff, int ldb, boolean bT, MemorySegment c, long cOff, int ldc, boolean accumulate, float[][] s) {
        float[] pa = s[0];
        float[] pb = s[1];
        float[] tmp = s[2];
        int mPanels = (mc + MR - 1) / MR;
        int nPanels = (ncur + nr - 1) / nr;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            packB(pb, kc, j0, ncur, p0, b, bOff, ldb, bT);
            packA(pa, kc, i0, mc, p0, a, aOff, lda);
            boolean acc = accumulate || p0 > 0;
            for (int jp = 0; jp < nPanels; jp++) {
                int jj = jp * nr;
                int ncols = Math.min(nr, ncur - jj);
                for (int ip = 0; ip < mPanels; ip++) {
                    int ii = ip * MR;
                    int nrows = Math.min(MR, mc - ii);
                    micro(kc, pa, ip * MR * kc, pb, jp * nr * kc, c, cOff + (long) (i0 + ii) * ldc + j0 + jj, ldc,
                            nrows, ncols, acc, tmp);
                }
            }
        }
    }

    /** pb[panel][p][0..nr) = op(B)[p0 + p][j0 + panel·nr + jj], zero beyond n. */
    private void packB(float[] pb, int kc, int j0, int ncur, int p0, MemorySegment b, long bOff, int ldb, boolean bT) {
        int nPanels = (ncur + nr - 1) / nr;
        for (int jp = 0; jp < nPanels; jp++) {
            int base = jp * nr * kc;
            int jStart = j0 + jp * nr;
            int cols = Math.min(nr, ncur - jp * nr);
            if (bT) {
                for (int jj = 0; jj < cols; jj++) {
                    long row = bOff + (long) (jStart + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        pb[base + p * nr + jj] = b.getAtIndex(F32, row + p);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    long row = bOff + (long) (p0 + p) * ldb + jStart;
                    if (cols == nr) {
                        for (int v = 0; v < nr; v += lanes) {
                            FloatVector.fromMemorySegment(species, b, (row + v) * 4, LE).intoArray(pb, base + p * nr + v);
                        }
                    } else {
                        for (int jj = 0; jj < cols; jj++) {
                            pb[base + p * nr + jj] = b.getAtIndex(F32, row + jj);
                        }
                    }
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    for (int jj = cols; jj < nr; jj++) {
                        pb[base + p * nr + jj] = 0f;
                    }
                }
            }
        }
    }

    /** pa[panel][p][0..MR) = A[i0 + panel·MR + i][p0 + p], zero beyond m. */
    private static void packA(float[] pa, int kc, int i0, int mc, int p0, MemorySegment a, long aOff, int lda) {
        int mPanels = (mc + MR - 1) / MR;
        for (int ip = 0; ip < mPanels; ip++) {
            int base = ip * MR * kc;
            for (int i = 0; i < MR; i++) {
                int row = ip * MR + i;
                if (row < mc) {
                    long src = aOff + (long) (i0 + row) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        pa[base + p * MR + i] = a.getAtIndex(F32, src + p);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        pa[base + p * MR + i] = 0f;
                    }
                }
            }
        }
    }

    private FloatVector madd(FloatVector x, FloatVector y, FloatVector acc) {
        return fma ? x.fma(y, acc) : x.mul(y).add(acc);
    }

    private void micro(int kc, float[] pa, int aBase, float[] pb, int bBase, MemorySegment c, long cIdx, int ldc,
                       int nrows, int ncols, boolean acc, float[] tmp) {
        FloatVector z = FloatVector.zero(species);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int ai = aBase;
        int bi = bBase;
        for (int p = 0; p < kc; p++, ai += MR, bi += nr) {
            FloatVector b0 = FloatVector.fromArray(species, pb, bi);
            FloatVector b1 = FloatVector.fromArray(species, pb, bi + lanes);
            FloatVector a0 = FloatVector.broadcast(species, pa[ai]);
            c00 = madd(a0, b0, c00);
            c01 = madd(a0, b1, c01);
            FloatVector a1 = FloatVector.broadcast(species, pa[ai + 1]);
            c10 = madd(a1, b0, c10);
            c11 = madd(a1, b1, c11);
            FloatVector a2 = FloatVector.broadcast(species, pa[ai + 2]);
            c20 = madd(a2, b0, c20);
            c21 = madd(a2, b1, c21);
            FloatVector a3 = FloatVector.broadcast(species, pa[ai + 3]);
            c30 = madd(a3, b0, c30);
            c31 = madd(a3, b1, c31);
            FloatVector a4 = FloatVector.broadcast(species, pa[ai + 4]);
            c40 = madd(a4, b0, c40);
            c41 = madd(a4, b1, c41);
            FloatVector a5 = FloatVector.broadcast(species, pa[ai + 5]);
            c50 = madd(a5, b0, c50);
            c51 = madd(a5, b1, c51);
        }
        if (nrows == MR && ncols == nr) {
            store(c, cIdx, c00, c01, acc);
            store(c, cIdx + ldc, c10, c11, acc);
            store(c, cIdx + 2L * ldc, c20, c21, acc);
            store(c, cIdx + 3L * ldc, c30, c31, acc);
            store(c, cIdx + 4L * ldc, c40, c41, acc);
            store(c, cIdx + 5L * ldc, c50, c51, acc);
            return;
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, lanes);
        c10.intoArray(tmp, nr);
        c11.intoArray(tmp, nr + lanes);
        c20.intoArray(tmp, 2 * nr);
        c21.intoArray(tmp, 2 * nr + lanes);
        c30.intoArray(tmp, 3 * nr);
        c31.intoArray(tmp, 3 * nr + lanes);
        c40.intoArray(tmp, 4 * nr);
        c41.intoArray(tmp, 4 * nr + lanes);
        c50.intoArray(tmp, 5 * nr);
        c51.intoArray(tmp, 5 * nr + lanes);
        for (int i = 0; i < nrows; i++) {
            for (int j = 0; j < ncols; j++) {
                long ci = cIdx + (long) i * ldc + j;
                float v = tmp[i * nr + j];
                c.setAtIndex(F32, ci, acc ? c.getAtIndex(F32, ci) + v : v);
            }
        }
    }

    private void store(MemorySegment c, long idx, FloatVector v0, FloatVector v1, boolean acc) {
        long o0 = idx * 4;
        long o1 = (idx + lanes) * 4;
        if (acc) {
            v0 = v0.add(FloatVector.fromMemorySegment(species, c, o0, LE));
            v1 = v1.add(FloatVector.fromMemorySegment(species, c, o1, LE));
        }
        v0.intoMemorySegment(c, o0, LE);
        v1.intoMemorySegment(c, o1, LE);
    }
}
