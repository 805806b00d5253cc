package dev.minnow.kernels.vector;

import dev.minnow.kernels.BPanelSource;
import dev.minnow.kernels.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cache-blocked f32 GEMM in the BLIS/GotoBLAS loop order (Van Zee and van de Geijn, "BLIS", TOMS 2015): for each
 * NC-column, KC-deep block of op(B), all threads first pack it once into NR-column micro-panels (shared, zero-padded),
 * then each task packs an MC-row block of A into MR-row micro-panels (thread-local) and runs a register-tiled
 * MR × NR micro-kernel over it, NR = 2 vectors. Which micro-kernel (MR, how A is packed, MC) is the copy's
 * {@link GemmMicro} variant: 6 rows with A packed pre-broadcast for AVX2's 16 registers (12 accumulators + 2 B
 * vectors + 1 A vector = 15), 12 rows with A broadcast in the loop for AVX-512's 32 (24 + 2 + 1..2). The packed B
 * micro-panel (KC × NR) stays in L1 and is reused for the MC / MR micro-panels of the A block, which stays in L2.
 * The micro-kernel writes its tile to a small array and a separate step adds it into C, which keeps the FMA loop
 * small enough for C2 to keep all accumulators in registers.
 *
 * <p>Parallel tasks are (row block × column range) pairs: row blocks split evenly by micro-panels (a multiple of the
 * thread count, so two threads get equal work), column ranges only when there are too few row blocks (skinny M).
 *
 * <p>Template copied per width by {@link Specializer}: self-contained, no nested classes.
 */
final class GemmF32 implements GemmKernel {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> SPECIES = Specializer.species(MethodHandles.lookup());
    private static final boolean FMA = Specializer.fma(MethodHandles.lookup());
    private static final int LANES = SPECIES.length();
    /** This copy's micro-kernel (its {@link Specializer} variant). */
    private static final GemmMicro MICRO = GemmMicro.values()[Specializer.variant(MethodHandles.lookup())];
    /** A packed pre-broadcast (a whole vector per element) rather than as plain floats broadcast in the loop. */
    private static final boolean PRE = MICRO == GemmMicro.PREBROADCAST6;
    static final int MR = MICRO.rows();
    private static final int NR = 2 * LANES;
    /**
     * Depth of a packed slice: KC × NR floats of B (16 KiB at 256 bits, 32 KiB at 512) fit L1 (32 KiB on Zen 3, 48
     * on Sapphire Rapids). Measured by thread CPU time on Zen 3 at 2048³, two rounds each: 256 ≥ 384 > 512.
     */
    static final int KC = Integer.getInteger("minnow.gemm.kc", 256);
    /**
     * Most rows of A per block (a multiple of MR). Pre-broadcast, a block takes MC × KC × LANES floats (96 KiB at
     * 256 bits); measured on Zen 3 as KC: 12 ≥ 6 > 24 > 48 > 96 (54 vs 45 vs 38 GFLOPS); small blocks also split
     * evenly over threads. Plain, MC × KC floats (48 KiB): measured on a Sapphire Rapids Xeon at 512 bits, 2048³ Bᵀ,
     * 1 thread, BROADCAST12: MC 48 → 161 GFLOPS, 96 → 115, 192 → 137 (KC 192 instead of 256: 106).
     */
    static final int MC = roundUp(Integer.getInteger("minnow.gemm.mc", PRE ? 12 : 48), MR);
    /**
     * Depth of a slice packed by a {@link BPanelSource} ({@code minnow.gemm.packedKc}), rounded down to whole
     * {@link BPanelSource#DEPTH_ALIGN} blocks (at least one), so that quantized weight blocks never straddle two
     * slices. Default 1024 with the 12-row micro-kernel (A broadcast from plain rows), else 256 (pre-broadcast A blocks
     * grow with the depth). Each slice ends in a pass that adds the tiles into C, so deeper slices touch C less often:
     * on the Zen 4 VM (session 22, 1 thread, m = 128, QuantBench's Q4_0 prefill rows, GOPS at 2048×5632 / 5632×2048)
     * depth 256 with 512 columns gave 94.6–95.9 / 95.4–98.5, 512 × 256 96.7–98.4 / 100.8–101.4, 1024 × 256 99.4 /
     * 101.7, 1024 × 128 100.0 / 102.5.
     */
    static final int KC_PACKED = Math.max(BPanelSource.DEPTH_ALIGN, Integer.getInteger("minnow.gemm.packedKc",
            MICRO == GemmMicro.BROADCAST12 ? 1024 : 256) / BPanelSource.DEPTH_ALIGN * BPanelSource.DEPTH_ALIGN);
    /**
     * Most columns of B per task of {@link #runPacked} ({@code minnow.gemm.packedNc}): KC_PACKED × NC_PACKED floats in
     * L2 (512 KiB at both defaults). Measured on Zen 3 at depth 256 (1 thread, Q4_0, m = 128, thread CPU time, loaded
     * machine): 256, 512, 1024 and 4096 within noise at 2048×2048 and 5632×2048; 512 best at 2048×5632.
     */
    static final int NC_PACKED = roundUp(Integer.getInteger("minnow.gemm.packedNc", KC_PACKED >= 1024 ? 128 : 512), NR);
    /** Most floats of A packed at once by {@link #runPacked} (32 MiB; 128 rows of 5632 pre-broadcast at 256 bits: 23). */
    static final long A_PACK_FLOATS = 8L << 20;
    /** Most columns of B packed at once: KC × NC floats (4 MiB) stay in L3. */
    static final int NC = 4096;
    /** Below this many multiply-adds the fork/join costs more than it saves. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    /**
     * Per thread: [0] packed A block, [1] packed B block (the caller's, shared with workers; {@link #runPacked}: this
     * thread's B chunk), [2] edge tile, [3] {@link #runPacked}'s whole packed A (the caller's, shared with workers).
     */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(
            () -> new float[][] {new float[MC * KC * (PRE ? LANES : 1)], new float[0], new float[MR * NR], new float[0]});

