package dev.minnow.kernels;

import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The CNN kernels around GEMM: a depthwise convolution with its bias and activation fused, reading a zero-padded,
 * column-phase-split plane from a heap array (the caller fills it with bulk row copies), and the bias-plus-activation
 * epilogue of GEMM-based convolutions. The scalar implementation ({@code scalar.ScalarCnnKernels}) is the
 * specification; the Vector API one ({@code vector.VectorCnnKernels}) must agree within its property test's bound.
 *
 * <p>Plane layout (as {@link ConvKernels}): phase {@code r < stride} is an {@code hp × pw} plane at
 * {@code in[inOff + r·hp·pw]} holding {@code padded[y][x·stride + r]} at {@code [y·pw + x]}.
 *
 * <p>Activations: {@code act} null means identity; otherwise the value is {@code ScalarKernels.activation(act, v)}.
 */
public interface CnnKernels {

    /** "scalar" or "vector-256" and the like. */
    String name();

    /**
     * Depthwise k×k convolution of one channel, bias and activation fused:
     * {@code out[outOff + oy·wo + ox] = act(bias + Σ_{ky<k} Σ_{kx<k} w[wOff + ky·k + kx] · phase[kx % stride][(oy·stride + ky)·pw + ox + kx / stride])},
     * summed in that order (bias first, ky outer, kx inner) for {@code oy < ho, ox < wo}.
     */
    void depthwise(int k, int stride, float[] in, int inOff, int hp, int pw, float[] w, int wOff, float bias,
                   Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * Depthwise k×k convolution of {@code channels} consecutive channels read in place from their unpadded
     * {@code h × w} planes (channel c at {@code xOff + c·h·w}), bias and activation fused: for channel c,
     * {@code out[outOff + c·ho·wo + oy·wo + ox] = act(b_c + Σ_{ky<k} Σ_{kx<k} wt[wOff + c·k² + ky·k + kx] · in_c(oy·stride + ky − padH, ox·stride + kx − padW))}
     * with {@code in_c(y, x) = x[xOff + c·h·w + y·w + x]} inside the plane and 0 outside, {@code b_c = bias[biasOff + c]}
     * (0 when {@code bias} is null), summed in that order (bias first, ky outer, kx inner) for {@code oy < ho, ox < wo}.
     * The implementation keeps its own per-thread scratch.
     */
    void depthwiseChannels(int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                           float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * {@link #depthwiseChannels} at stride 1: same definition, same summation order per output (so, without FMA,
     * bit-identical), a different blocking: the vector implementation computes 3×3 (and wide 5×5) output rows in
     * pairs on a zero-padded heap copy of the plane (each shared input row is loaded once for both). Own per-thread
     * scratch.
     */
    void depthwiseStride1(int k, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                          float[] wt, int wOff, float[] bias, int biasOff, Activation act, MemorySegment out, long outOff, int ho, int wo);

    /**
     * Max pooling of NCHW planes {@code q} in {@code [q0, q1)}, read and written in place (F32 little-endian, offsets in
     * elements, plane {@code q} of {@code x} at {@code xOff + q·h·w}, of {@code y} at {@code yOff + q·ho·wo}):
     * {@code y[q][oy][ox]} is the maximum of {@code x[q][iy][ix]} over {@code iy ∈ [oy·stride − pad, oy·stride − pad + k) ∩
     * [0, h)} and {@code ix} likewise within {@code [0, w)}, with {@link Math#max(float, float)}'s semantics (NaN wins):
     * the padding and a ceil_mode window's overhang are left out, as −∞ would be. Every window must hold at least one
     * cell of the plane (PyTorch's output sizes guarantee it). Exact.
     */
    void maxPoolPlanes(int k, int stride, int pad, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                       int q0, int q1);

    /** {@code y[off + i] = act(y[off + i] + bias)} for {@code i < n} (F32 little-endian, offsets in elements). */
    void biasActivate(int n, float bias, Activation act, MemorySegment y, long off);

    /**
     * Pointwise (1×1) convolution of pixels {@code [p0, p1)} with bias and activation fused, reading the input in place:
     * {@code y[yOff + o·ldy + p] = act(bias[o] + Σ_{i<cin} w[o·cin + i] · x[xOff + i·ldx + p])} for {@code o < cout},
     * summed bias first (0 when {@code bias} is null), then i ascending.
     */
    void pointwise(int cout, int cin, float[] w, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                   MemorySegment y, long yOff, int ldy, int p0, int p1);

    /**
     * Direct convolution as shifted pointwise products (stride 1, no im2col): for pixels {@code p} in {@code [p0, p1)} of
     * a grid laid out like the zero-padded input,
     * {@code y[yOff + o·ldy + p] = act(bias[o] + Σ_{i<cin} Σ_{t<taps} w[(o·cin + i)·taps + t] · x[xOff + i·ldx + p + tapOff[t]])},
     * summed bias first (0 when null), then i outer, t inner. Weights in PyTorch's {@code [out, in, kh, kw]} order
     * when {@code tapOff[ky·kw + kx] = ky·dh·wp + kx·dw}.
     */
    void convShifted(int cout, int cin, int taps, int[] tapOff, float[] w, float[] bias, Activation act, float[] x, int xOff,
                     int ldx, MemorySegment y, long yOff, int ldy, int p0, int p1);

    /**
     * Winograd F(2×2, 3×3) input transform (Lavin and Gray, 2016) of channels {@code c < cin}, tile rows {@code ty} in
     * {@code [ty0, ty1)} and tile columns {@code tx < tw}. The input is the zero-padded plane of each channel split into
     * its four stride-2 phases ({@code phase} floats each, rows of {@code wq} floats): phase {@code (ry, rx)} of channel
     * c at {@code x[xOff + c·ldx + (2·ry + rx)·phase]} holds padded cell {@code (2y + ry, 2x + rx)} at {@code y·wq + x}.
     * Tile (ty, tx) reads the 4 × 4 window {@code d[i][j]} = padded cell {@code (2·ty + i, 2·tx + j)}, that is phase
     * {@code (i mod 2, j mod 2)} at row {@code ty + i/2}, column {@code tx + j/2} (so {@code wq ≥ tw + 1}), and writes
     * {@code V = Bᵀ·d·B} to {@code v[vOff + ξ·slab + c·ldv + (ty − ty0)·tw + tx]}, {@code ξ = 4a + b} for V[a][b]
     * ({@code slab ≥ cin·ldv}; a few cache lines more than a multiple of 4 KiB keeps the 16 rows a vector of tiles
     * writes out of one L1 set).
     * Implementations work in whole vectors of up to {@link #WINOGRAD_SLACK} tiles: {@code x} must hold that many floats
     * past the last cell a window reads, each {@code v} row must leave that many after its {@code (ty1 − ty0)·tw} tiles
     * ({@code ldv ≥ (ty1 − ty0)·tw + WINOGRAD_SLACK}), and what is left there is unspecified (nothing else is written). Computed rows first, {@code t[i] = (d[i][0] − d[i][2], d[i][1] + d[i][2],
     * d[i][2] − d[i][1], d[i][1] − d[i][3])}, then the same on the columns of t: {@code V[0][b] = t[0][b] − t[2][b]},
     * {@code V[1][b] = t[1][b] + t[2][b]}, {@code V[2][b] = t[2][b] − t[1][b]}, {@code V[3][b] = t[1][b] − t[3][b]}.
     * Every implementation is exact against this.
     */
    void winogradInput(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff, int ldv,
                       int slab);

    /** Floats past its tiles that {@link #winogradInput} may read and write and {@link #winogradOutput} may read. */
    int WINOGRAD_SLACK = 16;

    /**
     * Winograd F(2×2, 3×3) output transform of channels {@code o} in {@code [o0, o1)} over tile rows {@code [ty0, ty1)}
     * of {@code tw} tiles: with {@code M[a][b] = m[mOff + (4a + b)·slab + o·ldm + (ty − ty0)·tw + tx]} ({@code slab ≥ cout·ldm}) (the products
     * of the transformed weights and {@link #winogradInput}'s V, summed over the input channels),
     * {@code s[0][b] = (M[0][b] + M[1][b]) + M[2][b]}, {@code s[1][b] = (M[1][b] − M[2][b]) − M[3][b]},
     * {@code Y[i][0] = (s[i][0] + s[i][1]) + s[i][2]}, {@code Y[i][1] = (s[i][1] − s[i][2]) − s[i][3]}, and
     * {@code y[yOff + o·ho·wo + (2·ty + i)·wo + 2·tx + j] = act(Y[i][j] + bias[o]) + r[rOff + ...same index]} for the
     * cells with {@code 2·ty + i < ho} and {@code 2·tx + j < wo} (bias 0 when null, no residual term when {@code r} is
     * null; {@code r} may be {@code y}). F32 little-endian, offsets in elements. Implementations may read
     * {@link #WINOGRAD_SLACK} floats of {@code m} past each row's tiles ({@code ldm ≥ (ty1 − ty0)·tw + WINOGRAD_SLACK}).
     * Exact against this.
     */
    void winogradOutput(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                        MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1);

    /**
     * Winograd F(4×4, 3×3) input transform (interpolation points 0, ±1, ±2, ∞) of channels {@code c < cin}, tile rows
     * {@code [ty0, ty1)} and tile columns {@code tx < tw}. The input is the zero-padded plane of each channel split into
     * its four column phases ({@code phase} floats each, rows of {@code wq} floats): phase q of channel c at
     * {@code x[xOff + c·ldx + q·phase]} holds padded cell {@code (y, 4x + q)} at {@code y·wq + x}. Tile (ty, tx) reads the
     * 6 × 6 window {@code d[i][j]} = padded cell {@code (4·ty + i, 4·tx + j)} = phase {@code j mod 4} at row
     * {@code 4·ty + i}, column {@code tx + j/4}, and writes {@code V = Bᵀ·d·B} to
     * {@code v[vOff + ξ·slab + c·ldv + (ty − ty0)·tw + tx]}, {@code ξ = 6a + b} for V[a][b]. Computed rows first, each
     * row {@code (d0..d5)} becoming {@code ((4·d0 − 5·d2) + d4, u + w, u − w, p + q, p − q, (4·d1 − 5·d3) + d5)} with
     * {@code u = d4 − 4·d2}, {@code w = d3 − 4·d1}, {@code p = d4 − d2}, {@code q = 2·(d3 − d1)} (each operation rounded
     * once, no fused multiply-add), then the same on the columns. Slack as {@link #winogradInput}; exact against this.
     */
    void winograd4Input(int cin, float[] x, int xOff, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff, int ldv,
                        int slab);

    /**
     * Winograd F(4×4, 3×3) output transform: as {@link #winogradOutput} with 6 × 6 products
     * {@code M[a][b] = m[mOff + (6a + b)·slab + o·ldm + (ty − ty0)·tw + tx]} and 4 × 4 outputs per tile at
     * {@code (4·ty + i, 4·tx + j)}: each column {@code (m0..m5)} of M becomes {@code ((m0 + p) + s, q + 2·t, p + 4·s,
     * (q + 8·t) + m5)} with {@code p = m1 + m2}, {@code q = m1 − m2}, {@code s = m3 + m4}, {@code t = m3 − m4}, then the
     * same on the rows; then {@code act(Y + bias[o]) + r}. Exact against this.
     */
    void winograd4Output(int cout, float[] m, int mOff, int ldm, int slab, int tw, int ty0, int ty1, float[] bias, Activation act,
                         MemorySegment r, long rOff, MemorySegment y, long yOff, int ho, int wo, int o0, int o1);

    /**
     * Splits interleaved pairs (the column phases of a stride-2 convolution): {@code even[evenOff + j] = src[srcOff + 2j]}
     * and {@code odd[oddOff + j] = src[srcOff + 2j + 1]} for {@code j < pairs}. {@code even} and {@code odd} may be the
     * same array (disjoint ranges).
     */
    void deinterleave(float[] src, int srcOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff);

    /**
     * Channels per block of the channel-blocked layout ("NCHWc") these kernels run fastest on: the vector's float lanes
     * (the scalar specification takes any; it answers 16). In that layout one image of C channels and h × w pixels is
     * {@code ceil(C / L)} blocks of h × w pixels of L lanes: channel c of pixel p at {@code ((c / L)·h·w + p)·L + c % L}.
     * Lanes past C hold +0 wherever these kernels write them.
     */
    default int blockLanes() {
        return 16;
    }

    /**
     * Depthwise k×k convolution over the channel-blocked layout (lanes {@code L}; see {@link #blockLanes}), bias and
     * activation fused, for channel blocks {@code [cb0, cb1)}: with {@code c = cb·L + l},
     * {@code out[outOff + ((cb·ho + oy)·wo + ox)·L + l] = act(b_c + Σ_{ky<k} Σ_{kx<k} W(c, ky·k + kx) · in_c(oy·stride + ky − padH, ox·stride + kx − padW))}
     * for {@code c < channels} and {@code +0} for the lanes past them; {@code in_c(y, x) = x[xOff + ((cb·h + y)·w + x)·L + l]}
     * inside the plane and 0 outside; summed bias first, ky outer, kx inner (as {@link #depthwiseChannels}). The weights
     * and bias come packed by {@link #packDepthwiseNchwc}: {@code W(c, t) = packed[(cb·(k² + 1) + t)·L + l]},
     * {@code b_c = packed[(cb·(k² + 1) + k²)·L + l]}. Implementations compute other lane counts by this definition.
     */
    void depthwiseNchwc(int lanes, int k, int stride, int padH, int padW, int channels, MemorySegment x, long xOff, int h, int w,
                        float[] packed, Activation act, MemorySegment out, long outOff, int ho, int wo, int cb0, int cb1);

    /**
     * Depthwise weights {@code wt[c·k² + t]} and {@code bias[c]} (0 when null) packed for {@link #depthwiseNchwc} at
     * {@code lanes}: per channel block its k² weight vectors, then its bias vector, 0 in the lanes past the channels.
     */
    static float[] packDepthwiseNchwc(int lanes, int channels, int k, float[] wt, float[] bias) {
        int blocks = (channels + lanes - 1) / lanes, taps = k * k;
        float[] p = new float[Math.multiplyExact(Math.multiplyExact(blocks, taps + 1), lanes)];
        for (int c = 0; c < channels; c++) {
            int cb = c / lanes, l = c % lanes;
            for (int t = 0; t < taps; t++) {
                p[(cb * (taps + 1) + t) * lanes + l] = wt[c * taps + t];
            }
            p[(cb * (taps + 1) + taps) * lanes + l] = bias == null ? 0f : bias[c];
        }
        return p;
    }

    /**
     * Pointwise (1×1) convolution with the output, and optionally the input, in the channel-blocked layout, bias and
     * activation fused: {@code y(o, p) = act(bias[o] + Σ_{i<cin} w[o·cin + i] · x(i, p)) + r(o, p)} summed bias first (0
     * when null), then i ascending, the residual {@code r} (in the output's layout, offsets as y; may be null) last, for
     * the output blocks {@code [ob0, ob1)} and pixels {@code [p0, p1)}. {@code x(i, p)} is
     * {@code x[xOff + ((i/L)·plane + p)·L + i%L]} when {@code xBlocked}, else {@code x[xOff + i·plane + p]}; the output
     * likewise by {@code yBlocked}, where the lanes past {@code cout} are written +0 plus the residual's lanes (an NCHW
     * output writes only the channels below {@code cout}). The weights come packed by {@link #packNchwc}.
     */
    void pointwiseNchwc(int lanes, int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff,
                        boolean xBlocked, int plane, MemorySegment r, long rOff, MemorySegment y, long yOff, boolean yBlocked,
                        int ob0, int ob1, int p0, int p1);

    /**
     * A k×k convolution (one group, no dilation) with input and output in the channel-blocked layout, bias and
     * activation fused: for output channel o and pixel {@code p = oy·wo + ox},
     * {@code y(o, p) = act(bias[o] + Σ_{cb, ky, kx, l} W(o, cb·L + l, ky, kx) · x(cb·L + l, iy, ix))}, summed bias first (0
     * when null), then over every tap in the order cb, ky, kx, l (block, row, column, lane), with
     * {@code iy = oy·stride + ky − padH}, {@code ix = ox·stride + kx − padW} and
     * {@code x(c, iy, ix) = x[xOff + ((c/L)·h·w + iy·w + ix)·L + c%L]} inside the plane for {@code c < cin}, +0 outside it
     * and past cin (those terms are summed too: {@code W·(+0)}). Output blocks
     * {@code [ob0, ob1)} and pixels {@code [p0, p1)} at {@code y[yOff + (ob·ho·wo + p)·L + l]}; the lanes past {@code cout}
     * are written +0. Weights packed by {@link #packNchwcKxK}. The input's lanes past {@code cin} are not read.
     */
    void convNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, int padH, int padW, float[] packed, float[] bias,
                   Activation act, MemorySegment x, long xOff, int h, int w, MemorySegment y, long yOff, int ho, int wo,
                   int ob0, int ob1, int p0, int p1);

    /**
     * A k×k convolution (one group, no dilation) of a few NCHW input channels written in the channel-blocked layout (a
     * network's stem, which then needs no conversion). The input is zero-padded (padding included, every window lies
     * inside it) and split into its stride phases in a heap array: padded cell {@code (y, x)} of channel i at
     * {@link #stemPhaseIndex}{@code (stride, hq, wq, i, y, x)}, with phase planes of {@code hq × wq} cells. For output
     * channel o, {@code y(o, oy, ox) = act(bias[o] + Σ_{i, ky, kx} W(o, i, ky, kx) · padded(i, oy·stride + ky, ox·stride + kx))},
     * summed bias first (0 when null), then in the order i, ky, kx. Output blocks {@code [ob0, ob1)} and rows
     * {@code [oy0, oy1)} at {@code y[yOff + ((ob·ho + oy)·wo + ox)·L + l]}; the lanes past {@code cout} are written +0.
     * Weights packed by {@link #packStemNchwc}.
     */
    void convStemNchwc(int lanes, int cout, int cin, int kh, int kw, int stride, float[] packed, float[] bias, Activation act,
                       float[] xp, int hq, int wq, MemorySegment y, long yOff, int ho, int wo, int ob0, int ob1, int oy0, int oy1);

    /**
     * Where {@link #convStemNchwc} reads padded cell {@code (y, x)} of input channel i: phase {@code (y % s, x % s)} of the
     * channel, row {@code y / s}, column {@code x / s}, phase planes of {@code hq × wq} cells (so tap (ky, kx) of
     * output (oy, ox) is cell {@code (oy + ky/s, ox + kx/s)} of its phase: consecutive outputs, consecutive cells).
     */
    static int stemPhaseIndex(int s, int hq, int wq, int i, int y, int x) {
        return ((i * s + y % s) * s + x % s) * hq * wq + (y / s) * wq + x / s;
    }

    /**
     * PyTorch-ordered k×k weights {@code w[((o·cin + i)·kh + ky)·kw + kx]} packed for {@link #convStemNchwc}: block ob's
     * weight vector of tap {@code t = (i·kh + ky)·kw + kx} at {@code packed[(ob·T + t)·L + lo] = w[o = ob·L + lo][i][ky][kx]}
     * with {@code T = cin·kh·kw}, 0 where {@code o ≥ cout}.
     */
    static float[] packStemNchwc(int lanes, int cout, int cin, int kh, int kw, float[] w) {
        int blocks = (cout + lanes - 1) / lanes, taps = Math.multiplyExact(Math.multiplyExact(cin, kh), kw);
        float[] p = new float[Math.multiplyExact(Math.multiplyExact(blocks, taps), lanes)];
        for (int o = 0; o < cout; o++) {
            for (int t = 0; t < taps; t++) {
                p[((o / lanes) * taps + t) * lanes + o % lanes] = w[o * taps + t];
            }
        }
        return p;
    }

    /**
     * PyTorch-ordered k×k weights {@code w[((o·cin + i)·kh + ky)·kw + kx]} packed for {@link #convNchwc}: with
     * {@code K = ceil(cin/L)·kh·kw·L} taps per output, block ob's weight vector of tap
     * {@code t = ((cb·kh + ky)·kw + kx)·L + l} at {@code packed[(ob·K + t)·L + lo] = w[o = ob·L + lo][i = cb·L + l][ky][kx]},
     * 0 where {@code o ≥ cout} or {@code i ≥ cin}.
     */
    static float[] packNchwcKxK(int lanes, int cout, int cin, int kh, int kw, float[] w) {
        int ib = (cin + lanes - 1) / lanes, blocks = (cout + lanes - 1) / lanes;
        int taps = Math.multiplyExact(Math.multiplyExact(ib * kh, kw), lanes);
        float[] p = new float[Math.multiplyExact(Math.multiplyExact(blocks, taps), lanes)];
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < cin; i++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int t = (((i / lanes) * kh + ky) * kw + kx) * lanes + i % lanes;
                        p[((o / lanes) * taps + t) * lanes + o % lanes] = w[((o * cin + i) * kh + ky) * kw + kx];
                    }
                }
            }
        }
        return p;
    }

    /**
     * Pointwise weights {@code w[o·cin + i]} packed for {@link #pointwiseNchwc} at {@code lanes}: block {@code ob}'s
     * weights of input {@code i} as one vector, {@code packed[(ob·cin + i)·L + l] = w[(ob·L + l)·cin + i]}, 0 past cout.
     */
    static float[] packNchwc(int lanes, int cout, int cin, float[] w) {
        int blocks = (cout + lanes - 1) / lanes;
        float[] p = new float[Math.multiplyExact(Math.multiplyExact(blocks, cin), lanes)];
        for (int o = 0; o < cout; o++) {
            int ob = o / lanes, l = o % lanes;
            for (int i = 0; i < cin; i++) {
                p[(ob * cin + i) * lanes + l] = w[o * cin + i];
            }
        }
        return p;
    }

    /**
     * NCHW → channel-blocked: {@code y[yOff + ((c/L)·plane + p)·L + c%L] = x[xOff + c·plane + p]}, lanes past
     * {@code channels} set to +0. Exact.
     */
    static void toNchwc(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int blocks = (channels + lanes - 1) / lanes;
        float[] row = new float[plane];
        float[] blk = new float[plane * lanes];
        for (int cb = 0; cb < blocks; cb++) {
            java.util.Arrays.fill(blk, 0f);
            for (int l = 0; l < lanes && cb * lanes + l < channels; l++) {
                MemorySegment.copy(x, Tensor.F32_LE, (xOff + (long) (cb * lanes + l) * plane) * 4, row, 0, plane);
                for (int p = 0; p < plane; p++) {
                    blk[p * lanes + l] = row[p];
                }
            }
            MemorySegment.copy(blk, 0, y, Tensor.F32_LE, (yOff + (long) cb * plane * lanes) * 4, plane * lanes);
        }
    }

    /** Channel-blocked → NCHW, the inverse of {@link #toNchwc} for the first {@code channels} channels. Exact. */
    static void fromNchwc(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int blocks = (channels + lanes - 1) / lanes;
        float[] row = new float[plane];
        float[] blk = new float[plane * lanes];
        for (int cb = 0; cb < blocks; cb++) {
            MemorySegment.copy(x, Tensor.F32_LE, (xOff + (long) cb * plane * lanes) * 4, blk, 0, plane * lanes);
            for (int l = 0; l < lanes && cb * lanes + l < channels; l++) {
                for (int p = 0; p < plane; p++) {
                    row[p] = blk[p * lanes + l];
                }
                MemorySegment.copy(row, 0, y, Tensor.F32_LE, (yOff + (long) (cb * lanes + l) * plane) * 4, plane);
            }
        }
    }

    /**
     * Channel means of a channel-blocked image ({@code blocks} blocks of {@code plane} pixels of {@code lanes} lanes):
     * {@code out[cb·L + l] = (Σ_{p < plane} x[xOff + (cb·plane + p)·L + l]) / plane}, summed in p order from +0, in float.
     * Exact as defined (the vector implementation adds whole pixel vectors in the same order).
     */
    default void blockedMeans(int lanes, int blocks, int plane, MemorySegment x, long xOff, float[] out) {
        for (int cb = 0; cb < blocks; cb++) {
            for (int l = 0; l < lanes; l++) {
                float s = 0f;
                for (int p = 0; p < plane; p++) {
                    s += x.getAtIndex(Tensor.F32_LE, xOff + ((long) cb * plane + p) * lanes + l);
                }
                out[cb * lanes + l] = s / plane;
            }
        }
    }

    /**
     * Per-channel scaling of a channel-blocked image: {@code y[yOff + (cb·plane + p)·L + l] = x[xOff + …] · g[cb·L + l]}
     * for channels {@code cb·L + l < channels}, +0 in the lanes past them. Exact. {@code y} may be {@code x}.
     */
    default void blockedScale(int lanes, int channels, int plane, float[] g, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int blocks = (channels + lanes - 1) / lanes;
        for (int cb = 0; cb < blocks; cb++) {
            for (int p = 0; p < plane; p++) {
                for (int l = 0; l < lanes; l++) {
                    long at = ((long) cb * plane + p) * lanes + l;
                    int c = cb * lanes + l;
                    y.setAtIndex(Tensor.F32_LE, yOff + at, c < channels ? x.getAtIndex(Tensor.F32_LE, xOff + at) * g[c] : 0f);
                }
            }
        }
    }

    /**
     * {@link #toNchwc} by this implementation, for any lane count: the same result (an exact re-indexing). The vector
     * implementation moves L × L squares through register transposes at its own lane count.
     */
    default void nchwToBlocked(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        toNchwc(lanes, channels, plane, x, xOff, y, yOff);
    }

    /** {@link #fromNchwc} by this implementation, for any lane count: the same result. */
    default void blockedToNchw(int lanes, int channels, int plane, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        fromNchwc(lanes, channels, plane, x, xOff, y, yOff);
    }

    /** The process-wide implementation: vector when {@link KernelProvider#get()} chose vector, at the same width. */
    static CnnKernels get() {
        return CnnKernelsChoice.INSTANCE;
    }

    /** The scalar specification. */
    static CnnKernels scalar() {
        return dev.minnow.kernels.scalar.ScalarCnnKernels.INSTANCE;
    }
}
