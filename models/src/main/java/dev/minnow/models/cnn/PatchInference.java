package dev.minnow.models.cnn;

import dev.minnow.nn.Buffers;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Ops;
import dev.minnow.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * MCUNetV2-style patch-based inference of MobileNetV2 (design: {@code shared/design/patch-inference.md}). The patch
 * stage (blocks {@code 0..split}) runs on {@code p×p} spatial patches of its output: each patch's receptive field is
 * traced back layer by layer ({@code i0 = o0·s − P}, {@code i1 = o1·s − P + k_eff − 1}, clipped to the map), the
 * convolutions run unpadded on windows that carry the real neighbouring pixels (the halo) and explicit zeros only
 * at true image borders, and the patch is written into the full output of the stage. The rest of the network runs
 * layer by layer as usual. Residual blocks keep the shortcut on the output window (stride 1, same coordinates).
 *
 * <p>The memory model is MCUNet's: int8 activations, one byte per element, weights not counted; a convolution's
 * live memory is its input + its output + a residual shortcut still needed ({@link #plan}).
 */
public final class PatchInference {
    private final List<MobileNetV2.Block> blocks;
    private final Layer head;
    private final int split;
    private final int patches;
    private final List<List<Conv2d>> unpadded = new ArrayList<>();
    private long lastMacs;
    private long lastPeak;

    private PatchInference(List<MobileNetV2.Block> blocks, Layer head, int split, int patches) {
        if (split < 0 || split >= blocks.size()) {
            throw new IllegalArgumentException("split block " + split + " outside 0.." + (blocks.size() - 1));
        }
        if (patches < 1) {
            throw new IllegalArgumentException("patches per side must be >= 1, got " + patches);
        }
        this.blocks = blocks;
        this.head = head;
        this.split = split;
        this.patches = patches;
        for (MobileNetV2.Block b : blocks) {
            unpadded.add(b.convs().stream().map(Conv2d::withoutPadding).toList());
        }
    }

    /** MobileNetV2 from a torchvision state_dict, patch stage = blocks 0..split (features.0..split), p×p patches. */
    public static PatchInference mobileNetV2(StateDict sd, int split, int patches) {
        return new PatchInference(MobileNetV2.blocks(sd), Blocks.poolAndClassify(sd.linear("classifier.1")), split, patches);
    }

    /** Blocks (features.0 .. features.18). */
    public int blockCount() { return blocks.size(); }

    /** Whole-tensor execution of blocks 0..split (the reference for the patch stage). */
    public Tensor stageWhole(Tensor x) {
        Tensor y = x;
        for (int b = 0; b <= split; b++) {
            y = blocks.get(b).layer().forward(y);
        }
        return y;
    }

    /** Patch-by-patch execution of blocks 0..split; also records {@link #lastMacs()} and {@link #lastPeakBytes()}. */
    public Tensor stagePatches(Tensor x) {
        int n = (int) x.dim(0), h = (int) x.dim(2), w = (int) x.dim(3);
        int[] outHw = outputSize(h, w);
        int cOut = blocks.get(split).convs().getLast().outChannels();
        Tensor y = Tensor.wrap(java.lang.foreign.Arena.ofAuto().allocate((long) n * cOut * outHw[0] * outHw[1] * 4, 64),
                dev.minnow.tensor.DType.F32, n, cOut, outHw[0], outHw[1]);
        long macs = 0, peak = 0;
        for (int py = 0; py < patches; py++) {
            int r0 = py * outHw[0] / patches, r1 = (py + 1) * outHw[0] / patches - 1;
            for (int px = 0; px < patches; px++) {
                int q0 = px * outHw[1] / patches, q1 = (px + 1) * outHw[1] / patches - 1;
                if (r1 < r0 || q1 < q0) {
                    continue;
                }
                Window[] win = trace(h, w, r0, r1, q0, q1);
                Tensor t = crop(x, win[0], new Window(0, h - 1, 0, w - 1));
                long[] stats = new long[2];
                int li = 1;
                for (int b = 0; b <= split; b++) {
                    MobileNetV2.Block blk = blocks.get(b);
                    Window blockIn = win[li - 1];
                    Tensor in = t;
                    for (int ci = 0; ci < blk.convs().size(); ci++) {
                        Conv2d c = blk.convs().get(ci);
                        int[] g = c.geometry();
                        Window need = win[li], have = win[li - 1];
                        Window req = new Window(need.r0 * g[2] - g[4], need.r1 * g[2] - g[4] + g[6] * (g[0] - 1),
                                need.c0 * g[3] - g[5], need.c1 * g[3] - g[5] + g[7] * (g[1] - 1));
                        Tensor padded = pad(t, have, req);
                        Tensor o = unpadded.get(b).get(ci).forward(padded);
                        macs += unpadded.get(b).get(ci).macs((int) padded.dim(2), (int) padded.dim(3));
                        long live = t.elementCount() + o.elementCount() + (blk.residual() && ci > 0 ? in.elementCount() : 0);
                        stats[0] = Math.max(stats[0], live / n);
                        t = o;
                        li++;
                    }
                    if (blk.residual()) {
                        t = Ops.add(t, crop(in, win[li - 1], blockIn));
                    }
                }
                long full = (long) cOut * outHw[0] * outHw[1];
                peak = Math.max(peak, full + stats[0]);
                paste(t, y, r0, q0);
            }
        }
        // both counts include the taps on border zeros (Conv2d.macs counts padded taps), so they compare directly
        lastMacs = macs;
        lastPeak = peak;
        return y;
    }

    /** The whole network: patch stage, then the remaining blocks and the classifier layer by layer. */
    public Tensor forward(Tensor x) {
        return Buffers.recycling(() -> {
            Tensor y = stagePatches(x);
            for (int b = split + 1; b < blocks.size(); b++) {
                y = blocks.get(b).layer().forward(y);
            }
            return head.forward(y);
        });
    }

    /** MACs of the last {@link #stagePatches} call (per batch). */
    public long lastMacs() { return lastMacs; }

    /** Peak int8 bytes of the last {@link #stagePatches} call: the full stage output plus the largest live windows. */
    public long lastPeakBytes() { return lastPeak; }

    /** MACs of the whole-tensor patch stage for one image. */
    public long stageMacs(int h, int w) {
        long m = 0;
        for (int b = 0; b <= split; b++) {
            for (Conv2d c : blocks.get(b).convs()) {
                m += c.macs(h, w);
                int[] o = c.outputSize(h, w);
                h = o[0];
                w = o[1];
            }
        }
        return m;
    }

    private int[] outputSize(int h, int w) {
        for (int b = 0; b <= split; b++) {
            for (Conv2d c : blocks.get(b).convs()) {
                int[] o = c.outputSize(h, w);
                h = o[0];
                w = o[1];
            }
        }
        return new int[] {h, w};
    }

    /** Inclusive rows r0..r1, columns c0..c1. */
    record Window(int r0, int r1, int c0, int c1) {
        int rows() { return r1 - r0 + 1; }

        int cols() { return c1 - c0 + 1; }
    }

    /** Windows of every tensor in the stage (index 0 = network input), clipped to each map. */
    private Window[] trace(int h, int w, int r0, int r1, int q0, int q1) {
        List<Conv2d> convs = new ArrayList<>();
        for (int b = 0; b <= split; b++) {
            convs.addAll(blocks.get(b).convs());
        }
        int[][] sizes = new int[convs.size() + 1][];
        sizes[0] = new int[] {h, w};
        for (int i = 0; i < convs.size(); i++) {
            sizes[i + 1] = convs.get(i).outputSize(sizes[i][0], sizes[i][1]);
        }
        Window[] win = new Window[convs.size() + 1];
        win[convs.size()] = new Window(r0, r1, q0, q1);
        for (int i = convs.size() - 1; i >= 0; i--) {
            int[] g = convs.get(i).geometry();
            Window o = win[i + 1];
            int a0 = o.r0 * g[2] - g[4], a1 = o.r1 * g[2] - g[4] + g[6] * (g[0] - 1);
            int b0 = o.c0 * g[3] - g[5], b1 = o.c1 * g[3] - g[5] + g[7] * (g[1] - 1);
            win[i] = new Window(Math.max(0, a0), Math.min(sizes[i][0] - 1, a1), Math.max(0, b0), Math.min(sizes[i][1] - 1, b1));
        }
        // a residual block's input window must also cover its output window (the shortcut): stride 1, same map
        int li = 0;
        for (int b = 0; b <= split; b++) {
            int k = blocks.get(b).convs().size();
            if (blocks.get(b).residual()) {
                Window in = win[li], out = win[li + k];
                if (out.r0 < in.r0 || out.r1 > in.r1 || out.c0 < in.c0 || out.c1 > in.c1) {
                    throw new IllegalStateException("residual shortcut window outside the block input window");
                }
            }
            li += k;
        }
        return win;
    }

    /** {@code t} (covering {@code have}) cut or zero-extended to {@code want} (zeros where want leaves have). */
    private static Tensor pad(Tensor t, Window have, Window want) {
        if (have.equals(want)) {
            return t;
        }
        return crop(t, want, have);
    }

    /** The part of {@code t} (covering {@code have}) inside {@code want}, zeros outside {@code have}. */
    private static Tensor crop(Tensor t, Window want, Window have) {
        int n = (int) t.dim(0), c = (int) t.dim(1);
        int hr = have.rows(), hc = have.cols(), wr = want.rows(), wc = want.cols();
        Tensor out = Buffers.f32(n, c, wr, wc);
        MemorySegment src = t.segment(), dst = out.segment();
        int cFrom = Math.max(want.c0, have.c0), cTo = Math.min(want.c1, have.c1);
        if (cTo < cFrom) {
            return out;
        }
        for (int p = 0; p < n * c; p++) {
            for (int r = Math.max(want.r0, have.r0); r <= Math.min(want.r1, have.r1); r++) {
                long s = ((long) p * hr + (r - have.r0)) * hc + (cFrom - have.c0);
                long d = ((long) p * wr + (r - want.r0)) * wc + (cFrom - want.c0);
                MemorySegment.copy(src, s * 4, dst, d * 4, (long) (cTo - cFrom + 1) * 4);
            }
        }
        return out;
    }

    private static void paste(Tensor patch, Tensor full, int r0, int c0) {
        int n = (int) full.dim(0), c = (int) full.dim(1), h = (int) full.dim(2), w = (int) full.dim(3);
        int pr = (int) patch.dim(2), pc = (int) patch.dim(3);
        for (int p = 0; p < n * c; p++) {
            for (int r = 0; r < pr; r++) {
                MemorySegment.copy(patch.segment(), ((long) p * pr + r) * pc * 4, full.segment(),
                        (((long) p * h + r0 + r) * w + c0) * 4, (long) pc * 4);
            }
        }
    }

    // ---- static planner (MCUNet memory model) ----

    /** Planned peaks in int8 bytes: per-layer schedule of the whole network, and the patch schedule. */
    public record Plan(long perLayerPeak, long perLayerPeakInPlaceDepthwise, long patchStagePeak, long tailPeak, long patchPeak,
                       long stageMacs, long patchMacs) {
        public double overhead() { return (double) patchMacs / stageMacs - 1; }
    }

    /** Plans both schedules for one image of {@code h × w} (the network input is not counted, as in the paper). */
    public Plan plan(int h, int w) {
        long perLayer = 0, inPlace = 0, tail = 0;
        int ch = h, cw = w;
        int c = blocks.getFirst().convs().getFirst().inChannels();
        long[] stageOut = null;
        for (int b = 0; b < blocks.size(); b++) {
            MobileNetV2.Block blk = blocks.get(b);
            long blockIn = (long) c * ch * cw;
            long in = blockIn;
            for (int i = 0; i < blk.convs().size(); i++) {
                Conv2d conv = blk.convs().get(i);
                int[] o = conv.outputSize(ch, cw);
                long out = (long) conv.outChannels() * o[0] * o[1];
                long keep = blk.residual() && i > 0 ? blockIn : 0;
                long live = in + out + keep;
                boolean dw = conv.groups() > 1 && conv.groups() == conv.inChannels();
                long liveInPlace = dw ? Math.max(in, out) + (long) o[0] * o[1] + keep : live;
                perLayer = Math.max(perLayer, live);
                inPlace = Math.max(inPlace, liveInPlace);
                if (b > split) {
                    tail = Math.max(tail, live);
                }
                in = out;
                ch = o[0];
                cw = o[1];
                c = conv.outChannels();
            }
        }
        // patch stage: run it on a dummy-free trace (shapes only)
        int[] outHw = outputSize(h, w);
        int cOut = blocks.get(split).convs().getLast().outChannels();
        long full = (long) cOut * outHw[0] * outHw[1];
        long patchLive = 0, patchMacs = 0;
        for (int py = 0; py < patches; py++) {
            int r0 = py * outHw[0] / patches, r1 = (py + 1) * outHw[0] / patches - 1;
            for (int px = 0; px < patches; px++) {
                int q0 = px * outHw[1] / patches, q1 = (px + 1) * outHw[1] / patches - 1;
                if (r1 < r0 || q1 < q0) {
                    continue;
                }
                Window[] win = trace(h, w, r0, r1, q0, q1);
                int li = 1;
                for (int b = 0; b <= split; b++) {
                    MobileNetV2.Block blk = blocks.get(b);
                    Window blockIn = win[li - 1];
                    for (int i = 0; i < blk.convs().size(); i++) {
                        Conv2d conv = blk.convs().get(i);
                        int[] g = conv.geometry();
                        Window need = win[li];
                        long inE = (long) conv.inChannels() * win[li - 1].rows() * win[li - 1].cols();
                        long outE = (long) conv.outChannels() * need.rows() * need.cols();
                        long keep = blk.residual() && i > 0 ? (long) blk.convs().getFirst().inChannels() * blockIn.rows() * blockIn.cols() : 0;
                        patchLive = Math.max(patchLive, inE + outE + keep);
                        patchMacs += (long) conv.outChannels() * need.rows() * need.cols() * (conv.inChannels() / conv.groups()) * g[0] * g[1];
                        li++;
                    }
                }
            }
        }
        long stagePeak = full + patchLive;
        return new Plan(perLayer, inPlace, stagePeak, tail, Math.max(stagePeak, tail), stageMacs(h, w), patchMacs);
    }
}
