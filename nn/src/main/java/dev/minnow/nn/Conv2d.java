package dev.minnow.nn;

import dev.minnow.kernels.Activation;
import dev.minnow.kernels.CnnKernels;
import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.NchwPointwiseKernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.scalar.ScalarKernels;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * 2-D convolution over NCHW F32 with PyTorch's semantics and weight layout {@code [out, in/groups, kh, kw]}: any
 * kernel size, stride, zero padding, dilation and group count, an optional bias and an optional fused activation.
 *
 * <p>Paths: pointwise (1×1, stride 1, no padding) on a 1×1 plane (squeeze-and-excitation) runs one {@link Kernels#gemv};
 * on planes under 512 pixels or with more than 256 inputs it runs
 * {@link NchwPointwiseKernels} on weights packed at load (bias and activation fused), on larger planes
 * {@link CnnKernels#pointwise} reading the planes in place; strided 1×1 (no padding, one group) gathers the pixels it
 * reads into a scratch plane per channel and runs the same packed kernel; depthwise (groups = in = out, square kernel, dilation 1)
 * runs {@link CnnKernels#depthwiseStride1} at stride 1, else {@link CnnKernels#depthwiseChannels} (the vector kernels:
 * outputs up to 32 wide (3×3, 5×5; 16 for other sizes) with a vector of channels in the lanes, moved there and back by
 * vector transposes; wider ones on flat phase planes per channel, and at stride 1 on outputs of 64 and wider output rows in pairs on a padded heap
 * plane; with {@code -Dminnow.cnn.dwFlat=false} stride-2 3×3 with outputs wider than 16 runs
 * {@link CnnKernels#depthwise} on phase-split heap planes); one-group convolutions (≥ 256 output pixels, or deep ones
 * on smaller planes) run as shifted pointwise products over a zero-padded copy (split over the threads by pixel blocks,
 * or by output channels where a plane has few blocks); everything else is
 * im2col + GEMM per group, with bias and activation added in one pass ({@link CnnKernels#biasActivate}). Deep
 * one-group convolutions (in·kh·kw ≥ 1024, below 512-bit kernels; see {@link #usePackedKxK}) at stride 1 or 2 with
 * dilation 1 run {@link NchwPointwiseKernels#convKxK} instead (an implicit-im2col pointwise convolution over in·kh·kw
 * virtual rows of a zero-padded, at stride 2 phase-split copy; bias, activation and a residual fused).
 * BatchNorm folds into the weights at load time ({@link #foldBatchNorm}).
 *
 * <p>Channel-blocked activations ({@link Nchwc}): every convolution reads them, and one built
 * {@link #withNchwcOutput} writes them. Pointwise layers then run {@link CnnKernels#pointwiseNchwc} (output channels
 * in the lanes, pixels broadcast; a residual in either layout fused) and depthwise ones
 * {@link CnnKernels#depthwiseNchwc} (the channels-in-lanes kernels with no transposes); other layers convert.
 */
public final class Conv2d implements Layer {
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final int dh;
    private final int dw;
    private final int groups;
    private final Tensor weight;   // F32 contiguous [out, in/groups, kh, kw]
    private final Tensor bias;     // F32 [out] or null
    private final Activation activation; // null: identity
    // the part of the activation the CnnKernels fuse into their output loops (their vector forms are those four), and
    // the rest, applied afterwards by the vectorised Kernels.activate (GELU, SiLU, sigmoid, ... would otherwise run
    // element by element in the fused loops' scalar fallback: the light field's GELU layers were 5x slower that way)
    private final Activation fused;
    private final Activation after;
    private final float[] weightArray;   // the weights on the heap (depthwise reads them per channel)
    private final float[] biasArray;     // or null
    private final float[] pointwisePacked;   // 1×1 group-1 weights packed for NchwPointwiseKernels, or null
    private final boolean nchwcOut;          // the output in the channel-blocked layout (Nchwc)
    private volatile float[] nchwcPacked;    // 1×1 group-1 weights packed for CnnKernels.pointwiseNchwc, on first use

    private Conv2d(Tensor weight, Tensor bias, int sh, int sw, int ph, int pw, int dh, int dw, int groups, Activation activation) {
        this(weight, bias, sh, sw, ph, pw, dh, dw, groups, activation, false);
    }

    private Conv2d(Tensor weight, Tensor bias, int sh, int sw, int ph, int pw, int dh, int dw, int groups, Activation activation,
                   boolean nchwcOut) {
        if (weight.rank() != 4) {
            throw new IllegalArgumentException("Conv2d weight must be [out, in/groups, kh, kw], got " + Arrays.toString(weight.shape()));
        }
        if (groups < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("Conv2d needs groups, stride, dilation >= 1 and padding >= 0; got groups=" + groups
                    + " stride=" + sh + "x" + sw + " padding=" + ph + "x" + pw + " dilation=" + dh + "x" + dw);
        }
        this.weight = Buffers.asF32(weight);
        this.out = Math.toIntExact(weight.dim(0));
        this.in = Math.toIntExact(weight.dim(1) * groups);
        this.kh = Math.toIntExact(weight.dim(2));
        this.kw = Math.toIntExact(weight.dim(3));
        if (out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: " + out + " output channels not divisible by groups=" + groups);
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw new IllegalArgumentException("Conv2d bias must be [" + out + "], got " + Arrays.toString(bias.shape()));
        }
        this.bias = bias == null ? null : Buffers.asF32(bias);
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.dh = dh;
        this.dw = dw;
        this.groups = groups;
        this.activation = activation;
        this.nchwcOut = nchwcOut;
        boolean fusable = activation == null || activation == Activation.RELU || activation == Activation.RELU6
                || activation == Activation.HARD_SIGMOID || activation == Activation.HARD_SWISH;
        this.fused = fusable ? activation : null;
        this.after = fusable ? null : activation;
        this.weightArray = this.weight.toFloatArray();
        this.biasArray = this.bias == null ? null : this.bias.toFloatArray();
        // only where run() can take the packed path (1×1, no padding, one group; strided: subsampled first): no second
        // weight copy otherwise
        this.pointwisePacked = kh == 1 && kw == 1 && ph == 0 && pw == 0 && groups == 1
                ? NchwPointwiseKernels.get().pack(out, in, weightArray) : null;
    }

    /** Square stride, padding and dilation. {@code bias} may be null. */
    public static Conv2d of(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return new Conv2d(weight, bias, stride, stride, padding, padding, dilation, dilation, groups, null);
    }

    /** Per-axis {@code {h, w}} stride, padding and dilation. */
    public static Conv2d of(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return new Conv2d(weight, bias, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups, null);
    }

    /** The same convolution with no padding (a caller that pads explicitly, e.g. patch-based inference). */
    public Conv2d withoutPadding() {
        return new Conv2d(weight, bias, sh, sw, 0, 0, dh, dw, groups, activation, nchwcOut);
    }

    /** The same convolution followed by {@code act} (null for none). */
    public Conv2d withActivation(Activation act) {
        return new Conv2d(weight, bias, sh, sw, ph, pw, dh, dw, groups, act, nchwcOut);
    }

    /**
     * The same convolution writing its output in the channel-blocked layout ({@link Nchwc}) when {@code on} (and
     * {@link Nchwc#enabled()}), NCHW otherwise. Every convolution reads either layout. Pointwise and depthwise layers
     * compute in it directly; the others convert.
     */
    public Conv2d withNchwcOutput(boolean on) {
        return new Conv2d(weight, bias, sh, sw, ph, pw, dh, dw, groups, activation, on);
    }

    /** Whether this convolution was built to write the channel-blocked layout. */
    public boolean nchwcOutput() { return nchwcOut; }

    /** Whether this is a 1×1, stride-1, unpadded, one-group convolution. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && groups == 1;
    }

    /** Whether this is a depthwise convolution (groups = in = out, square kernel, equal strides, no dilation). */
    public boolean isDepthwise() {
        return groups == in && groups == out && kh == kw && dh == 1 && dw == 1 && sh == sw;
    }

    /**
     * Folds an eval-mode BatchNorm that follows this convolution into its weights and bias:
     * {@code w' = w·γ/√(σ²+ε)}, {@code b' = (b − μ)·γ/√(σ²+ε) + β} (computed in double, stored as F32).
     */
    public Conv2d foldBatchNorm(Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps) {
        float[] g = gamma.toFloatArray(), be = beta.toFloatArray(), m = mean.toFloatArray(), v = var.toFloatArray();
        if (g.length != out || be.length != out || m.length != out || v.length != out) {
            throw new IllegalArgumentException("BatchNorm over " + g.length + " channels cannot follow a Conv2d with " + out + " outputs");
        }
        float[] w = weight.toFloatArray();
        float[] b = bias == null ? new float[out] : bias.toFloatArray();
        int per = w.length / out;
        float[] nb = new float[out];
        for (int c = 0; c < out; c++) {
            double s = g[c] / Math.sqrt((double) v[c] + eps);
            for (int i = 0; i < per; i++) {
                w[c * per + i] = (float) (w[c * per + i] * s);
            }
            nb[c] = (float) ((b[c] - (double) m[c]) * s + be[c]);
        }
        return new Conv2d(Buffers.f32(w, weight.shape()), Buffers.f32(nb, out), sh, sw, ph, pw, dh, dw, groups, activation, nchwcOut);
    }

    /** {@code {kh, kw, sh, sw, ph, pw, dh, dw}}: kernel, stride, padding and dilation per axis. */
    public int[] geometry() { return new int[] {kh, kw, sh, sw, ph, pw, dh, dw}; }

    /** The fused activation, or null. */
    Activation activation() { return activation; }

    public int inChannels() { return in; }

    public int outChannels() { return out; }

    public int groups() { return groups; }

    public Tensor weight() { return weight; }

    /** The bias, or null. */
    public Tensor bias() { return bias; }

    /** Output {@code {H, W}} for an input of {@code h × w}; throws when the kernel does not fit. */
    public int[] outputSize(int h, int w) {
        int ho = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int wo = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        if (h + 2 * ph - dh * (kh - 1) - 1 < 0 || w + 2 * pw - dw * (kw - 1) - 1 < 0) {
            throw new IllegalArgumentException("Conv2d " + kh + "x" + kw + " (padding " + ph + "x" + pw + ", dilation " + dh + "x" + dw
                    + ") does not fit an input of " + h + "x" + w);
        }
        return new int[] {ho, wo};
    }

    /** Multiply-accumulates for one image of {@code h × w}. */
    public long macs(int h, int w) {
        int[] o = outputSize(h, w);
        return (long) out * o[0] * o[1] * (in / groups) * kh * kw;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!Profile.ENABLED) {
            return run(x);
        }
        long t0 = Profile.begin();
        boolean blocked = Nchwc.isBlocked(x) || nchwcOut && Nchwc.enabled();
        Tensor y = run(x);
        String kind = (Profile.SHAPES ? profileKind(x) + " " + in + "->" + out + " @" + x.dim(2) : profileKind(x)) + (blocked ? " nchwc" : "");
        Profile.end(kind, t0, macs((int) x.dim(2), (int) x.dim(3)) * x.dim(0));
        return y;
    }

    /** The profile label of this convolution's path on {@code x} (a Winograd layer says which tile). */
    private String profileKind(Tensor x) {
        if (groups == in && groups == out) {
            return "conv dw" + kh + " s" + sh;
        }
        if (isPointwise()) {
            return "conv pw";
        }
        int[] o = outputSize((int) x.dim(2), (int) x.dim(3));
        int wino = winogradShape() && !Int8Quantization.active() ? winogradChoice(o[0], o[1]) : 0;
        return "conv " + kh + "x" + kw + " s" + sh + (groups > 1 ? " g" : "") + (wino > 0 ? " F" + wino : "");
    }

    /**
     * {@code forward(x) + residual} (the activation, if any, before the add), with the add fused into the output pass
     * where the path allows (the packed pointwise kernel) and otherwise one in-place pass per image. {@code residual}
     * must be F32 of exactly the output's shape.
     */
    public Tensor forwardAdd(Tensor x, Tensor residual) {
        if (!Profile.ENABLED) {
            return run(x, residual);
        }
        long t0 = Profile.begin();
        boolean blocked = Nchwc.isBlocked(x) || nchwcOut && Nchwc.enabled();
        Tensor y = run(x, residual);
        String kind = Profile.SHAPES ? profileKind(x) + " " + in + "->" + out + " @" + x.dim(2) : profileKind(x);
        Profile.end(kind + " +add" + (blocked ? " nchwc" : ""), t0, macs((int) x.dim(2), (int) x.dim(3)) * x.dim(0));
        return y;
    }

    private Tensor run(Tensor x) {
        return run(x, null);
    }

    private Tensor run(Tensor x, Tensor residual) {
        boolean blockedIn = Nchwc.isBlocked(x);
        boolean blockedOut = nchwcOut && Nchwc.enabled();
        return blockedIn || blockedOut || residual != null && Nchwc.isBlocked(residual)
                ? runNchwc(x, residual, blockedIn, blockedOut) : runNchw(x, residual);
    }

    /**
     * Either side in the channel-blocked layout: pointwise and depthwise layers (with a fused activation, outside int8
     * sessions) run the {@link CnnKernels} NCHWc kernels; everything else converts its input to NCHW, runs
     * {@link #runNchw} and converts the output if it must be blocked. A residual in the other layout than the output's
     * is converted first.
     */
    private Tensor runNchwc(Tensor x, Tensor residual, boolean blockedIn, boolean blockedOut) {
        int L = Nchwc.lanes();
        if (blockedIn) {
            Nchwc.check("Conv2d", x, in);
        } else {
            Buffers.checkNchw("Conv2d", x, in);
        }
        int n = (int) x.dim(0), h = (int) x.dim(2), w = (int) x.dim(3);
        int[] o = outputSize(h, w);
        int ho = o[0], wo = o[1];
        int ib = (in + L - 1) / L, ob = (out + L - 1) / L;
        if (residual != null) {
            boolean rBlocked = Nchwc.isBlocked(residual);
            long[] want = rBlocked ? new long[] {n, ob, ho, wo, L} : new long[] {n, out, ho, wo};
            if (residual.dtype() != dev.minnow.tensor.DType.F32 || !Arrays.equals(residual.shape(), want)) {
                throw new IllegalArgumentException("Conv2d residual must be F32 " + Arrays.toString(want) + ", got "
                        + residual.dtype() + Arrays.toString(residual.shape()));
            }
            if (rBlocked != blockedOut) {
                residual = rBlocked ? Nchwc.toNchw(residual.contiguous(), out) : Nchwc.fromNchw(residual.contiguous());
            }
        }
        boolean pointwise = isPointwise(), depthwise = isDepthwise();
        if (after == null && !Int8Quantization.active() && (pointwise || depthwise && residual == null)) {
            if (pointwise) {
                Tensor y = blockedOut ? Buffers.f32Overwritten(n, ob, h, w, L) : Buffers.f32Overwritten(n, out, h, w);
                MemorySegment rs = residual == null ? null : residual.contiguous().segment();
                int plane = h * w;
                for (int b = 0; b < n; b++) {
                    long xOff = (long) b * (blockedIn ? ib * L : in) * plane, yOff = (long) b * (blockedOut ? ob * L : out) * plane;
                    pointwiseNchwc(L, x.segment(), xOff, blockedIn, plane, rs, yOff, y.segment(), yOff, blockedOut);
                }
                return y;
            }
            Tensor xb = blockedIn ? x : Nchwc.fromNchw(x);
            Tensor yb = Buffers.f32Overwritten(n, ob, ho, wo, L);
            CnnKernels ck = CnnKernels.get();
            MemorySegment xs = xb.segment(), ys = yb.segment();
            Activation act = fused;
            float[] packed = dwNchwcPacked(L);
            int grain = Math.max(1, 16384 / Math.max(1, ho * wo * L));
            for (int b = 0; b < n; b++) {
                long xOff = (long) b * ib * h * w * L, yOff = (long) b * ob * ho * wo * L;
                Parallel.forRange(ob, grain, (c0, c1) -> ck.depthwiseNchwc(L, kh, sh, ph, pw, out, xs, xOff, h, w, packed, act, ys, yOff,
                        ho, wo, c0, c1));
            }
            return blockedOut ? yb : Nchwc.toNchw(yb, out);
        }
        if (!blockedIn && blockedOut && residual == null && after == null && !Int8Quantization.active() && stemNchwc()
                && Boolean.parseBoolean(System.getProperty("minnow.cnn.stemDirect", "true"))) {
            return stemNchwc(x, L, n, h, w, ho, wo);
        }
        Tensor rn = residual != null && blockedOut ? Nchwc.toNchw(residual.contiguous(), out) : residual;
        Tensor y = runNchw(blockedIn ? Nchwc.toNchw(x, in) : x, rn);
        return blockedOut ? Nchwc.fromNchw(y) : y;
    }

    /** Most input channels of a stem that {@link #stemNchwc(Tensor, int, int, int, int, int, int)} writes blocked. */
    private static final int STEM_MAX_IN = 4;

    /**
     * Whether this convolution writes the channel-blocked layout straight from NCHW input
     * ({@link CnnKernels#convStemNchwc}): a network's stem, one group over at most four input channels, no dilation, one
     * stride, an activation that kernel fuses (none, ReLU, ReLU6, hard-sigmoid, hard-swish). The ONNX layout pass lets
     * such a layer write blocked when its readers take that layout; {@code -Dminnow.cnn.stemDirect=false} (read per call)
     * computes it NCHW and converts instead.
     */
    public boolean stemNchwc() {
        return groups == 1 && !isPointwise() && !isDepthwise() && in <= STEM_MAX_IN && dh == 1 && dw == 1 && sh == sw
                && (fused == null || fused == Activation.RELU || fused == Activation.RELU6 || fused == Activation.HARD_SIGMOID
                    || fused == Activation.HARD_SWISH);
    }

    private volatile float[] stemPacked;

    /** Per thread: the stem's zero-padded input in stride phases, and one input plane. */
    private static final ThreadLocal<float[][]> STEM_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * The {@link #stemNchwc()} path: each image copied once into its zero-padded stride phases on the heap
     * ({@link #copyPhases}, the layout {@link CnnKernels#stemPhaseIndex} describes), then rows of output in tasks.
     */
    private Tensor stemNchwc(Tensor x, int L, int n, int h, int w, int ho, int wo) {
        float[] packed = stemPacked;
        if (packed == null || packed.length != ((out + L - 1) / L) * in * kh * kw * L) {
            packed = CnnKernels.packStemNchwc(L, out, in, kh, kw, weightArray);
            stemPacked = packed;
        }
        int s = sh, ob = (out + L - 1) / L, hq = (h + 2 * ph + s - 1) / s, wq = (w + 2 * pw + s - 1) / s, len = in * s * s * hq * wq;
        Tensor y = Buffers.f32Overwritten(n, ob, ho, wo, L);
        float[][] sc = STEM_SCRATCH.get();
        if (sc[0].length < len) {
            sc[0] = new float[len];
        }
        if (sc[1].length < h * w) {
            sc[1] = new float[h * w];
        }
        float[] xp = sc[0], stage = sc[1], pk = packed, b = biasArray;
        Activation act = fused;
        CnnKernels ck = CnnKernels.get();
        MemorySegment xs = x.segment(), ys = y.segment();
        int grain = (int) Math.max(1, 65536 / Math.max(1L, (long) wo * out * in * kh * kw));
        java.util.Arrays.fill(xp, 0, len, 0f);   // the padding; the cells of the image are overwritten per image
        for (int b0 = 0; b0 < n; b0++) {
            for (int i = 0; i < in; i++) {   // channel i's phases from xp[i·s²·hq·wq], as CnnKernels.stemPhaseIndex reads them
                copyPhases(ck, xs, ((long) b0 * in + i) * h * w, h, w, ph, pw, s, s, xp, i * s * s * hq * wq, hq * wq, wq, stage);
            }
            long yOff = (long) b0 * ob * ho * wo * L;
            Parallel.forRange(ho, grain, (r0, r1) -> ck.convStemNchwc(L, out, in, kh, kw, s, pk, b, act, xp, hq, wq, ys, yOff, ho, wo, 0, ob, r0, r1));
        }
        return y;
    }

    /**
     * Whether a one-group k×k convolution (no dilation, one stride) over {@code pixels} output pixels runs channel-blocked
     * ({@link CnnKernels#convNchwc}: the output channels in the lanes, every lane useful whatever the plane's width; an
     * NCHW layer converts in and out). By default ({@code -Dminnow.cnn.blockedKxK=true}) up to
     * {@link #BLOCKED_KXK_MAX_PIXELS} output pixels, where the input channels fill at least 4/5 of their blocks' lanes (a
     * stem's three channels would pad to 16: 0.2× the NCHW kernels); {@code false} never, {@code always} always, a number
     * N up to N output pixels (read per call, for A/B runs).
     */
    private static boolean useBlockedKxK(int pixels, int in) {
        String p = System.getProperty("minnow.cnn.blockedKxK", "true");
        if (p.equals("true")) {
            int L = Nchwc.lanes();
            return pixels <= BLOCKED_KXK_MAX_PIXELS && 5L * in >= 4L * ((in + L - 1) / L) * L;
        }
        if (p.matches("[0-9]{1,9}")) {
            return pixels <= Integer.parseInt(p);
        }
        if (!p.equals("always") && !p.equals("false")) {
            throw new IllegalArgumentException("minnow.cnn.blockedKxK must be true, false, always or a pixel count; got '" + p + "'");
        }
        return p.equals("always");
    }

    /** Whether this is a one-group 3×3 convolution at stride 1 without dilation, the shape {@link #winograd} computes. */
    private boolean winogradShape() {
        return groups == 1 && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1;
    }

    /**
     * The output tile with which a {@link #winogradShape()} layer runs {@link #winograd}, or 0 for none. By default
     * ({@code -Dminnow.cnn.winograd=true}) only with a fused activation of none, ReLU or ReLU6 (the ones the vector output
     * transforms compute in register), then: 4 (F(4×4, 3×3)) with at least {@link #WINOGRAD4_MIN_CHANNELS} input and
     * output channels and {@link #WINOGRAD_MIN_TILES} tiles of 4 × 4 outputs; else 2 (F(2×2, 3×3)) with at least
     * {@link #WINOGRAD_MIN_CHANNELS} input and output channels, {@link #WINOGRAD_MIN_TILES} tiles of 2 × 2 outputs and
     * input channels × tiles at least {@link #WINOGRAD_MIN_WORK}; else 0. {@code always}: 4 where it has that many tiles,
     * else 2, whatever the channels and activation; {@code false}: 0. {@code -Dminnow.cnn.winogradTile=2|4} fixes the
     * tile of the layers that take the path. Both read per call, for A/B runs.
     */
    private int winogradChoice(int ho, int wo) {
        String p = System.getProperty("minnow.cnn.winograd", "true");
        if (!p.equals("true") && !p.equals("false") && !p.equals("always")) {
            throw new IllegalArgumentException("minnow.cnn.winograd must be true, false or always; got '" + p + "'");
        }
        String t = System.getProperty("minnow.cnn.winogradTile", "auto");
        if (!t.equals("auto") && !t.equals("2") && !t.equals("4")) {
            throw new IllegalArgumentException("minnow.cnn.winogradTile must be auto, 2 or 4; got '" + t + "'");
        }
        long tiles4 = (long) ((ho + 3) / 4) * ((wo + 3) / 4), tiles2 = (long) ((ho + 1) / 2) * ((wo + 1) / 2);
        int choice;
        if (p.equals("false")) {
            return 0;
        } else if (p.equals("always")) {
            choice = tiles4 >= WINOGRAD_MIN_TILES ? 4 : 2;
        } else if (fused != null && fused != Activation.RELU && fused != Activation.RELU6) {
            return 0;
        } else if (in >= WINOGRAD4_MIN_CHANNELS && out >= WINOGRAD4_MIN_CHANNELS && tiles4 >= WINOGRAD_MIN_TILES) {
            choice = 4;
        } else if (in >= WINOGRAD_MIN_CHANNELS && out >= WINOGRAD_MIN_CHANNELS && tiles2 >= WINOGRAD_MIN_TILES
                && in * tiles2 >= WINOGRAD_MIN_WORK) {
            choice = 2;
        } else {
            return 0;
        }
        return t.equals("auto") ? choice : Integer.parseInt(t);
    }

    /**
     * Fewest input and output channels of a layer that {@link #winogradChoice} gives F(4×4, 3×3) by default. SqueezeNet's
     * 16→64 at 55² and 32→128 at 27² ran 10% faster alone that way (ConvLayerBench: 516 and 507 µs against 591 and 575)
     * but the whole network 4% slower (9.67 against 9.31 ms, its other layers slower after the transforms' scratch).
     */
    static final int WINOGRAD4_MIN_CHANNELS = Integer.getInteger("minnow.cnn.winograd4MinChannels", 64);

    /** Fewest input and output channels of an F(2×2, 3×3) {@link #winogradChoice} layer by default. */
    static final int WINOGRAD_MIN_CHANNELS = Integer.getInteger("minnow.cnn.winogradMinChannels", 32);

    /** Fewest tiles (of 4 × 4 or 2 × 2 outputs) of a {@link #winogradChoice} layer by default: the products' matrices are that wide. */
    static final int WINOGRAD_MIN_TILES = Integer.getInteger("minnow.cnn.winogradMinTiles", 32);

    /**
     * Fewest input channels × tiles of an F(2×2, 3×3) {@link #winogradChoice} layer by default. ConvLayerBench, 1 thread,
     * Zen 4, direct against F(2×2) (µs): ResNet's 64→64 at 56² 2335 / 1757, 128→128 at 28² 2340 / 1652, 256→256 at 14² (49 tiles)
     * 2156 / 1515, 512→512 at 7² (16 tiles) 2226 / 2196; SqueezeNet's 32→128 at 27² 575 / 542, 48→192 at 13² 279 / 293,
     * 64→256 at 13² 485 / 563. Below it the transforms and the padding of 49 tiles to 64 cost more than the products save.
     */
    static final int WINOGRAD_MIN_WORK = Integer.getInteger("minnow.cnn.winogradMinWork", 12544);

    /**
     * Bytes of transformed tiles and products one {@link #winograd} task aims to keep in L2
     * ({@code -Dminnow.cnn.winogradL2}, read per call for A/B runs; default 1 MiB).
     */
    private static int winogradL2() {
        return Integer.getInteger("minnow.cnn.winogradL2", 1048576);
    }

    /**
     * {@code minnow.cnn.winogradSplit} (read per call, default false): with threads, Winograd tasks also split the
     * output channels, each part transforming its tiles again (see {@link #winograd}).
     */
    private static boolean winogradSplit() {
        return Boolean.getBoolean("minnow.cnn.winogradSplit");
    }

    /**
     * Tile rows per {@link #winograd} task: at most what keeps its ξ·(in + out) floats per tile (ξ = 16 or 36) within
     * {@link #winogradL2()} (but at least 32 tiles, the products' register tile), choosing the count that pads the
     * fewest tiles up to whole vectors of 16 over the plane, the larger on a tie.
     */
    private int winogradRows(int th, int tw, int xis) {
        int cap = Math.max(32, winogradL2() / (4 * xis * (in + out)));
        int best = 1;
        long bestWork = Long.MAX_VALUE;
        for (int rows = 1; rows <= th && (rows == 1 || rows * tw <= cap); rows++) {
            long work = (long) (th / rows) * ((rows * tw + 15) / 16 * 16) + ((th % rows) * tw + 15) / 16 * 16;
            if (work <= bestWork) {
                best = rows;
                bestWork = work;
            }
        }
        return best;
    }

    /** The transformed weights of {@link #winograd}, one packed {@code out × in} matrix per ξ, made on first use. */
    private volatile float[][] winogradPacked, winograd4Packed;

    /** Per thread: the transformed input tiles and their products of one {@link #winograd} task. */
    private static final ThreadLocal<float[][]> WINOGRAD_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /** G of F(2×2, 3×3) and of F(4×4, 3×3) (points 0, ±1, ±2, ∞). */
    private static final double[][] WINOGRAD_G2 = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    private static final double[][] WINOGRAD_G4 = {{0.25, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};

    /**
     * {@code U_ξ = (G·g·Gᵀ)[a][b]} ({@code ξ = α·a + b}, α = n + 2) for each (output, input) pair's 3×3 kernel g, G of
     * F(n×n, 3×3), computed in double, each packed for {@link NchwPointwiseKernels#conv}; made on first use per n.
     */
    private float[][] winogradWeights(int n) {
        float[][] p = n == 2 ? winogradPacked : winograd4Packed;
        if (p != null) {
            return p;
        }
        double[][] gm = n == 2 ? WINOGRAD_G2 : WINOGRAD_G4;
        int al = n + 2;
        float[][] u = new float[al * al][out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int g0 = (o * in + i) * 9;
                double[][] t = new double[al][3];   // G·g
                for (int a = 0; a < al; a++) {
                    for (int c = 0; c < 3; c++) {
                        t[a][c] = gm[a][0] * weightArray[g0 + c] + gm[a][1] * weightArray[g0 + 3 + c] + gm[a][2] * weightArray[g0 + 6 + c];
                    }
                }
                for (int a = 0; a < al; a++) {
                    for (int b = 0; b < al; b++) {
                        u[al * a + b][o * in + i] = (float) (t[a][0] * gm[b][0] + t[a][1] * gm[b][1] + t[a][2] * gm[b][2]);
                    }
                }
            }
        }
        NchwPointwiseKernels pk = NchwPointwiseKernels.get();
        p = new float[al * al][];
        for (int xi = 0; xi < al * al; xi++) {
            p[xi] = pk.pack(out, in, u[xi]);
        }
        if (n == 2) {
            winogradPacked = p;
        } else {
            winograd4Packed = p;
        }
        return p;
    }

    /**
     * 3×3 stride-1 convolution by Winograd's minimal filtering (Lavin and Gray, 2016) with output tiles of n × n:
     * F(2×2, 3×3) takes 16 multiplications per 4 outputs and input channel, F(4×4, 3×3) 36 per 16, against 9 per output
     * directly. The input is copied once, zero-padded and grown to whole tiles, into its stride-2 phases (n = 2) or its
     * four column phases (n = 4) ({@link #copyPhases}); then tasks of whole tile rows ({@link #winogradRows}, times
     * output-channel parts where there are fewer rows than the threads want) each transform their tiles
     * ({@link CnnKernels#winogradInput}, {@link CnnKernels#winograd4Input}), multiply them by the 16 or 36 transformed
     * weight matrices ({@link NchwPointwiseKernels#conv}) and transform the products back into the output with bias,
     * activation and the residual ({@link CnnKernels#winogradOutput}, {@link CnnKernels#winograd4Output}). F(2×2)'s
     * coefficients are 0, ±1 and ±½; F(4×4)'s reach 8 and 1/24, so its results sit further from the direct sum (the tests
     * bound both).
     */
    private void winograd(int n, MemorySegment xs, long xOff, int h, int w, MemorySegment rs, MemorySegment ys, long yOff, int ho, int wo) {
        int al = n + 2, xis = al * al;
        int th = (ho + n - 1) / n, tw = (wo + n - 1) / n, wq = tw + 1;
        // F(2×2): the four stride-2 phases of the padded plane; F(4×4): its four column phases, rows as they are
        int phase = n == 2 ? (th + 1) * wq : (4 * th + 2) * wq, ldx = 4 * phase;
        int slack = CnnKernels.WINOGRAD_SLACK;
        float[][] u = winogradWeights(n);
        float[][] sc = SHIFT_SCRATCH.get();
        if (sc[0].length < in * ldx + slack) {
            sc[0] = new float[in * ldx + slack];
        }
        float[] xp = sc[0];
        java.util.Arrays.fill(xp, in * ldx, in * ldx + slack, 0f);
        CnnKernels ck = CnnKernels.get();
        // the planes' phases on every thread, each with its own stage (a plane, and for F(4×4) a padded row and its
        // two halves); on the calling thread alone, 64→64 @56 took 814 µs at 2 threads, 715 µs with this (session 24)
        int sh = n == 2 ? 2 : 1, sw = n == 2 ? 2 : 4, stageLen = h * w + 8 * wq;
        Parallel.forRange(in, Math.max(1, 16384 / Math.max(1, h * w)), (i0, i1) -> {
            float[][] own = SHIFT_SCRATCH.get();
            if (own[1].length < stageLen) {
                own[1] = new float[stageLen];
            }
            float[] stage = own[1];
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(xp, i * ldx, (i + 1) * ldx, 0f);
                copyPhases(ck, xs, xOff + (long) i * h * w, h, w, ph, pw, sh, sw, xp, i * ldx, phase, wq, stage);
            }
        });
        int rows = winogradRows(th, tw, xis), chunks = (th + rows - 1) / rows;
        int threads = Parallel.threads();
        // tasks are chunks of tile rows. With minnow.cnn.winogradSplit=true (session 23's default) and threads, about
        // four tasks each: the output channels split too (in multiples of the products' six-row tile), each part
        // transforming the same tiles again. Isolated and warm that kept a 56² layer's 4 chunks of 4, 4, 4 and 2 tile
        // rows from leaving one of two threads idle for a fifth of the layer; in ResNet18, where the layers start with
        // cold caches, the repeated transforms cost more (BENCHMARKS.md, session 24). (A first
        // pass transforming every chunk once into a shared buffer was slower: the products then read their tiles from
        // L3.)
        int oParts = threads == 1 || !winogradSplit() ? 1 : Math.max(1, Math.min(out / 32, (4 * threads + chunks - 1) / chunks));
        int oChunk = ((out + oParts - 1) / oParts + 5) / 6 * 6;
        // per chunk: tiles padded to whole vectors of 16 (the products run over them; the tiles past nt read the slack
        // the transforms leave, and their products are never read), rows of ld, slabs one cache line past whole rows
        // (the values of a tile are not 4 KiB apart)
        int np = (rows * tw + 15) / 16 * 16, ld = np + slack, sv = in * ld + 16, sm = out * ld + 16;
        float[] b = biasArray;
        Activation act = fused;
        NchwPointwiseKernels pk = NchwPointwiseKernels.get();
        Parallel.forChunks(chunks * oParts, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int c = t % chunks, ty0 = c * rows, ty1 = Math.min(th, ty0 + rows), o0 = (t / chunks) * oChunk, o1 = Math.min(out, o0 + oChunk);
                if (o0 >= o1) {
                    continue;
                }
                int nt = (ty1 - ty0) * tw, npt = (nt + 15) / 16 * 16;
                float[][] ws = WINOGRAD_SCRATCH.get();
                if (ws[0].length < xis * sv) {
                    ws[0] = new float[xis * sv];
                }
                if (ws[1].length < xis * sm) {
                    ws[1] = new float[xis * sm];
                }
                float[] v = ws[0], m = ws[1];
                winogradIn(ck, n, xp, ldx, phase, wq, tw, ty0, ty1, v, 0, ld, sv);
                MemorySegment vs = MemorySegment.ofArray(v), ms = MemorySegment.ofArray(m);
                for (int xi = 0; xi < xis; xi++) {
                    pk.conv(out, in, u[xi], null, null, vs, (long) xi * sv, ld, null, 0, ms, (long) xi * sm, ld, o0, o1, 0, npt);
                }
                if (n == 2) {
                    ck.winogradOutput(out, m, 0, ld, sm, tw, ty0, ty1, b, act, rs, yOff, ys, yOff, ho, wo, o0, o1);
                } else {
                    ck.winograd4Output(out, m, 0, ld, sm, tw, ty0, ty1, b, act, rs, yOff, ys, yOff, ho, wo, o0, o1);
                }
            }
        });
    }

    /** {@link CnnKernels#winogradInput} or {@link CnnKernels#winograd4Input} by the tile n. */
    private void winogradIn(CnnKernels ck, int n, float[] xp, int ldx, int phase, int wq, int tw, int ty0, int ty1, float[] v, int vOff,
                            int ld, int sv) {
        if (n == 2) {
            ck.winogradInput(in, xp, 0, ldx, phase, wq, tw, ty0, ty1, v, vOff, ld, sv);
        } else {
            ck.winograd4Input(in, xp, 0, ldx, phase, wq, tw, ty0, ty1, v, vOff, ld, sv);
        }
    }


    /** Largest output plane of {@link #useBlockedKxK} by default. */
    static final int BLOCKED_KXK_MAX_PIXELS = 256;

    /** The weights packed for {@link CnnKernels#convNchwc} at {@code lanes}, made on first use. */
    private volatile float[] kxkNchwcPacked;

    /** {@link CnnKernels#convNchwc} of one image, blocked in and out, over the threads as {@link #forNchwcTiles} splits it. */
    private void blockedKxK(int L, MemorySegment xb, long xOff, int h, int w, MemorySegment yb, long yOff, int ho, int wo) {
        float[] packed = kxkNchwcPacked;
        if (packed == null || packed.length != (long) ((out + L - 1) / L) * ((in + L - 1) / L) * kh * kw * L * L) {
            packed = CnnKernels.packNchwcKxK(L, out, in, kh, kw, weightArray);
            kxkNchwcPacked = packed;
        }
        CnnKernels ck = CnnKernels.get();
        float[] pk = packed, b = biasArray;
        Activation act = fused;
        int plane = ho * wo;
        forNchwcTiles((long) out * in * kh * kw * plane, plane, (out + L - 1) / L, (o0, o1, p0, p1) -> ck.convNchwc(L, out, in, kh, kw, sh, ph,
                pw, pk, b, act, xb, xOff, h, w, yb, yOff, ho, wo, o0, o1, p0, p1));
    }

    /** The weights and bias packed for {@link CnnKernels#depthwiseNchwc} at {@code lanes}, made on first use. */
    private volatile float[] dwPacked;

    private float[] dwNchwcPacked(int lanes) {
        float[] p = dwPacked;
        if (p == null || p.length != (long) ((out + lanes - 1) / lanes) * (kh * kw + 1) * lanes) {
            p = CnnKernels.packDepthwiseNchwc(lanes, out, kh, weightArray, biasArray);
            dwPacked = p;
        }
        return p;
    }

    /** The packed weights of {@link CnnKernels#pointwiseNchwc} at {@code lanes}, packed on first use. */
    private float[] nchwcPacked(int lanes) {
        float[] p = nchwcPacked;
        if (p == null || p.length != ((out + lanes - 1) / lanes) * in * lanes) {
            p = CnnKernels.packNchwc(lanes, out, in, weightArray);
            nchwcPacked = p;
        }
        return p;
    }

    /**
     * Pointwise convolution with the input and/or output blocked ({@link CnnKernels#pointwiseNchwc}), bias, activation
     * and the residual (NCHW output only) fused. Tasks of at least ~64k multiply-adds, about four per thread: pixel
     * chunks (multiples of 8, at least 32 pixels), then, where they are fewer than the tasks, output-block chunks
     * (pairs, the kernel's tile).
     */
    private void pointwiseNchwc(int L, MemorySegment xs, long xOff, boolean xb, int plane, MemorySegment rs, long rOff,
                                MemorySegment ys, long yOff, boolean yb) {
        CnnKernels ck = CnnKernels.get();
        float[] packed = nchwcPacked(L), b = biasArray;
        Activation act = fused;
        forNchwcTiles((long) out * in * plane, plane, (out + L - 1) / L, (o0, o1, p0, p1) -> ck.pointwiseNchwc(L, out, in, packed, b, act,
                xs, xOff, xb, plane, rs, rOff, ys, yOff, yb, o0, o1, p0, p1));
    }

    /**
     * Runs {@code tile} over output blocks × pixels of a channel-blocked output: on the calling thread, or in tasks of at
     * least ~64k of the layer's {@code macs}, about four per thread: pixel chunks (multiples of 8, at least 32 pixels),
     * then, where they are fewer than the tasks, output-block chunks (pairs, the kernels' tile).
     */
    private static void forNchwcTiles(long macs, int plane, int obs, OutputTile tile) {
        int threads = Parallel.threads();
        int tasks = (int) Math.min(4L * threads, Math.max(1, macs / 65536));
        if (threads == 1 || tasks <= 1) {
            tile.run(0, obs, 0, plane);
            return;
        }
        int pParts = Math.max(1, Math.min(tasks, plane / 32));
        int pChunk = ((plane + pParts - 1) / pParts + 7) / 8 * 8;
        int pTasks = (plane + pChunk - 1) / pChunk;
        int oParts = Math.max(1, Math.min((tasks + pTasks - 1) / pTasks, (obs + 1) / 2));
        int oChunk = ((obs + oParts - 1) / oParts + 1) / 2 * 2;
        int oTasks = (obs + oChunk - 1) / oChunk;
        Parallel.forChunks(pTasks * oTasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int p0 = (t % pTasks) * pChunk, o0 = (t / pTasks) * oChunk;
                tile.run(o0, Math.min(obs, o0 + oChunk), p0, Math.min(plane, p0 + pChunk));
            }
        });
    }

    private Tensor runNchw(Tensor x, Tensor residual) {
        return runNchw(x, residual, null);
    }

    /**
     * {@link #forward} written into {@code y} and returned: {@code y} must be F32, contiguous and
     * {@code [n, out, ho, wo]} (a channel slice of one image's concatenation, say, so that no Concat copies it). An
     * output the layer would write channel-blocked, or one an int8 session computes, is computed as usual and copied.
     */
    public Tensor forwardInto(Tensor x, Tensor y) {
        int[] o = outputSize((int) x.dim(2), (int) x.dim(3));
        long[] want = Nchwc.isBlocked(x) ? null : new long[] {x.dim(0), out, o[0], o[1]};
        if (want == null || y.dtype() != dev.minnow.tensor.DType.F32 || !y.isContiguous() || !Arrays.equals(y.shape(), want)
                || nchwcOut && Nchwc.enabled()) {
            Tensor r = forward(x);
            Tensor nchw = Nchwc.isBlocked(r) ? Nchwc.toNchw(r, out) : r;
            if (nchw.dtype() != dev.minnow.tensor.DType.F32 || !y.isContiguous() || !Arrays.equals(y.shape(), nchw.shape())) {
                throw new IllegalArgumentException("Conv2d.forwardInto: target must be F32 contiguous " + Arrays.toString(nchw.shape())
                        + ", got " + y.dtype() + Arrays.toString(y.shape()));
            }
            MemorySegment.copy(nchw.contiguous().segment(), 0, y.segment(), 0, nchw.elementCount() * 4);
            return y;
        }
        long t0 = Profile.begin();
        Tensor r = runNchw(x, null, y);
        if (Profile.ENABLED) {
            String kind = Profile.SHAPES ? profileKind(x) + " " + in + "->" + out + " @" + x.dim(2) : profileKind(x);
            Profile.end(kind + " into", t0, macs((int) x.dim(2), (int) x.dim(3)) * x.dim(0));
        }
        return r;
    }

    private Tensor runNchw(Tensor x, Tensor residual, Tensor into) {
        Buffers.checkNchw("Conv2d", x, in);
        int n = (int) x.dim(0), h = (int) x.dim(2), w = (int) x.dim(3);
        int[] o = outputSize(h, w);
        int ho = o[0], wo = o[1];
        if (residual != null && (residual.dtype() != dev.minnow.tensor.DType.F32
                || !Arrays.equals(residual.shape(), new long[] {n, out, ho, wo}))) {
            throw new IllegalArgumentException("Conv2d residual must be F32 " + Arrays.toString(new long[] {n, out, ho, wo}) + ", got "
                    + residual.dtype() + Arrays.toString(residual.shape()));
        }
        Tensor quantized = Int8Quantization.intercept(this, x);
        if (quantized != null) {
            Tensor r = residual == null ? quantized : Ops.add(quantized, residual);
            if (into != null) {
                MemorySegment.copy(r.contiguous().segment(), 0, into.segment(), 0, r.elementCount() * 4);
                return into;
            }
            return r;
        }
        Tensor y = into != null ? into : Buffers.f32Overwritten(n, out, ho, wo);   // every element is written below
        MemorySegment xs = x.segment(), ys = y.segment();
        MemorySegment rs = residual == null ? null : residual.contiguous().segment();
        boolean depthwise = isDepthwise(), pointwise = isPointwise();
        int wino = winogradShape() && !depthwise ? winogradChoice(ho, wo) : 0;   // the switches read once per call
        Kernels k = KernelProvider.get();
        for (int b = 0; b < n; b++) {
            long xOff = (long) b * in * h * w;
            long yOff = (long) b * out * ho * wo;
            boolean added = false;   // whether the residual went into the output pass
            if (depthwise && sh == 2 && kh == 3 && wo > 16 && usePhasePlanes()) {
                depthwisePhased(xs, xOff, h, w, ys, yOff, ho, wo); // bias and activation done per channel
            } else if (depthwise && sh == 1 && useStride1Rows()) {
                depthwiseStride1(xs, xOff, h, w, ys, yOff, ho, wo); // bias and activation done per channel
            } else if (depthwise) {
                depthwise(xs, xOff, h, w, ys, yOff, ho, wo); // bias and activation done per channel
            } else if (pointwise && h * w == 1 && usePlaneGemv()) {
                pointwiseGemv(k, xs, xOff, ys, yOff); // bias and activation done per channel
            } else if (pointwise && usePacked(h * w)) {
                // bias and activation fused, and the residual when no activation is left for afterwards
                pointwisePacked(xs, xOff, after == null ? rs : null, yOff, ys, yOff, h * w);
                added = after == null;
            } else if (!pointwise && pointwisePacked != null && useSubsampled()) {
                // strided 1×1 (ResNet's downsampling shortcuts): the pixels it reads gathered into a scratch plane per
                // channel, then the packed pointwise kernel with bias, activation and the residual fused
                MemorySegment sub = subsample(xs, xOff, h, w, ho, wo);
                pointwisePacked(sub, 0, after == null ? rs : null, yOff, ys, yOff, ho * wo);
                added = after == null;
            } else if (pointwise && h * w >= 2 * PIXEL_BLOCK_MIN) {
                pointwiseBlocked(k, xs, xOff, ys, yOff, h * w); // bias and activation done per block
            } else if (wino > 0) {
                // 3×3 stride 1: F(4×4, 3×3) or F(2×2, 3×3) tiles, bias and activation fused, and the residual as in pointwisePacked
                winograd(wino, xs, xOff, h, w, after == null ? rs : null, ys, yOff, ho, wo);
                added = after == null;
            } else if (!pointwise && groups == 1 && sh == sw && dh == 1 && dw == 1 && useBlockedKxK(ho * wo, in)) {
                // the channels in the lanes: NCHW in and out by register transposes
                int L = Nchwc.lanes();
                MemorySegment xb = Buffers.scratchOverwritten((long) ((in + L - 1) / L) * L * h * w * 4);
                CnnKernels ck = CnnKernels.get();
                ck.nchwToBlocked(L, in, h * w, xs, xOff, xb, 0);
                MemorySegment yb = Buffers.scratchOverwritten((long) ((out + L - 1) / L) * L * ho * wo * 4);
                blockedKxK(L, xb, 0, h, w, yb, 0, ho, wo);
                ck.blockedToNchw(L, out, ho * wo, yb, 0, ys, yOff);
            } else if (!pointwise && groups == 1 && sh == sw && sh <= 2 && dh == 1 && dw == 1 && usePackedKxK(ho * wo, in * kh * kw)) {
                // bias and activation fused, and the residual when no activation is left for afterwards
                packedKxK(xs, xOff, h, w, after == null ? rs : null, ys, yOff, ho, wo);
                added = after == null;
            } else if (!pointwise && groups == 1 && (kh * kw > 1 || sh * sw == 1) && useShifted(ho * wo, in * kh * kw)) {
                // (a strided 1×1 would copy every phase of the input to read one: im2col copies only what it reads)
                shifted(xs, xOff, h, w, ys, yOff, ho, wo); // bias and activation fused
            } else {
                if (pointwise) {
                    k.gemm(out, h * w, in, weight.segment(), 0, in, xs, xOff, h * w, false, ys, yOff, h * w, false);
                } else {
                    general(k, xs, xOff, h, w, ys, yOff, ho, wo);
                }
                biasAndActivation(k, ys, yOff, ho * wo);
            }
            if (after != null) {
                int plane = ho * wo;
                Parallel.forRange(out, Math.max(1, 32768 / Math.max(1, plane)),
                        (c0, c1) -> k.activate(after, (c1 - c0) * plane, ys, yOff + (long) c0 * plane));
            }
            if (rs != null && !added) {
                k.add(out * ho * wo, ys, yOff, rs, yOff, ys, yOff);
            }
        }
        return y;
    }

    /**
     * Whether a 1×1 convolution over {@code plane} pixels takes {@link #pointwisePacked}: where the older paths would
     * use the GEMM (planes under {@code 2·PIXEL_BLOCK_MIN} pixels, or more than {@link #DIRECT_MAX_IN} inputs).
     * ConvLayerBench --ab, 1 thread, best of 20 alternating batches, against the GEMM: 960→160 at 7² 2.3×, 320→1280 at
     * 7² 1.7×, 96→576 at 14² 1.3×, 64→384 at 14² 1.3×, 576→144 on a 1×1 plane (squeeze-and-excitation) 3.3×. On large
     * planes with up to 256 inputs {@link CnnKernels#pointwise} stays (the two are even there: 0.8–1.1×).
     * {@code -Dminnow.cnn.packedPointwise=false} turns it off (read per call, for A/B runs).
     */
    private boolean usePacked(int plane) {
        if (!Boolean.parseBoolean(System.getProperty("minnow.cnn.packedPointwise", "true"))) {
            return false;
        }
        return plane < 2 * PIXEL_BLOCK_MIN || in > DIRECT_MAX_IN || Boolean.getBoolean("minnow.cnn.packedLargePlanes");
    }

    /**
     * Pointwise convolution by {@link NchwPointwiseKernels#conv} with the packed weights, bias and activation fused (and
     * the residual {@code rs} added when not null). One call on one thread; with more, tasks of at least ~64k
     * multiply-adds, about four per thread: pixel chunks (multiples of 32) on planes of 256 pixels or more, else
     * output-channel chunks (multiples of the kernel's 6-row tile) so that small planes keep whole vectors.
     */
    private void pointwisePacked(MemorySegment xs, long xOff, MemorySegment rs, long rOff, MemorySegment ys, long yOff, int plane) {
        NchwPointwiseKernels pk = NchwPointwiseKernels.get();
        float[] packed = pointwisePacked, b = biasArray;
        Activation act = fused;
        forOutputTiles((long) out * in * plane, plane, plane >= 256 || splitSmallPlanesByPixels(), 32,
                (o0, o1, q0, q1) -> pk.conv(out, in, packed, b, act, xs, xOff, plane, rs, rOff, ys, yOff, plane, o0, o1, q0, q1));
    }

    /**
     * Whether a 1×1 convolution over a 1×1 plane (squeeze-and-excitation's two layers) runs as one matrix-vector
     * product over the weights as stored (default) rather than through the packed kernel, whose register tile computes
     * 32 pixels for the one there is ({@code -Dminnow.cnn.planeGemv=false}; read per call, for A/B runs).
     */
    private static boolean usePlaneGemv() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.planeGemv", "true"));
    }

    /** y[c] = act(bias[c] + Σ_i w[c][i]·x[i]) for one pixel: {@link Kernels#gemv}, then bias and activation per channel. */
    private void pointwiseGemv(Kernels k, MemorySegment xs, long xOff, MemorySegment ys, long yOff) {
        k.gemv(out, in, weight.segment(), 0, xs, xOff, ys, yOff);
        float[] b = biasArray;
        Activation act = fused;
        for (int c = 0; c < out; c++) {
            float v = ys.getAtIndex(Tensor.F32_LE, yOff + c) + (b == null ? 0f : b[c]);
            ys.setAtIndex(Tensor.F32_LE, yOff + c, act == null ? v : ScalarKernels.activation(act, v));
        }
    }

    /**
     * Whether the packed pointwise kernel splits a small plane (under 256 pixels) over the threads by pixels (default)
     * rather than by output channels ({@code -Dminnow.cnn.pwUnitsSplit=false}; read per call, for A/B runs). Each call
     * of the kernel first copies its pixels of every input channel into a tile-major scratch, so a split by output
     * channels copied the whole input once per task: at 2 threads 960→160 at 7² ran slower than at 1 (108 against
     * 96 µs), and split by pixels it runs in 55. Where the pixels give fewer chunks than threads, the outputs are split
     * too ({@link #forOutputTiles}). BENCHMARKS.md, session 16.
     */
    private static boolean splitSmallPlanesByPixels() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.pwUnitsSplit", "true"));
    }

    /**
     * Whether a strided 1×1 convolution (no padding, one group) runs the packed pointwise kernel on its subsampled input
     * (default) instead of im2col and the GEMM ({@code -Dminnow.cnn.subsampledPointwise=false}; read per call, for A/B
     * runs). ConvLayerBench and CnnAb, session 9: see BENCHMARKS.md.
     */
    private static boolean useSubsampled() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.subsampledPointwise", "true"));
    }

    /** Per thread: one input plane as copied, one subsampled plane. */
    private static final ThreadLocal<float[][]> SUBSAMPLE_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * The input pixels a strided 1×1 convolution reads, {@code x[c][oy·sh][ox·sw]}, as {@code in} planes of ho × wo in
     * a scratch segment (valid until the enclosing {@link Buffers#recycling} pass ends): each plane copied in and out in
     * one piece, the pick between on the heap.
     */
    private MemorySegment subsample(MemorySegment xs, long xOff, int h, int w, int ho, int wo) {
        int plane = h * w, oplane = ho * wo;
        MemorySegment sub = Buffers.scratchOverwritten((long) in * oplane * 4);   // every cell is written below
        Parallel.forRange(in, Math.max(1, 16384 / Math.max(1, plane)), (c0, c1) -> {
            float[][] sc = SUBSAMPLE_SCRATCH.get();
            if (sc[0].length < plane) {
                sc[0] = new float[plane];
            }
            if (sc[1].length < oplane) {
                sc[1] = new float[oplane];
            }
            float[] stage = sc[0], pick = sc[1];
            for (int c = c0; c < c1; c++) {
                MemorySegment.copy(xs, Tensor.F32_LE, (xOff + (long) c * plane) * 4, stage, 0, plane);
                for (int oy = 0; oy < ho; oy++) {
                    int src = oy * sh * w, dst = oy * wo;
                    for (int ox = 0; ox < wo; ox++) {
                        pick[dst + ox] = stage[src + ox * sw];
                    }
                }
                MemorySegment.copy(pick, 0, sub, Tensor.F32_LE, (long) c * oplane * 4, oplane);
            }
        });
        return sub;
    }

    /** A part of a convolution's output: output channels {@code [o0, o1)} and units (pixels or rows) {@code [u0, u1)}. */
    @FunctionalInterface
    private interface OutputTile {
        void run(int o0, int o1, int u0, int u1);
    }

    /**
     * Runs {@code tile} over this layer's output channels × {@code units} (pixels or output rows) on the calling thread,
     * or with more threads in tasks of at least ~64k of the layer's {@code macs}, about four per thread: chunks of units
     * (multiples of {@code align}) where {@code byUnits} (and, where those are fewer than the threads, each split again
     * by output channels), else chunks of output channels in multiples of the packed kernels' 6-row tile (so that small
     * planes keep whole vectors).
     */
    private void forOutputTiles(long macs, int units, boolean byUnits, int align, OutputTile tile) {
        int threads = Parallel.threads();
        int tasks = (int) Math.min(4L * threads, Math.max(1, macs / 65536));
        if (threads == 1 || tasks <= 1) {
            tile.run(0, out, 0, units);
            return;
        }
        int uChunk = byUnits ? ((units + tasks - 1) / tasks + align - 1) / align * align : units;
        int uTasks = (units + uChunk - 1) / uChunk;
        // by units: the outputs whole, unless the units give fewer chunks than threads (then about threads tasks in all)
        int oParts = byUnits ? (threads + uTasks - 1) / uTasks : tasks;
        int oChunk = oParts <= 1 ? out : Math.max(6, ((out + oParts - 1) / oParts + 5) / 6 * 6);
        int oTasks = (out + oChunk - 1) / oChunk;
        Parallel.forChunks(uTasks * oTasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int u0 = (t % uTasks) * uChunk, o0 = (t / uTasks) * oChunk;
                tile.run(o0, Math.min(out, o0 + oChunk), u0, Math.min(units, u0 + uChunk));
            }
        });
    }

    /**
     * Most input channels for {@link CnnKernels#pointwise} (no packing; its input panel of in × 2 vectors stays in L1);
     * wider layers use the packed GEMM.
     */
    private static final int DIRECT_MAX_IN = Integer.getInteger("minnow.cnn.pointwiseDirectMaxIn", 256);

    /** Fewest pixels per block of {@link #pointwiseBlocked}. */
    private static final int PIXEL_BLOCK_MIN = 256;

    /**
     * Pointwise convolution of a large plane as independent pixel blocks, one task each: up to {@link #DIRECT_MAX_IN}
     * input channels {@link CnnKernels#pointwise} (bias and activation fused, input read in place), else the block's GEMM
     * ({@code W · X[:, block]}, run single-threaded inside the task) and then its bias and activation while the block's
     * output is still in cache. One fork-join per layer instead of the GEMM's per-panel ones, and no separate pass
     * over the whole output for the epilogue. Blocks: a multiple of 64 pixels, the output block within ~256 KiB (L2),
     * at least {@link #PIXEL_BLOCK_MIN}, about four per thread.
     */
    private void pointwiseBlocked(Kernels k, MemorySegment xs, long xOff, MemorySegment ys, long yOff, int plane) {
        int threads = Parallel.threads();
        int byCache = (65536 / Math.max(1, out)) / 64 * 64;
        int byThreads = (plane / (4 * threads) + 63) / 64 * 64;
        int block = Math.max(PIXEL_BLOCK_MIN, Math.min(byCache, byThreads));
        int blocks = (plane + block - 1) / block;
        float[] b = biasArray;
        Activation act = fused;
        CnnKernels ck = CnnKernels.get();
        MemorySegment ws = weight.segment();
        boolean direct = in <= DIRECT_MAX_IN;
        float[] wt = weightArray;
        Parallel.forChunks(blocks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int j0 = t * block, n = Math.min(block, plane - j0);
                if (direct) {
                    ck.pointwise(out, in, wt, b, act, xs, xOff, plane, ys, yOff, plane, j0, j0 + n);
                    continue;
                }
                k.gemm(out, n, in, ws, 0, in, xs, xOff + j0, plane, false, ys, yOff + j0, plane, false);
                if (b != null || act != null) {
                    for (int c = 0; c < out; c++) {
                        ck.biasActivate(n, b == null ? 0f : b[c], act, ys, yOff + (long) c * plane + j0);
                    }
                }
            }
        });
    }

    private void biasAndActivation(Kernels k, MemorySegment ys, long yOff, int plane) {
        if (bias == null && fused == null) {
            return;
        }
        float[] b = biasArray;
        Activation act = fused;
        CnnKernels ck = CnnKernels.get();
        Parallel.forRange(out, Math.max(1, 32768 / Math.max(1, plane)), (from, to) -> {
            for (int c = from; c < to; c++) {
                ck.biasActivate(plane, b == null ? 0f : b[c], act, ys, yOff + (long) c * plane);
            }
        });
    }

    /**
     * Whether a one-group, dilation-1 convolution at stride 1 or 2 (other than the plain 1×1 ones, which have their own
     * paths) with {@code pixels} outputs and depth in·kh·kw runs {@link #packedKxK} instead of {@link #shifted} or
     * im2col + GEMM: from depth 1024, below 512-bit kernels. Whole networks on AVX2, old and new alternating in one
     * process (CnnAb, 1 thread, with loop strip mining, session 8): ResNet18 1.14–1.43× with it on its deep layers;
     * on for everything it applies to, SqueezeNet 0.42× and MobileNetV3-Small 0.91× (their stride-2 stems and
     * shallow layers lose); from depth 512 SqueezeNet's 64→256 layers at 13² cost 0.90×. Not the default at 512 bits
     * (the one Xeon run of it was made without loop strip mining, which slowed every heap-array kernel there).
     * {@code -Dminnow.cnn.packedKxK=true|false} forces it on or off, a comma list of {@code s2}, {@code small} (under
     * {@link #SHIFTED_MIN_PIXELS} outputs), {@code deep} (from depth 512), {@code deep:N} picks conditions (read per
     * call, for A/B runs).
     */
    private boolean usePackedKxK(int pixels, int depth) {
        String p = System.getProperty("minnow.cnn.packedKxK");
        if (p == null) {
            return KernelProvider.get().vectorBits() < 512 && depth >= 1024;
        }
        if (p.equals("true") || p.equals("false")) {
            return p.equals("true");
        }
        boolean on = false;   // a list of conditions, for A/B runs: s2, small, deep (from depth 512), deep:N (from N)
        for (String c : p.split(",")) {
            String t = c.trim();
            if (t.equals("s2")) {
                on |= sh == 2;
            } else if (t.equals("small")) {
                on |= pixels < SHIFTED_MIN_PIXELS;
            } else if (t.equals("deep")) {
                on |= depth >= 512;
            } else if (t.matches("deep:[0-9]{1,9}")) {
                on |= depth >= Integer.parseInt(t.substring(5));
            } else {
                throw new IllegalArgumentException("minnow.cnn.packedKxK must be true, false or a comma list of s2, small, deep, deep:N;"
                        + " got '" + p + "'");
            }
        }
        return on;
    }

    /** The weights packed for {@link NchwPointwiseKernels#convKxK} ({@code out × in·kh·kw}), made on first use. */
    private volatile float[] kxkPacked;

    /** Per thread: one input row and its two column phases, for {@link #packedKxK} at stride 2. */
    private static final ThreadLocal<float[][]> KXK_ROWS = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * A k×k convolution at stride 1 or 2 as an implicit-im2col pointwise one ({@link NchwPointwiseKernels#convKxK}: per
     * tile of output pixels the kernel copies each virtual input row (channel, ky, kx) out of the zero-padded input, then
     * runs the pointwise register tile over in·kh·kw rows), bias, activation and the residual {@code rs} (when not null)
     * fused. The input is first copied into zero-padded planes (used in place at stride 1 without padding); at stride 2
     * split into its four row and column phases, so that every tap reads a contiguous run. Threads split output rows
     * (or, on small planes, output channels in multiples of the 6-row tile) into about four tasks each.
     */
    private void packedKxK(MemorySegment xs, long xOff, int h, int w, MemorySegment rs, MemorySegment ys, long yOff, int ho, int wo) {
        NchwPointwiseKernels pk = NchwPointwiseKernels.get();
        float[] packed = kxkPacked;
        if (packed == null) {
            packed = pk.pack(out, in * kh * kw, weightArray);
            kxkPacked = packed;
        }
        int s = sh, hp = h + 2 * ph, wp = w + 2 * pw;
        int hq = Math.max((hp + s - 1) / s, ho - 1 + (kh - 1) / s + 1), wq = Math.max((wp + s - 1) / s, wo - 1 + (kw - 1) / s + 1);
        MemorySegment xp;
        long xpOff;
        if (s == 1 && ph == 0 && pw == 0) {
            xp = xs;
            xpOff = xOff;
        } else {
            long phase = (long) hq * wq;
            MemorySegment pad = Buffers.scratch((long) in * s * s * phase * 4);   // zero-filled: the border stays zero
            CnnKernels ck = CnnKernels.get();
            Parallel.forRange(in, Math.max(1, 16384 / Math.max(1, h * w)), (from, to) -> {
                float[][] rows = KXK_ROWS.get();
                if (rows[0].length < w || rows[1].length < w + 2) {
                    rows[0] = new float[w];
                    rows[1] = new float[w + 2];
                }
                float[] src = rows[0], ph2 = rows[1];
                int even = (w + 1) / 2;   // of the input columns, those at even padded x come first when pw is even
                for (int c = from; c < to; c++) {
                    for (int iy = 0; iy < h; iy++) {
                        long from0 = (xOff + ((long) c * h + iy) * w) * 4;
                        int y = iy + ph;
                        long rowBase = ((long) c * s * s + (y % s) * s) * phase + (long) (y / s) * wq;
                        if (s == 1) {
                            MemorySegment.copy(xs, from0, pad, (rowBase + pw) * 4, w * 4L);
                            continue;
                        }
                        // padded x = ix + pw: phase x % 2, column x / 2; input columns 0, 2, 4, ... go to phase pw % 2
                        MemorySegment.copy(xs, Tensor.F32_LE, from0, src, 0, w);
                        ck.deinterleave(src, 0, w / 2, ph2, 0, ph2, even);
                        if (w % 2 == 1) {
                            ph2[w / 2] = src[w - 1];
                        }
                        int p0 = pw % 2, c0 = pw / 2, c1 = (pw + 1) / 2;
                        MemorySegment.copy(ph2, 0, pad, Tensor.F32_LE, (rowBase + (long) p0 * phase + c0) * 4, even);
                        MemorySegment.copy(ph2, even, pad, Tensor.F32_LE, (rowBase + (long) (1 - p0) * phase + c1) * 4, w / 2);
                    }
                }
            });
            xp = pad;
            xpOff = 0;
        }
        float[] b = biasArray, pkd = packed;
        Activation act = fused;
        int plane = ho * wo;
        long macs = (long) out * in * kh * kw * plane;
        int tasks = (int) Math.min(4L * Parallel.threads(), Math.max(1, macs / 65536));
        forOutputTiles(macs, ho, ho >= 2 * tasks, 1,
                (o0, o1, r0, r1) -> pk.convKxK(out, in, kh, kw, s, pkd, b, act, xp, xpOff, hq, wq, rs, yOff, ys, yOff, plane, wo, o0, o1,
                        r0, r1));
    }

    /**
     * Whether a convolution of {@code pixels} outputs and depth in·kh·kw takes {@link #shifted} (else im2col + GEMM):
     * from {@link #SHIFTED_MIN_PIXELS} outputs up to {@link #SHIFTED_MAX_DEPTH}, and on small planes (from 32 outputs)
     * when the depth is at least 1152, up to 4608. Alternating A/B in one process (ConvLayerBench --ab), shifted vs
     * GEMM: 512→512 3×3 at 7×7 1.48× faster, 256→256 at 14×14 1.23×, 128→256 stride 2 at 28×28 1.06×, but 64→256 at
     * 13×13 (depth 576) 0.88×.
     */
    private static boolean useShifted(int pixels, int depth) {
        return pixels >= SHIFTED_MIN_PIXELS && depth <= SHIFTED_MAX_DEPTH || pixels >= 32 && depth >= 1152 && depth <= 4608;
    }

    /** Smallest output plane for {@link #shifted} (below it the GEMM's parallelism over output channels wins). */
    private static final int SHIFTED_MIN_PIXELS = Integer.getInteger("minnow.cnn.shiftedMinPixels", 256);
    /** Largest in·kh·kw for {@link #shifted} (its per-block input panel must stay in L1/L2). */
    private static final int SHIFTED_MAX_DEPTH = Integer.getInteger("minnow.cnn.shiftedMaxDepth", 2304);

    /** Per thread: the zero-padded, phase-split input of {@link #shifted} and one input plane. */
    private static final ThreadLocal<float[][]> SHIFT_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * Copies one h × w input plane (at element {@code off} of xs) into its zero-padded stride phases from {@code xp[base]}:
     * padded cell {@code (y, x)}, input cell {@code (y − ph, x − pw)}, at
     * {@code base + ((y % sh)·sw + x % sw)·phase + (y / sh)·wq + x / sw}; the padding cells are left as they are. At
     * stride 1 across, rows are copied straight; at 2 a staged row splits into its even and odd columns
     * ({@link CnnKernels#deinterleave}), and at 4 across with one row (stride 1 down) a zero-padded row is split twice.
     * {@code stage}: at least h·w floats (h·w + 8·wq for the split at 4; with fewer, element by element).
     */
    private static void copyPhases(CnnKernels ck, MemorySegment xs, long off, int h, int w, int ph, int pw, int sh, int sw, float[] xp,
                                   int base, int phase, int wq, float[] stage) {
        if (sw == 1) {
            for (int iy = 0; iy < h; iy++) {
                int y = iy + ph;
                MemorySegment.copy(xs, Tensor.F32_LE, (off + (long) iy * w) * 4, xp, base + (y % sh) * phase + (y / sh) * wq + pw, w);
            }
            return;
        }
        MemorySegment.copy(xs, Tensor.F32_LE, off * 4, stage, 0, h * w);
        if (sh == 1 && sw == 4 && stage.length >= h * w + 8 * wq) {
            // each row zero-padded into the stage's tail, split into even and odd columns there, and each of those into
            // the phases 0, 2 and 1, 3
            int pr = h * w, eo = pr + 4 * wq;
            for (int iy = 0; iy < h; iy++) {
                java.util.Arrays.fill(stage, pr, pr + 4 * wq, 0f);
                System.arraycopy(stage, iy * w, stage, pr + pw, w);
                ck.deinterleave(stage, pr, 2 * wq, stage, eo, stage, eo + 2 * wq);
                int row = base + (iy + ph) * wq;
                ck.deinterleave(stage, eo, wq, xp, row, xp, row + 2 * phase);
                ck.deinterleave(stage, eo + 2 * wq, wq, xp, row + phase, xp, row + 3 * phase);
            }
            return;
        }
        for (int iy = 0; iy < h; iy++) {
            int y = iy + ph;
            int rowBase = base + (y % sh) * sw * phase + (y / sh) * wq;   // phase (y % sh, 0) of this row
            if (sw == 2) {   // input column ix → padded x = ix + pw → phase x % 2, column x / 2
                int pe = pw % 2, xe = pw / 2, xo = (pw + 1) / 2;
                int de = rowBase + pe * phase + xe, dOdd = rowBase + (1 - pe) * phase + xo;
                int pairs = w / 2;
                ck.deinterleave(stage, iy * w, pairs, xp, de, xp, dOdd);
                if (w % 2 == 1) {
                    xp[de + pairs] = stage[iy * w + w - 1];
                }
                continue;
            }
            for (int ix = 0; ix < w; ix++) {
                int x = ix + pw;
                xp[rowBase + (x % sw) * phase + x / sw] = stage[iy * w + ix];
            }
        }
    }

    /**
     * Convolution without im2col: the input is copied once into a zero-padded heap array, split into sh·sw phase
     * planes of width {@code wq = ⌈(w + 2·pw)/sw⌉} when strided (stride 1: one plane); output pixel (oy, ox) is then grid
     * pixel {@code oy·wq + ox} and tap (ky, kx) a constant offset (its phase plane plus {@code ⌊ky·dh/sh⌋·wq + ⌊kx·dw/sw⌋}),
     * so {@link CnnKernels#convShifted} computes pixel blocks of the grid as shifted pointwise products, bias and
     * activation fused, one task per block. The grid's columns past wo are computed and dropped when the rows are
     * copied out. Outputs whose rows are a multiple of 16 wide skip the grid buffer and the copy: one task per run of
     * rows writes them straight into y ({@code -Dminnow.cnn.shiftedDirect=false} turns that off, read per call;
     * ConvLayerBench --ab, session 9, AVX2, 1 and 2 threads: the MobileNet stem 3→32 at 224², stride 2, 1.44–2.08×,
     * ResNet's 7×7 stem 1.11–1.17×; CnnAb on whole networks 1.00–1.02×).
     */
    private void shifted(MemorySegment xs, long xOff, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int wp = w + 2 * pw, hp = h + 2 * ph, taps = kh * kw;
        // stride s: the padded input split into sh·sw phase planes, phase (ry, rx) holding padded[y·sh + ry][x·sw + rx]
        // at [y·wq + x]; then tap (ky, kx) of output (oy, ox) is a constant offset from grid pixel oy·wq + ox
        int hq = (hp + sh - 1) / sh, wq = (wp + sw - 1) / sw, phase = hq * wq;
        int[] tapOff = new int[taps];
        int maxTap = 0;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int y = ky * dh, x = kx * dw;
                tapOff[ky * kw + kx] = ((y % sh) * sw + x % sw) * phase + (y / sh) * wq + x / sw;
                maxTap = Math.max(maxTap, tapOff[ky * kw + kx]);
            }
        }
        // the grid rounded up to 16 pixels (whole vectors at every width: no scalar tail in the kernel), and a row
        // stride of an odd number of cache lines (a power-of-two multiple maps the input rows onto a few L1 sets)
        int grid = (ho * wq + 15) / 16 * 16;
        int ldx0 = (Math.max(sh * sw * phase, grid + maxTap) + 16 + 15) / 16 * 16;
        int ldx = (ldx0 / 16) % 2 == 0 ? ldx0 + 16 : ldx0;
        float[][] sc = SHIFT_SCRATCH.get();
        if (sc[0].length < in * ldx) {
            sc[0] = new float[in * ldx];
        }
        if (sc[1].length < h * w) {
            sc[1] = new float[h * w];
        }
        float[] xp = sc[0], stage = sc[1];
        java.util.Arrays.fill(xp, 0, in * ldx, 0f);
        CnnKernels ck = CnnKernels.get();
        for (int i = 0; i < in; i++) {
            copyPhases(ck, xs, xOff + (long) i * h * w, h, w, ph, pw, sh, sw, xp, i * ldx, phase, wq, stage);
        }
        if (wo % 16 == 0 && Boolean.parseBoolean(System.getProperty("minnow.cnn.shiftedDirect", "true"))) {
            // each output row straight into y (no grid-sized buffer and second pass): row oy is grid cells
            // [oy·wq, oy·wq + wo), written at y row oy by shifting the output offset by oy·(wo − wq) (the kernel addresses
            // yOff + o·ldy + p). Rows whole vectors at every width (wo a multiple of 16): a row's leftover pixels would
            // take the kernel's scalar tail (a 55-wide row ran 4.7× slower that way)
            CnnKernels ck1 = CnnKernels.get();
            float[] wt1 = weightArray, b1 = biasArray;
            Activation act1 = fused;
            long planeOut = (long) ho * wo;
            Parallel.forRange(ho, Math.max(1, 4096 / Math.max(1, wo * out)), (from, to) -> {
                for (int oy = from; oy < to; oy++) {
                    ck1.convShifted(out, in, taps, tapOff, wt1, b1, act1, xp, 0, ldx, ys, yOff + (long) oy * (wo - wq), (int) planeOut,
                            oy * wq, oy * wq + wo);
                }
            });
            return;
        }
        MemorySegment tmp = Buffers.scratchOverwritten((long) out * grid * 4);
        int threads = Parallel.threads();
        int block = Math.max(64, (grid / (4 * threads) + 15) / 16 * 16);
        int blocks = (grid + block - 1) / block;
        float[] wt = weightArray, b = biasArray;
        Activation act = fused;
        if (threads > 1 && blocks < 4 * threads && out >= 8 * threads) {
            // small planes (ResNet's 7² and 14² stages: one to four pixel blocks): the threads split the output channels
            // instead, each over the whole grid with its own rows of the weights (sliced once per part count)
            int depth = in * taps;
            float[][][] sl = channelSlices(4 * threads, depth);
            int parts = sl[0].length, per = sl[0][0].length / depth;   // the slices' run length (the first is whole)
            Parallel.forChunks(parts, 1, (from, to) -> {
                for (int g = from; g < to; g++) {
                    int o0 = g * per, n = sl[0][g].length / depth;
                    if (n > 0) {
                        ck.convShifted(n, in, taps, tapOff, sl[0][g], sl[1] == null ? null : sl[1][g], act, xp, 0, ldx, tmp,
                                (long) o0 * grid, grid, 0, grid);
                    }
                }
            });
        } else {
            Parallel.forChunks(blocks, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int p0 = t * block, p1 = Math.min(grid, p0 + block);
                    ck.convShifted(out, in, taps, tapOff, wt, b, act, xp, 0, ldx, tmp, 0, grid, p0, p1);
                }
            });
        }
        Parallel.forRange(out, Math.max(1, 16384 / Math.max(1, ho * wo)), (from, to) -> {
            for (int c = from; c < to; c++) {
                for (int oy = 0; oy < ho; oy++) {
                    MemorySegment.copy(tmp, ((long) c * grid + (long) oy * wq) * 4, ys, (yOff + ((long) c * ho + oy) * wo) * 4, (long) wo * 4);
                }
            }
        });
    }

    /** {@link #channelSlices}: [0] weight rows and [1] biases (null without bias) per part, for {@code parts} parts. */
    private volatile float[][][] slices;

    /**
     * The weights (rows of {@code depth}) and biases cut into {@code parts} runs of output channels, each a multiple of
     * four long (the last shorter or empty), made once per part count.
     */
    private float[][][] channelSlices(int parts, int depth) {
        float[][][] sl = slices;
        if (sl != null && sl[0].length == parts) {
            return sl;
        }
        int per = (out / parts + 3) / 4 * 4;
        float[][] w = new float[parts][], b = biasArray == null ? null : new float[parts][];
        for (int g = 0; g < parts; g++) {
            int o0 = Math.min(out, g * per), o1 = Math.min(out, o0 + per);
            w[g] = Arrays.copyOfRange(weightArray, o0 * depth, o1 * depth);
            if (b != null) {
                b[g] = Arrays.copyOfRange(biasArray, o0, o1);
            }
        }
        sl = new float[][][] {w, b};
        slices = sl;
        return sl;
    }

    /**
     * Depthwise: {@link CnnKernels#depthwiseChannels} over ranges of channels, reading the input planes in place (the
     * kernel pads what it needs itself), bias and activation fused. Channels are split over the threads in tasks of at
     * least ~64k multiply-adds.
     */
    private void depthwise(MemorySegment xs, long xOff, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int kk = kh, s = sh, plane = h * w, taps = kk * kk, padH = ph, padW = pw;
        CnnKernels ck = CnnKernels.get();
        float[] wt = weightArray, b = biasArray;
        Activation act = fused;
        int grain = Math.max(1, 65536 / Math.max(1, ho * wo * taps));
        Parallel.forRange(out, grain, (from, to) -> {
            ck.depthwiseChannels(kk, s, padH, padW, to - from, xs, xOff + (long) from * plane, h, w, wt, from * taps, b, from, act,
                    ys, yOff + (long) from * ho * wo, ho, wo);
        });
    }

    /**
     * Whether stride-1 depthwise convolutions run {@link CnnKernels#depthwiseStride1} (default; 3×3 and wide 5×5
     * output rows in pairs on a padded heap plane) instead of {@link CnnKernels#depthwiseChannels}
     * ({@code -Dminnow.cnn.dwStride1Rows=false}; read per call, for A/B runs). ConvLayerBench --ab, 1 thread, thread
     * CPU time: 3×3 144 channels at 56² 1.44×, 96 at 56² 1.28×, 576 at 14² 1.24×, 32 at 112² 1.03×; 5×5 240 at 28²
     * 1.11–1.15×; whole networks (CnnAb) 1.04–1.08×, outputs bit-identical.
     */
    private static boolean useStride1Rows() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwStride1Rows", "true"));
    }

    /** Stride-1 depthwise by {@link CnnKernels#depthwiseStride1}, channels split as in {@link #depthwise}. */
    private void depthwiseStride1(MemorySegment xs, long xOff, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int kk = kh, plane = h * w, taps = kk * kk, padH = ph, padW = pw;
        CnnKernels ck = CnnKernels.get();
        float[] wt = weightArray, b = biasArray;
        Activation act = fused;
        int grain = Math.max(1, 65536 / Math.max(1, ho * wo * taps));
        Parallel.forRange(out, grain, (from, to) -> {
            ck.depthwiseStride1(kk, padH, padW, to - from, xs, xOff + (long) from * plane, h, w, wt, from * taps, b, from, act,
                    ys, yOff + (long) from * ho * wo, ho, wo);
        });
    }

    /**
     * Whether a stride-2 3×3 depthwise convolution with outputs wider than 16 runs on {@link #depthwisePhased} (default)
     * instead of {@link CnnKernels#depthwiseChannels}, whose row loader splits the column phases in a scalar loop
     * ({@code -Dminnow.cnn.dwPhasePlanes=false}; read per call, for A/B runs). ConvLayerBench --ab, 1 thread, thread CPU
     * time: 96 channels at 112² 1.90×, 48 at 112² 2.04×, 144 at 56² 1.31× faster; but narrower outputs (which
     * depthwiseChannels runs with the channels in the lanes) 0.58–0.76×, 5×5 0.50–0.84×, and stride 1 the same way
     * (rows copied, no phases) 0.82–0.88× at 56² and 112².
     */
    private static boolean usePhasePlanes() {
        return Boolean.parseBoolean(System.getProperty("minnow.cnn.dwPhasePlanes", "true"))
                && !Boolean.parseBoolean(System.getProperty("minnow.cnn.dwFlat", "true"));   // the flat kernel splits phases itself
    }

    /** Per thread: a zero-padded, column-phase-split plane for {@link #depthwisePhased}, and one input row. */
    private static final ThreadLocal<float[][]> PHASE_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * Stride-2 depthwise, one channel at a time: the channel's plane is copied into a zero-padded heap plane split into
     * its two column phases by the vector {@link CnnKernels#deinterleave} (row by row), and {@link CnnKernels#depthwise}
     * then reads every tap as a constant offset, bias and activation fused. Channels split over the threads in tasks of
     * at least ~64k multiply-adds.
     */
    private void depthwisePhased(MemorySegment xs, long xOff, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int k = kh, s = sh, padH = ph, padW = pw, plane = h * w;
        int hp = Math.max((ho - 1) * s + k, h + padH);            // rows: what the taps read, and every input row
        int pwc = Math.max((wo - 1) + (k - 1) / s + 1, (w + padW + 1) / 2) + 1;   // columns per phase
        int len = s * hp * pwc + 64;                               // slack: the kernel's full-vector row tails
        CnnKernels ck = CnnKernels.get();
        float[] wt = weightArray, b = biasArray;
        Activation act = fused;
        int grain = Math.max(1, 65536 / Math.max(1, ho * wo * k * k));
        int pe = padW % 2, xe = padW / 2, xoCol = (padW + 1) / 2, pairs = w / 2;
        Parallel.forRange(out, grain, (from, to) -> {
            float[][] sc = PHASE_SCRATCH.get();
            if (sc[0].length < len) {
                sc[0] = new float[len];
            }
            if (sc[1].length < plane) {
                sc[1] = new float[plane];
            }
            float[] pl = sc[0], stage = sc[1];
            java.util.Arrays.fill(pl, 0, len, 0f);   // the padding stays zero: rows below write only their interior
            for (int c = from; c < to; c++) {
                MemorySegment.copy(xs, Tensor.F32_LE, (xOff + (long) c * plane) * 4, stage, 0, plane);
                for (int iy = 0; iy < h; iy++) {
                    int rowBase = (iy + padH) * pwc;
                    int de = rowBase + pe * hp * pwc + xe, dOdd = rowBase + (1 - pe) * hp * pwc + xoCol;
                    ck.deinterleave(stage, iy * w, pairs, pl, de, pl, dOdd);
                    if (w % 2 == 1) {
                        pl[de + pairs] = stage[iy * w + w - 1];
                    }
                }
                ck.depthwise(k, s, pl, 0, hp, pwc, wt, c * k * k, b == null ? 0f : b[c], act, ys, yOff + (long) c * ho * wo, ho, wo);
            }
        });
    }

    private void general(Kernels k, MemorySegment xs, long xOff, int h, int w, MemorySegment ys, long yOff, int ho, int wo) {
        int inG = in / groups, outG = out / groups;
        int rows = inG * kh * kw;
        int cols = ho * wo;
        MemorySegment col = Buffers.scratchOverwritten((long) rows * cols * 4);   // im2col writes every cell
        float[] src = new float[inG * h * w];
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(xs, Tensor.F32_LE, (xOff + (long) g * inG * h * w) * 4, src, 0, src.length);
            Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, cols)), (from, to) -> {
                float[] line = new float[cols];
                for (int r = from; r < to; r++) {
                    int ci = r / (kh * kw), ky = (r / kw) % kh, kx = r % kw;
                    int base = ci * h * w;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * sh - ph + ky * dh;
                        int d = oy * wo;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(line, d, d + wo, 0f);
                            continue;
                        }
                        int srow = base + iy * w;
                        if (sw == 1) { // a contiguous run of the input row, zeros either side
                            int shift = kx * dw - pw;                       // ix = ox + shift
                            int lo = Math.min(wo, Math.max(0, -shift)), hi = Math.max(lo, Math.min(wo, w - shift));
                            java.util.Arrays.fill(line, d, d + lo, 0f);
                            if (hi > lo) {
                                System.arraycopy(src, srow + lo + shift, line, d + lo, hi - lo);
                            }
                            java.util.Arrays.fill(line, d + hi, d + wo, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * sw - pw + kx * dw;
                            line[d + ox] = ix >= 0 && ix < w ? src[srow + ix] : 0f;
                        }
                    }
                    MemorySegment.copy(line, 0, col, Tensor.F32_LE, (long) r * cols * 4, cols);
                }
            });
            k.gemm(outG, cols, rows, weight.segment(), (long) g * outG * rows, rows, col, 0, cols, false,
                    ys, yOff + (long) g * outG * cols, cols, false);
        }
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + "→" + out + ", k" + kh + "x" + kw + ", s" + sh + "x" + sw + ", p" + ph + "x" + pw
                + (dh != 1 || dw != 1 ? ", d" + dh + "x" + dw : "") + (groups != 1 ? ", g" + groups : "")
                + (bias != null ? ", bias" : "") + (activation != null ? ", " + activation : "") + ")";
    }
}
