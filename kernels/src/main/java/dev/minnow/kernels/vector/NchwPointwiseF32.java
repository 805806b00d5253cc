package dev.minnow.kernels.vector;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.NchwPointwiseKernels;
import dev.minnow.kernels.scalar.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@code ScalarNchwPointwiseKernels}, a {@link Specializer} template (one copy per width and FMA
 * choice). Register tile: MR = 6 output channels × 2 vectors of pixels (12 accumulators, two input vectors and one
 * broadcast weight: 15 of AVX2's 16 registers), as the light field's {@code VectorPointwiseConvKernels} but transposed
 * for channel planes: pixels run along the lanes, weights are broadcast from six separate rows of the row-major
 * {@code cout × cin} matrix padded with zero rows to whole 6-row blocks (an interleaved {@code [cin][6]} panel ran at
 * less than half the speed under C2).
 *
 * <p>Each pixel block (at most {@link #BLOCK_FLOATS} input floats, ~L2) is first copied tile-major into a heap scratch,
 * zeros past the last pixel, so the micro-kernels read one contiguous stream per tile and need no tail code (sessions 4
 * and 5 read whole tiles in place from the planes; in a stand-alone copy of both loops, session 7, AVX2, 1 thread, the
 * packed reads ran 1.03–1.16× faster: 576→96 and 96→576 at 14², 960→160 at 7², 144→24 at 56²). Every tile then goes
 * through the heap tile and its epilogue: see {@link #micro62} for why nothing is stored straight from the registers.
 * Loop order: a block of six output channels outer (its 6·cin weights stay in L1), pixel tiles inner.
 *
 * <p>Sums run bias first, then input channels ascending, as the specification; the activation and residual add run on
 * each finished tile. Activations ReLU, ReLU6, hard-sigmoid and hard-swish in vector with the specification's
 * operations, written out in the epilogue; others through the scalar function per element. No helper method returns a
 * vector to the epilogue: with the activation in such helpers (a switch and a hard-sigmoid function), a 40→240
 * hard-swish layer at 14² ran 1.65× slower after a MobileNetV3-Small had run in the same JVM than in a fresh one (best
 * of 8 rounds: 142 against 77–86 µs, session 9); written out, 86 µs after the network. Which C2 decision the network's
 * profile changed was not pinned down (PrintInlining mixes C1's and C2's verdicts).
 */
final class NchwPointwiseF32 implements NchwPointwiseKernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final VectorSpecies<Float> SPECIES = Specializer.species(MethodHandles.lookup());
    private static final boolean FMA = Specializer.fma(MethodHandles.lookup());
    private static final int LANES = SPECIES.length();
    private static final int MR = 6;
    private static final int NR = 2 * LANES;
    /** Most input floats per pixel block (128 KiB): the block is re-read once per six output channels. */
    private static final int BLOCK_FLOATS = 32768;

    /** Per thread: [0] the pixel block, tile-major (cin rows of NR per tile); [1] one register tile (MR × NR). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[MR * NR]});

    NchwPointwiseF32() {}

    @Override
    public String name() { return "vector-" + SPECIES.vectorBitSize() + (FMA ? "" : "-nofma"); }

    @Override
    public float[] pack(int cout, int cin, float[] w) {
        if (cout < 0 || cin < 0 || w.length < (long) cout * cin) {
            throw new IllegalArgumentException("weights hold " + w.length + " values, expected " + cout + "×" + cin);
        }
        int blocks = (cout + MR - 1) / MR;
        return java.util.Arrays.copyOf(w, Math.multiplyExact(blocks * MR, cin));
    }

    /** 0 identity, 1 ReLU, 2 ReLU6, 3 hard-sigmoid, 4 hard-swish, -1 another (scalar per element). */
    private static int code(Activation act) {
        if (act == null) {
            return 0;
        }
        return switch (act) {
            case RELU -> 1;
            case RELU6 -> 2;
            case HARD_SIGMOID -> 3;
            case HARD_SWISH -> 4;
            default -> -1;
        };
    }

    @Override
    public void conv(int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                     MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int o0, int o1, int p0, int p1) {
        if (o0 >= o1 || p0 >= p1) {
            return;
        }
        if (o0 < 0 || o1 > cout || p0 < 0) {
            throw new IllegalArgumentException("channels [" + o0 + ", " + o1 + ") of " + cout + ", pixels from " + p0);
        }
        int blocks = (cout + MR - 1) / MR;
        if (packed.length < (long) blocks * MR * cin) {
            throw new IllegalArgumentException("packed weights hold " + packed.length + " values, expected " + (long) blocks * MR * cin);
        }
        int code = code(act);
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        int n = p1 - p0;
        int nPad = (n + NR - 1) / NR * NR;
        int pb = (long) cin * nPad <= BLOCK_FLOATS ? nPad : Math.max(NR, BLOCK_FLOATS / Math.max(1, cin) / NR * NR);
        float[][] s = SCRATCH.get();
        if (s[0].length < (long) cin * pb) {
            s[0] = new float[Math.multiplyExact(cin, pb)];
        }
        float[] xb = s[0], tile = s[1];
        int ob0 = o0 / MR, ob1 = (o1 + MR - 1) / MR;
        for (int q0 = p0; q0 < p1; q0 += pb) {
            int m = Math.min(pb, p1 - q0);
            int full = m / NR, rem = m - full * NR, remVecs = (rem + LANES - 1) / LANES;
            pack(cin, x, xOff, ldx, q0, full, rem, remVecs * LANES, xb);
            int tailAt = full * cin * NR;
            for (int ob = ob0; ob < ob1; ob++) {   // six channels' weights stay in L1 across the pixel tiles
                int b = ob * MR, oLo = Math.max(o0, b), oHi = Math.min(o1, b + MR);
                int w0 = b * cin, w1 = w0 + cin, w2 = w1 + cin, w3 = w2 + cin, w4 = w3 + cin, w5 = w4 + cin;
                float b0 = bias(bias, b, cout), b1 = bias(bias, b + 1, cout), b2 = bias(bias, b + 2, cout);
                float b3 = bias(bias, b + 3, cout), b4 = bias(bias, b + 4, cout), b5 = bias(bias, b + 5, cout);
                // whole tiles with a clamp activation (identity, ReLU, ReLU6) and no residual: one pass without branches
                boolean clampStore = code >= 0 && code <= 2 && r == null && oHi - oLo == MR;
                for (int t = 0; t < full; t++) {
                    micro62(cin, xb, t * cin * NR, packed, w0, w1, w2, w3, w4, w5, b0, b1, b2, b3, b4, b5, tile);
                    if (clampStore) {
                        storeClamped(tile, lo, hi, y, (yOff + (long) b * ldy + q0 + t * NR) * 4, ldy * 4L);
                    } else {
                        epilogue(code, act, tile, NR, oLo - b, oHi - b, r, rOff, y, yOff, ldy, oLo, q0 + t * NR, NR);
                    }
                }
                if (remVecs == 2) {
                    micro62(cin, xb, tailAt, packed, w0, w1, w2, w3, w4, w5, b0, b1, b2, b3, b4, b5, tile);
                    epilogue(code, act, tile, NR, oLo - b, oHi - b, r, rOff, y, yOff, ldy, oLo, q0 + full * NR, rem);
                } else if (remVecs == 1) {
                    micro61(cin, xb, tailAt, packed, w0, w1, w2, w3, w4, w5, b0, b1, b2, b3, b4, b5, tile);
                    epilogue(code, act, tile, LANES, oLo - b, oHi - b, r, rOff, y, yOff, ldy, oLo, q0 + full * NR, rem);
                }
            }
        }
    }

    @Override
    public void convKxK(int cout, int cin, int kh, int kw, int st, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff,
                        int hq, int wq, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0, int o1, int r0,
                        int r1) {
        if (o0 >= o1 || r0 >= r1 || wo <= 0) {
            return;
        }
        if (st < 1 || o0 < 0 || o1 > cout || r0 < 0 || r1 - 1 + (kh - 1) / st + 1 > hq || wo - 1 + (kw - 1) / st + 1 > wq) {
            throw new IllegalArgumentException("channels [" + o0 + ", " + o1 + ") of " + cout + ", rows [" + r0 + ", " + r1 + ") of width "
                    + wo + " on phase planes of " + hq + "×" + wq + ", kernel " + kh + "×" + kw + " at stride " + st);
        }
        int k = Math.multiplyExact(cin, kh * kw);
        int blocks = (cout + MR - 1) / MR;
        if (packed.length < (long) blocks * MR * k) {
            throw new IllegalArgumentException("packed weights hold " + packed.length + " values, expected " + (long) blocks * MR * k);
        }
        int code = code(act);
        float lo = code == 0 ? Float.NEGATIVE_INFINITY : 0f, hi = code == 2 ? 6f : Float.POSITIVE_INFINITY;
        // segments: each output row in runs of up to LANES pixels, each reading one contiguous run of every padded input
        // row; a register tile is two consecutive segments (two halves of a row, or the ends of two rows: narrow planes
        // such as 7² fill 7 of 8 lanes instead of 7 of 16), the last odd one a one-vector tile. A block holds as many
        // tiles as fit BLOCK_FLOATS.
        int segsPerRow = (wo + LANES - 1) / LANES;
        long segs = (long) (r1 - r0) * segsPerRow, tiles = (segs + 1) / 2;
        int perBlock = Math.max(1, BLOCK_FLOATS / Math.max(1, k) / NR);
        float[][] s = SCRATCH.get();
        if (s[0].length < (long) k * NR * perBlock) {
            s[0] = new float[Math.multiplyExact(k, NR * perBlock)];
        }
        float[] xb = s[0], tile = s[1];
        int ob0 = o0 / MR, ob1 = (o1 + MR - 1) / MR;
        long ldyBytes = ldy * 4L;
        for (long t0 = 0; t0 < tiles; t0 += perBlock) {
            int nt = (int) Math.min(perBlock, tiles - t0);
            for (int t = 0; t < nt; t++) {
                long sa = 2 * (t0 + t), sb = sa + 1;
                boolean pair = sb < segs;
                int stride = pair ? NR : LANES;
                packKxK(cin, kh, kw, st, x, xOff, hq, wq, r0 + (int) (sa / segsPerRow), (int) (sa % segsPerRow) * LANES, xb, t * k * NR, stride);
                if (pair) {
                    packKxK(cin, kh, kw, st, x, xOff, hq, wq, r0 + (int) (sb / segsPerRow), (int) (sb % segsPerRow) * LANES, xb,
                            t * k * NR + LANES, stride);
                }
            }
            for (int ob = ob0; ob < ob1; ob++) {   // six channels' weights stay in L1 across the block's tiles
                int b = ob * MR, oLo = Math.max(o0, b), oHi = Math.min(o1, b + MR);
                int w0 = b * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k, w4 = w3 + k, w5 = w4 + k;
                float b0 = bias(bias, b, cout), b1 = bias(bias, b + 1, cout), b2 = bias(bias, b + 2, cout);
                float b3 = bias(bias, b + 3, cout), b4 = bias(bias, b + 4, cout), b5 = bias(bias, b + 5, cout);
                boolean clampRows = code >= 0 && code <= 2 && r == null && oHi - oLo == MR;
                for (int t = 0; t < nt; t++) {
                    long sa = 2 * (t0 + t), sb = sa + 1;
                    boolean pair = sb < segs;
                    int ld = pair ? NR : LANES;
                    if (pair) {
                        micro62(k, xb, t * k * NR, packed, w0, w1, w2, w3, w4, w5, b0, b1, b2, b3, b4, b5, tile);
                    } else {
                        micro61(k, xb, t * k * NR, packed, w0, w1, w2, w3, w4, w5, b0, b1, b2, b3, b4, b5, tile);
                    }
                    for (int half = 0; half < (pair ? 2 : 1); half++) {
                        long sg = sa + half;
                        int oy = r0 + (int) (sg / segsPerRow), c0 = (int) (sg % segsPerRow) * LANES, cnt = Math.min(LANES, wo - c0);
                        int p = oy * wo + c0;
                        if (clampRows && cnt == LANES) {
                            storeClampedHalf(tile, half * LANES, ld, lo, hi, y, (yOff + (long) b * ldy + p) * 4, ldyBytes);
                        } else {
                            epilogue(code, act, tile, half * LANES, ld, oLo - b, oHi - b, r, rOff, y, yOff, ldy, oLo, p, cnt);
                        }
                    }
                }
            }
        }
    }

    /** One vector of each of the tile's six rows (lanes from {@code tOff}, rows {@code ld} apart), clamped, into y. */
    private static void storeClampedHalf(float[] tile, int tOff, int ld, float lo, float hi, MemorySegment y, long yAt, long ldyBytes) {
        FloatVector vlo = FloatVector.broadcast(SPECIES, lo), vhi = FloatVector.broadcast(SPECIES, hi);
        for (int row = 0; row < MR; row++) {
            FloatVector.fromArray(SPECIES, tile, row * ld + tOff).max(vlo).min(vhi).intoMemorySegment(y, yAt + row * ldyBytes, LE);
        }
    }

    /**
     * xb[d + i·stride + j] ← the input under segment lanes j < LANES for virtual row i = (c·kh + ky)·kw + kx: one run of
     * LANES floats of phase (ky mod st, kx mod st) of plane c, row oy + ky/st, from column c0 + kx/st. Lanes past the
     * output row read whatever follows (the next row, or zeros past the segment's end); their sums are never stored.
     */
    private static void packKxK(int cin, int kh, int kw, int st, MemorySegment x, long xOff, int hq, int wq, int oy, int c0, float[] xb,
                                int d, int stride) {
        long end = x.byteSize(), phase = (long) hq * wq;
        int i = 0;
        for (int c = 0; c < cin; c++) {
            for (int ky = 0; ky < kh; ky++) {
                long row = xOff + (long) (c * st + ky % st) * st * phase + (long) (oy + ky / st) * wq + c0;
                for (int kx = 0; kx < kw; kx++, i++) {
                    long at = (row + (kx % st) * phase + kx / st) * 4;
                    int e = d + i * stride;
                    if (at + LANES * 4L <= end) {
                        FloatVector.fromMemorySegment(SPECIES, x, at, LE).intoArray(xb, e);
                    } else {
                        for (int j = 0; j < LANES; j++) {
                            xb[e + j] = at + j * 4L + 4 <= end ? x.get(F32, at + j * 4L) : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Rows 0–5 of a whole tile, clamped to [lo, hi], into y at byte {@code yAt} (rows {@code ldyBytes} apart). */
    private static void storeClamped(float[] tile, float lo, float hi, MemorySegment y, long yAt, long ldyBytes) {
        FloatVector vlo = FloatVector.broadcast(SPECIES, lo), vhi = FloatVector.broadcast(SPECIES, hi);
        long half = LANES * 4L;
        for (int row = 0; row < MR; row++) {
            long at = yAt + row * ldyBytes;
            FloatVector.fromArray(SPECIES, tile, row * NR).max(vlo).min(vhi).intoMemorySegment(y, at, LE);
            FloatVector.fromArray(SPECIES, tile, row * NR + LANES).max(vlo).min(vhi).intoMemorySegment(y, at + half, LE);
        }
    }

    private static float bias(float[] bias, int o, int cout) {
        return bias == null || o >= cout ? 0f : bias[o];
    }

    /**
     * xb ← the pixel block starting at q, tile-major: {@code full} whole tiles of cin rows × NR (tile t at t·cin·NR, row i
     * at i·NR), then the last {@code rem} pixels of each row as rows of {@code tw} floats (one or two whole vectors,
     * zeros past rem). Whole vectors are copied in vector; the last partial tile element by element.
     */
    private static void pack(int cin, MemorySegment x, long xOff, int ldx, int q, int full, int rem, int tw, float[] xb) {
        long half = LANES * 4L;
        int tileFloats = cin * NR;
        for (int i = 0; i < cin; i++) {
            long row = (xOff + (long) i * ldx + q) * 4;
            int d = i * NR;
            for (int t = 0; t < full; t++) {
                long at = row + t * (NR * 4L);
                FloatVector.fromMemorySegment(SPECIES, x, at, LE).intoArray(xb, d);
                FloatVector.fromMemorySegment(SPECIES, x, at + half, LE).intoArray(xb, d + LANES);
                d += tileFloats;
            }
            if (rem > 0) {
                long at = row + full * (NR * 4L);
                int e = full * tileFloats + i * tw;
                for (int j = 0; j < rem; j++) {
                    xb[e + j] = x.get(F32, at + j * 4L);
                }
                for (int j = rem; j < tw; j++) {
                    xb[e + j] = 0f;
                }
            }
        }
    }

    /**
     * tile[r·NR + j] ← b_r + Σ_{i<kc} pk[w_r + i] · xb[xo + i·NR + j] for r < 6, j < NR; call-free so that C2 keeps
     * the twelve accumulators in registers. Always through the tile: an earlier version also stored clamped tiles
     * straight from the registers into y, and with that branch taken C2 compiled the loop at 40 GFLOP/s against 91
     * (kc 256, L1-resident, AVX2, same process): the clamp bounds and the output address, live across the loop, cost
     * AVX2's sixteenth register and spilled accumulators.
     */
    private static void micro62(int kc, float[] xb, int xo, float[] pk, int w0, int w1, int w2, int w3, int w4, int w5, float b0, float b1, float b2, float b3, float b4,
                                float b5, float[] tile) {
        FloatVector c00 = FloatVector.broadcast(SPECIES, b0), c01 = c00;
        FloatVector c10 = FloatVector.broadcast(SPECIES, b1), c11 = c10;
        FloatVector c20 = FloatVector.broadcast(SPECIES, b2), c21 = c20;
        FloatVector c30 = FloatVector.broadcast(SPECIES, b3), c31 = c30;
        FloatVector c40 = FloatVector.broadcast(SPECIES, b4), c41 = c40;
        FloatVector c50 = FloatVector.broadcast(SPECIES, b5), c51 = c50;
        if (FMA) {
            for (int i = 0; i < kc; i++) {
                int xi = xo + i * NR;
                FloatVector x0 = FloatVector.fromArray(SPECIES, xb, xi);
                FloatVector x1 = FloatVector.fromArray(SPECIES, xb, xi + LANES);
                FloatVector w = FloatVector.broadcast(SPECIES, pk[w0 + i]);
                c00 = w.fma(x0, c00);
                c01 = w.fma(x1, c01);
                w = FloatVector.broadcast(SPECIES, pk[w1 + i]);
                c10 = w.fma(x0, c10);
                c11 = w.fma(x1, c11);
                w = FloatVector.broadcast(SPECIES, pk[w2 + i]);
                c20 = w.fma(x0, c20);
                c21 = w.fma(x1, c21);
                w = FloatVector.broadcast(SPECIES, pk[w3 + i]);
                c30 = w.fma(x0, c30);
                c31 = w.fma(x1, c31);
                w = FloatVector.broadcast(SPECIES, pk[w4 + i]);
                c40 = w.fma(x0, c40);
                c41 = w.fma(x1, c41);
                w = FloatVector.broadcast(SPECIES, pk[w5 + i]);
                c50 = w.fma(x0, c50);
                c51 = w.fma(x1, c51);
            }
        } else {
            for (int i = 0; i < kc; i++) {
                int xi = xo + i * NR;
                FloatVector x0 = FloatVector.fromArray(SPECIES, xb, xi);
                FloatVector x1 = FloatVector.fromArray(SPECIES, xb, xi + LANES);
                FloatVector w = FloatVector.broadcast(SPECIES, pk[w0 + i]);
                c00 = w.mul(x0).add(c00);
                c01 = w.mul(x1).add(c01);
                w = FloatVector.broadcast(SPECIES, pk[w1 + i]);
                c10 = w.mul(x0).add(c10);
                c11 = w.mul(x1).add(c11);
                w = FloatVector.broadcast(SPECIES, pk[w2 + i]);
                c20 = w.mul(x0).add(c20);
                c21 = w.mul(x1).add(c21);
                w = FloatVector.broadcast(SPECIES, pk[w3 + i]);
                c30 = w.mul(x0).add(c30);
                c31 = w.mul(x1).add(c31);
                w = FloatVector.broadcast(SPECIES, pk[w4 + i]);
                c40 = w.mul(x0).add(c40);
                c41 = w.mul(x1).add(c41);
                w = FloatVector.broadcast(SPECIES, pk[w5 + i]);
                c50 = w.mul(x0).add(c50);
                c51 = w.mul(x1).add(c51);
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

    /** {@link #micro62} for a one-vector tile (rows of LANES in xb and in tile). */
    private static void micro61(int kc, float[] xb, int xo, float[] pk, int w0, int w1, int w2, int w3, int w4, int w5, float b0, float b1, float b2, float b3, float b4,
                                float b5, float[] tile) {
        FloatVector c0 = FloatVector.broadcast(SPECIES, b0), c1 = FloatVector.broadcast(SPECIES, b1);
        FloatVector c2 = FloatVector.broadcast(SPECIES, b2), c3 = FloatVector.broadcast(SPECIES, b3);
        FloatVector c4 = FloatVector.broadcast(SPECIES, b4), c5 = FloatVector.broadcast(SPECIES, b5);
        for (int i = 0; i < kc; i++) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, xb, xo + i * LANES);
            c0 = fma(FloatVector.broadcast(SPECIES, pk[w0 + i]), x0, c0);
            c1 = fma(FloatVector.broadcast(SPECIES, pk[w1 + i]), x0, c1);
            c2 = fma(FloatVector.broadcast(SPECIES, pk[w2 + i]), x0, c2);
            c3 = fma(FloatVector.broadcast(SPECIES, pk[w3 + i]), x0, c3);
            c4 = fma(FloatVector.broadcast(SPECIES, pk[w4 + i]), x0, c4);
            c5 = fma(FloatVector.broadcast(SPECIES, pk[w5 + i]), x0, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        c4.intoArray(tile, 4 * LANES);
        c5.intoArray(tile, 5 * LANES);
    }

    private static FloatVector fma(FloatVector w, FloatVector x, FloatVector acc) {
        return FMA ? w.fma(x, acc) : w.mul(x).add(acc);
    }

    /**
     * Output rows r in [rLo, rHi) of the tile (row stride ld, channel oLo + r − rLo) for pixels [p, p + cnt):
     * activation, residual, store. Whole vectors in vector; a partial last vector lane by lane with the scalar formulas.
     */
    private static void epilogue(int code, Activation act, float[] tile, int ld, int rLo, int rHi, MemorySegment r, long rOff,
                                 MemorySegment y, long yOff, int ldy, int oLo, int p, int cnt) {
        epilogue(code, act, tile, 0, ld, rLo, rHi, r, rOff, y, yOff, ldy, oLo, p, cnt);
    }

    /** {@link #epilogue} of the tile's lanes from {@code tOff} on (one half of a two-vector tile). */
    private static void epilogue(int code, Activation act, float[] tile, int tOff, int ld, int rLo, int rHi, MemorySegment r, long rOff,
                                 MemorySegment y, long yOff, int ldy, int oLo, int p, int cnt) {
        int full = code < 0 ? 0 : cnt / LANES * LANES;   // another activation: all lanes by the scalar function
        for (int row = rLo; row < rHi; row++) {
            long at = (long) (oLo + row - rLo) * ldy + p;
            int t = row * ld + tOff;
            for (int j = 0; j < full; j += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + j);
                // the specification's formulas written out: no helper that returns a vector (see the class comment)
                if (code == 1) {
                    v = v.max(0f);
                } else if (code == 2) {
                    v = v.max(0f).min(6f);
                } else if (code == 3) {
                    v = v.div(6f).add(0.5f).max(0f).min(1f);
                } else if (code == 4) {
                    v = v.mul(v.div(6f).add(0.5f).max(0f).min(1f));
                }
                if (r != null) {
                    v = v.add(FloatVector.fromMemorySegment(SPECIES, r, (rOff + at + j) * 4, LE));
                }
                v.intoMemorySegment(y, (yOff + at + j) * 4, LE);
            }
            for (int j = full; j < cnt; j++) {
                float v = tile[t + j];
                v = act == null ? v : ScalarKernels.activation(act, v);
                if (r != null) {
                    v += r.get(F32, (rOff + at + j) * 4);
                }
                y.set(F32, (yOff + at + j) * 4, v);
            }
        }
    }
}