    private static int roundUp(int v, int multiple) {
        return Math.max(multiple, (v + multiple - 1) / multiple * multiple);
    }

    GemmF32() {}

    @Override
    public void multiplyPackedB(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource src,
                                MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            zeroUnlessAccumulating(m, n, c, cOff, ldc, accumulate);
            return;
        }
        runPacked(m, n, k, a, aOff, lda, src, c, cOff, ldc, accumulate);
    }

    /**
     * {@link #multiplyPackedB} with the roles of the caches swapped, for B that is cheap to produce per thread (a
     * dequantizer) and A that is small (a prompt's activations): A is packed once per call (for up to
     * {@link #A_PACK_FLOATS} of packed floats at a time) into one shared buffer, every depth slice × micro-panel, and
     * the tasks are column chunks of at most {@link #NC_PACKED} columns, each packing its own B chunk per depth slice
     * (kept in L2) and running every row block of A over it (A blocks streamed from memory, each reused by the whole
     * chunk). No f32 copy of B exists beyond a chunk, and A is not packed again per chunk.
     */
    private void runPacked(int m, int n, int k, MemorySegment a, long aOff, int lda, BPanelSource src,
                           MemorySegment c, long cOff, int ldc, boolean accumulate) {
        boolean parallel = Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_MACS && Parallel.shareable(a, c);
        int threads = parallel ? Parallel.threads() : 1;
        int aw = PRE ? LANES : 1; // floats per packed element of A
        int kcStep = KC_PACKED;
        int slices = (k + kcStep - 1) / kcStep;
        // rows of A packed at once: a multiple of MC, at most A_PACK_FLOATS packed floats (at least one block)
        int chunkRows = (int) Math.max(MC, Math.min(roundUp(m, MC), A_PACK_FLOATS / ((long) k * aw) / MC * MC));
        // column chunks: at most NC_PACKED columns, a multiple of the thread count, equal numbers of panels
        int nPanels = (n + NR - 1) / NR;
        int chunks = (nPanels + NC_PACKED / NR - 1) / (NC_PACKED / NR);
        chunks = Math.min(nPanels, (chunks + threads - 1) / threads * threads);
        int chunkCount = chunks;
        int chunkPanels = (nPanels + chunks - 1) / chunks;
        ThreadLocal<float[][]> scratchOf = scratch; // lambdas below must not capture this (see Specializer)
        float[][] own = scratchOf.get();
        if (own[3].length < chunkRows * k * aw) {
            own[3] = new float[chunkRows * k * aw];
        }
        float[] pa = own[3];
        for (int r0 = 0; r0 < m; r0 += chunkRows) {
            int rowStart = r0;
            int mc = Math.min(chunkRows, m - r0);
            int mPanels = (mc + MR - 1) / MR;
            int blockPanels = MC / MR;
            int rowBlocks = (mPanels + blockPanels - 1) / blockPanels;
            // A, once: slice s at p0·mPanels·MR·aw, its micro-panel ip MR·kc·aw floats further per panel
            Parallel.RangeBody packing = (from, to) -> {
                for (int t = from; t < to; t++) {
                    int p0 = t / rowBlocks * kcStep, ip0 = t % rowBlocks * blockPanels;
                    int kc = Math.min(kcStep, k - p0);
                    packA(pa, p0 * mPanels * MR * aw + ip0 * MR * kc * aw, kc, rowStart + ip0 * MR,
                            Math.min(MC, mc - ip0 * MR), p0, a, aOff, lda);
                }
            };
            if (parallel) {
                Parallel.forRange(slices * rowBlocks, 1, packing);
            } else {
                packing.run(0, slices * rowBlocks);
            }
            Parallel.RangeBody body = (from, to) -> {
                float[][] s = scratchOf.get();
                if (s[1].length < chunkPanels * NR * kcStep) {
                    s[1] = new float[chunkPanels * NR * kcStep];
                }
                float[] pb = s[1];
                for (int t = from; t < to; t++) {
                    int jp0 = (int) ((long) t * nPanels / chunkCount), jp1 = (int) ((long) (t + 1) * nPanels / chunkCount);
                    for (int p0 = 0; p0 < k; p0 += kcStep) {
                        int kc = Math.min(kcStep, k - p0);
                        boolean acc = accumulate || p0 > 0;
                        for (int jp = jp0; jp < jp1; jp++) {
                            src.pack(jp * NR, Math.min(NR, n - jp * NR), p0, kc, pb, (jp - jp0) * NR * kc, NR);
                        }
                        int sliceBase = p0 * mPanels * MR * aw;
                        for (int ip0 = 0; ip0 < mPanels; ip0 += blockPanels) {
                            int ip1 = Math.min(mPanels, ip0 + blockPanels);
                            for (int jp = jp0; jp < jp1; jp++) {
                                int bBase = (jp - jp0) * NR * kc;
                                int ncols = Math.min(NR, n - jp * NR);
                                for (int ip = ip0; ip < ip1; ip++) {
                                    int aBase = sliceBase + ip * MR * kc * aw;
                                    if (PRE) {
                                        micro(kc, pa, aBase, pb, bBase, s[2]);
                                    } else if (MR == 12) {
                                        micro12(kc, pa, aBase, pb, bBase, s[2]);
                                    } else {
                                        micro6(kc, pa, aBase, pb, bBase, s[2]);
                                    }
                                    storeTile(s[2], c, cOff + (long) (rowStart + ip * MR) * ldc + jp * NR, ldc,
                                            Math.min(MR, mc - ip * MR), ncols, acc);
                                }
                            }
                        }
                    }
                }
            };
            if (parallel) {
                Parallel.forChunks(chunkCount, 1, body);
            } else {
                body.run(0, chunkCount);
            }
        }
    }

    @Override
    public void multiply(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                         boolean bT, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            zeroUnlessAccumulating(m, n, c, cOff, ldc, accumulate);
            return;
        }
        boolean parallel = Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_MACS && Parallel.shareable(a, b, c);
        int threads = parallel ? Parallel.threads() : 1;
        int nBlock = Math.min(n, NC);
        int nPanelsMax = (nBlock + NR - 1) / NR;
        // few columns (pointwise convolutions: n = out-channels): each A row is used by at most two micro-panels,
        // so packing A would cost as much as the multiply; the micro-kernel reads it in place instead
        boolean direct = nPanelsMax <= 2;
        // row blocks: even split by MR-row micro-panels, at most MC rows each (A unpacked: 16 micro-panels, to keep
        // the task count low), a multiple of the thread count
        int mPanels = (m + MR - 1) / MR;
        int panelsPerBlock = direct ? 16 : MC / MR;
        int blocks = (mPanels + panelsPerBlock - 1) / panelsPerBlock;
        if (threads > 1) {
            blocks = Math.min(mPanels, (blocks + threads - 1) / threads * threads);
        }
        // column ranges: only when row blocks alone cannot keep the threads busy
        int parts = threads > 1 && blocks < 4 * threads ? Math.min(nPanelsMax, (4 * threads + blocks - 1) / blocks) : 1;
        ThreadLocal<float[][]> scratchOf = scratch; // lambdas below must not capture this (see Specializer)
        float[][] own = scratchOf.get();
        if (own[1].length < KC * nPanelsMax * NR) {
            own[1] = new float[KC * nPanelsMax * NR];
        }
        float[] pb = own[1];
        int finalBlocks = blocks;
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nc = Math.min(NC, n - j0);
            int nPanels = (nc + NR - 1) / NR;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kc = Math.min(KC, k - p0);
                boolean acc = accumulate || p0 > 0;
                int jStart = j0, pStart = p0;
                if (parallel && (long) kc * nc >= 1 << 15) {
                    Parallel.forRange(nPanels, 1, (from, to) -> packB(pb, kc, jStart, nc, pStart, from, to, b, bOff, ldb, bT));
                } else {
                    packB(pb, kc, jStart, nc, pStart, 0, nPanels, b, bOff, ldb, bT);
                }
                Parallel.RangeBody body = (from, to) -> {
                    float[][] s = scratchOf.get();
                    for (int t = from; t < to; t++) {
                        int blk = t / parts, part = t % parts;
                        int ip0 = (int) ((long) blk * mPanels / finalBlocks), ip1 = (int) ((long) (blk + 1) * mPanels / finalBlocks);
                        int jp0 = (int) ((long) part * nPanels / parts), jp1 = (int) ((long) (part + 1) * nPanels / parts);
                        int i0 = ip0 * MR, mc = Math.min(m, ip1 * MR) - i0;
                        if (!direct) {
                            packA(s[0], 0, kc, i0, mc, pStart, a, aOff, lda);
                        }
                        for (int jp = jp0; jp < jp1; jp++) {
                            int jj = jp * NR;
                            int ncols = Math.min(NR, nc - jj);
                            for (int ip = 0; ip < ip1 - ip0; ip++) {
                                int ii = ip * MR;
                                if (direct) {
                                    microDirect(kc, a, aOff, lda, i0 + ii, m, pStart, pb, jp * NR * kc, s[2]);
                                } else if (PRE) {
                                    micro(kc, s[0], ip * MR * kc * LANES, pb, jp * NR * kc, s[2]);
                                } else if (MR == 12) {
                                    micro12(kc, s[0], ip * MR * kc, pb, jp * NR * kc, s[2]);
                                } else {
                                    micro6(kc, s[0], ip * MR * kc, pb, jp * NR * kc, s[2]);
                                }
                                storeTile(s[2], c, cOff + (long) (i0 + ii) * ldc + jStart + jj, ldc, Math.min(MR, mc - ii),
                                        ncols, acc);
                            }
                        }
                    }
                };
                int tasks = blocks * parts;
                if (parallel) {
                    Parallel.forChunks(tasks, 1, body);
                } else {
                    body.run(0, tasks);
                }
            }
        }
    }

    /** C[m × n] = 0 unless {@code accumulate} (a product over k = 0). */
    private static void zeroUnlessAccumulating(int m, int n, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                c.asSlice((cOff + (long) i * ldc) * 4, (long) n * 4).fill((byte) 0);
            }
        }
    }

    /** Panels [from, to) of pb: pb[panel·NR·kc + p·NR + jj] = op(B)[p0 + p][j0 + panel·NR + jj], zero beyond n. */
    private static void packB(float[] pb, int kc, int j0, int nc, int p0, int from, int to, MemorySegment b, long bOff,
                              int ldb, boolean bT) {
        for (int jp = from; jp < to; jp++) {
            int base = jp * NR * kc;
            int jStart = j0 + jp * NR;
            int cols = Math.min(NR, nc - jp * NR);
            if (bT) {
                // B stored n × k: each output column is a contiguous row of B
                for (int jj = 0; jj < cols; jj++) {
                    long row = (bOff + (long) (jStart + jj) * ldb + p0) * 4;
                    for (int p = 0; p < kc; p++) {
                        pb[base + p * NR + jj] = b.get(F32, row + p * 4L);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    long row = bOff + (long) (p0 + p) * ldb + jStart;
                    if (cols == NR) {
                        FloatVector.fromMemorySegment(SPECIES, b, row * 4, LE).intoArray(pb, base + p * NR);
                        FloatVector.fromMemorySegment(SPECIES, b, (row + LANES) * 4, LE).intoArray(pb, base + p * NR + LANES);
                    } else {
                        for (int jj = 0; jj < cols; jj++) {
                            pb[base + p * NR + jj] = b.getAtIndex(F32, row + jj);
                        }
                    }
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    for (int jj = cols; jj < NR; jj++) {
                        pb[base + p * NR + jj] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs A pre-broadcast: pa[paOff + ((panel·kc + p)·MR + i)·LANES + lane] = A[i0 + panel·MR + i][p0 + p] for every lane,
     * zero beyond the block's mc rows. The micro-kernel then loads whole vectors of A instead of broadcasting scalars:
     * with broadcasts C2 kept three of them live and spilled an accumulator to the stack (seen in the disassembly),
     * putting a store-load round trip on that FMA chain; pre-broadcast A measured +30% for the micro-kernel.
     */
    private static void packA(float[] pa, int paOff, int kc, int i0, int mc, int p0, MemorySegment a, long aOff, int lda) {
        int mPanels = (mc + MR - 1) / MR;
        if (!PRE) {
            // plain: pa[(panel·kc + p)·MR + i] = A[i0 + panel·MR + i][p0 + p], zero beyond mc rows
            for (int ip = 0; ip < mPanels; ip++) {
                int base = paOff + ip * MR * kc;
                for (int i = 0; i < MR; i++) {
                    int row = ip * MR + i;
                    if (row < mc) {
                        long src = (aOff + (long) (i0 + row) * lda + p0) * 4;
                        for (int p = 0; p < kc; p++) {
                            pa[base + p * MR + i] = a.get(F32, src + p * 4L);
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            pa[base + p * MR + i] = 0f;
                        }
                    }
                }
            }
            return;
        }
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int ip = 0; ip < mPanels; ip++) {
            int base = paOff + ip * MR * kc * LANES;
            for (int i = 0; i < MR; i++) {
                int row = ip * MR + i;
                if (row < mc) {
                    long src = (aOff + (long) (i0 + row) * lda + p0) * 4;
                    for (int p = 0; p < kc; p++) {
                        FloatVector.broadcast(SPECIES, a.get(F32, src + p * 4L)).intoArray(pa, base + (p * MR + i) * LANES);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        zero.intoArray(pa, base + (p * MR + i) * LANES);
                    }
                }
            }
        }
    }

    /**
     * tile[0 .. MR·NR) = packed (pre-broadcast) A micro-panel · packed B micro-panel, over kc steps. Kept small and free of calls so
     * that C2 inlines every vector op (a method that grows past C2's node budget leaves some uninlined, and then the
     * accumulators are boxed: 5× slower, measured).
     */
    private static void micro(int kc, float[] pa, int aBase, float[] pb, int bBase, float[] tile) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR * LANES;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector a0 = FloatVector.fromArray(SPECIES, pa, ai);
            FloatVector a1 = FloatVector.fromArray(SPECIES, pa, ai + 1 * LANES);
            FloatVector a2 = FloatVector.fromArray(SPECIES, pa, ai + 2 * LANES);
            if (FMA) {
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
            } else {
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
            }
            FloatVector a3 = FloatVector.fromArray(SPECIES, pa, ai + 3 * LANES);
            FloatVector a4 = FloatVector.fromArray(SPECIES, pa, ai + 4 * LANES);
            FloatVector a5 = FloatVector.fromArray(SPECIES, pa, ai + 5 * LANES);
            if (FMA) {
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            } else {
                c30 = a3.mul(b0).add(c30);
                c31 = a3.mul(b1).add(c31);
                c40 = a4.mul(b0).add(c40);
                c41 = a4.mul(b1).add(c41);
                c50 = a5.mul(b0).add(c50);
                c51 = a5.mul(b1).add(c51);
            }
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
    }

    /**
     * As {@link #micro} with A packed plain (MR = 6 floats per step), each element broadcast in the loop: on AVX-512
     * C2 has registers for the broadcasts and folds the load into the broadcast.
     */
    private static void micro6(int kc, float[] pa, int aBase, float[] pb, int bBase, float[] tile) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * 6;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            if (FMA) {
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
            } else {
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
            }
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            FloatVector a4 = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            FloatVector a5 = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            if (FMA) {
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            } else {
                c30 = a3.mul(b0).add(c30);
                c31 = a3.mul(b1).add(c31);
                c40 = a4.mul(b0).add(c40);
                c41 = a4.mul(b1).add(c41);
                c50 = a5.mul(b0).add(c50);
                c51 = a5.mul(b1).add(c51);
            }
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
    }

    /**
     * Twelve rows of plain-packed A (MR = 12 floats per step) × two vectors of B: 24 accumulators, for AVX-512's 32
     * registers (on AVX2 C2 spills, correct but slow: not the default there).
     */
    private static void micro12(int kc, float[] pa, int aBase, float[] pb, int bBase, float[] tile) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * 12;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            FloatVector a4 = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            FloatVector a5 = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            if (FMA) {
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            } else {
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
                c30 = a3.mul(b0).add(c30);
                c31 = a3.mul(b1).add(c31);
                c40 = a4.mul(b0).add(c40);
                c41 = a4.mul(b1).add(c41);
                c50 = a5.mul(b0).add(c50);
                c51 = a5.mul(b1).add(c51);
            }
            FloatVector a6 = FloatVector.broadcast(SPECIES, pa[ai + 6]);
            FloatVector a7 = FloatVector.broadcast(SPECIES, pa[ai + 7]);
            FloatVector a8 = FloatVector.broadcast(SPECIES, pa[ai + 8]);
            FloatVector a9 = FloatVector.broadcast(SPECIES, pa[ai + 9]);
            FloatVector aa = FloatVector.broadcast(SPECIES, pa[ai + 10]);
            FloatVector ab = FloatVector.broadcast(SPECIES, pa[ai + 11]);
            if (FMA) {
                c60 = a6.fma(b0, c60);
                c61 = a6.fma(b1, c61);
                c70 = a7.fma(b0, c70);
                c71 = a7.fma(b1, c71);
                c80 = a8.fma(b0, c80);
                c81 = a8.fma(b1, c81);
                c90 = a9.fma(b0, c90);
                c91 = a9.fma(b1, c91);
                ca0 = aa.fma(b0, ca0);
                ca1 = aa.fma(b1, ca1);
                cb0 = ab.fma(b0, cb0);
                cb1 = ab.fma(b1, cb1);
            } else {
                c60 = a6.mul(b0).add(c60);
                c61 = a6.mul(b1).add(c61);
                c70 = a7.mul(b0).add(c70);
                c71 = a7.mul(b1).add(c71);
                c80 = a8.mul(b0).add(c80);
                c81 = a8.mul(b1).add(c81);
                c90 = a9.mul(b0).add(c90);
                c91 = a9.mul(b1).add(c91);
                ca0 = aa.mul(b0).add(ca0);
                ca1 = aa.mul(b1).add(ca1);
                cb0 = ab.mul(b0).add(cb0);
                cb1 = ab.mul(b1).add(cb1);
            }
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + LANES);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + LANES);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + LANES);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + LANES);
        ca0.intoArray(tile, 10 * NR);
        ca1.intoArray(tile, 10 * NR + LANES);
        cb0.intoArray(tile, 11 * NR);
        cb1.intoArray(tile, 11 * NR + LANES);
    }

    /**
     * As {@link #micro} but reading the MR rows of A in place (row-major, stride lda) from row {@code i} on; rows
     * past {@code m} repeat row m − 1 (their results are never stored). Passes of three rows: six accumulators and
     * three broadcasts fit AVX2's registers, where six rows in one pass spilled (3 + 3 measured +20% at 12544×16×32).
     */
    private static void microDirect(int kc, MemorySegment a, long aOff, int lda, int i, int m, int p0, float[] pb,
                                    int bBase, float[] tile) {
        for (int r = 0; r < MR; r += 3) {
            microDirect3(kc, a, aOff, lda, i + r, m, p0, pb, bBase, tile, r * NR);
        }
    }

    /** Three rows of {@link #microDirect} into tile rows starting at {@code t0}. */
    private static void microDirect3(int kc, MemorySegment a, long aOff, int lda, int i, int m, int p0, float[] pb,
                                     int bBase, float[] tile, int t0) {
        long r0 = rowOffset(aOff, lda, i, m, p0), r1 = rowOffset(aOff, lda, i + 1, m, p0);
        long r2 = rowOffset(aOff, lda, i + 2, m, p0);
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        for (int p = 0; p < kc; p++) {
            long pOff = p * 4L;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a.get(F32, r0 + pOff));
            FloatVector a1 = FloatVector.broadcast(SPECIES, a.get(F32, r1 + pOff));
            FloatVector a2 = FloatVector.broadcast(SPECIES, a.get(F32, r2 + pOff));
            if (FMA) {
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
            } else {
                c00 = a0.mul(b0).add(c00);
                c01 = a0.mul(b1).add(c01);
                c10 = a1.mul(b0).add(c10);
                c11 = a1.mul(b1).add(c11);
                c20 = a2.mul(b0).add(c20);
                c21 = a2.mul(b1).add(c21);
            }
        }
        c00.intoArray(tile, t0);
        c01.intoArray(tile, t0 + LANES);
        c10.intoArray(tile, t0 + NR);
        c11.intoArray(tile, t0 + NR + LANES);
        c20.intoArray(tile, t0 + 2 * NR);
        c21.intoArray(tile, t0 + 2 * NR + LANES);
    }

    /** Byte offset of A[min(row, m − 1)][p0]. */
    private static long rowOffset(long aOff, int lda, int row, int m, int p0) {
        return (aOff + (long) Math.min(row, m - 1) * lda + p0) * 4;
    }

    /** C[nrows × ncols at cIdx] (+)= tile. */
    private static void storeTile(float[] tile, MemorySegment c, long cIdx, int ldc, int nrows, int ncols, boolean acc) {
        if (ncols == NR) {
            for (int i = 0; i < nrows; i++) {
                for (int v = 0; v < NR; v += LANES) {
                    long off = (cIdx + (long) i * ldc + v) * 4;
                    FloatVector t = FloatVector.fromArray(SPECIES, tile, i * NR + v);
                    if (acc) {
                        t = t.add(FloatVector.fromMemorySegment(SPECIES, c, off, LE));
                    }
                    t.intoMemorySegment(c, off, LE);
                }
            }
            return;
        }
        for (int i = 0; i < nrows; i++) {
            for (int j = 0; j < ncols; j++) {
                long ci = cIdx + (long) i * ldc + j;
                float v = tile[i * NR + j];
                c.setAtIndex(F32, ci, acc ? c.getAtIndex(F32, ci) + v : v);
            }
        }
    }
}
