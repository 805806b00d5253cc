package dev.minnow.models.lightfield;

import dev.minnow.kernels.Activation;
import dev.minnow.models.cnn.StateDict;
import dev.minnow.nn.Buffers;
import dev.minnow.nn.Conv2d;
import dev.minnow.nn.ConvTranspose2d;
import dev.minnow.nn.Layer;
import dev.minnow.nn.Ops;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * MobileR2L's network ({@code snap-research/MobileR2L}, {@code model/R2L.py}) from its state_dict names, with
 * width, body depth and super-resolution stages read from the tensors:
 * {@code head.0} 1×1 conv + GELU; {@code body.i} ResnetBlocks ({@code conv_block.0} conv, {@code .1} BN, GELU,
 * {@code .3} conv, {@code .4} BN, plus identity) and an outer skip; {@code tail.i}: ConvTranspose2d stages
 * (k4 → stride 2 pad 1, k3 → stride 3 pad 0; no activation), each followed by ResnetBlocks, then a 1×1 conv and
 * sigmoid. BatchNorm is folded at load.
 */
public final class MobileR2L implements Layer {
    private final Layer network;
    private final NhwcR2L fast;
    private final int inChannels;
    private final int width;
    private final int bodyBlocks;
    private final int upscale;
    private final long macsPerInputPixel;

    private MobileR2L(Layer network, NhwcR2L fast, int inChannels, int width, int bodyBlocks, int upscale, long macsPerInputPixel) {
        this.network = network;
        this.fast = fast;
        this.inChannels = inChannels;
        this.width = width;
        this.bodyBlocks = bodyBlocks;
        this.upscale = upscale;
        this.macsPerInputPixel = macsPerInputPixel;
    }

    public static MobileR2L build(StateDict sd) {
        Conv2d head = sd.conv("head.0", (int) sd.get("head.0.weight").dim(1), 1, 1).withActivation(Activation.GELU);
        if (head.groups() != 1 || head.weight().dim(2) != 1 || head.weight().dim(3) != 1) {
            throw sd.error("head.0 must be an ungrouped 1×1 conv, got weight " + java.util.Arrays.toString(head.weight().shape()));
        }
        int c = head.outChannels();
        long macs = head.macs(1, 1);
        List<Layer> body = new ArrayList<>();
        List<NhwcR2L.Block> fastBody = new ArrayList<>();
        List<Object> fastTail = new ArrayList<>();
        NhwcR2L.Pw fastOut = null;
        int blocks = 0;
        for (; sd.has("body." + blocks + ".conv_block.0.weight"); blocks++) {
            ResBlock b = resBlock(sd, "body." + blocks, c);
            body.add(b.layer);
            fastBody.add(b.fast);
            macs += b.macs;
        }
        Layer bodySeq = Layer.sequence(body);
        List<Layer> tail = new ArrayList<>();
        int scale = 1;
        int last = -1;
        for (String n : sd.names()) {
            if (n.startsWith("tail.")) {
                last = Math.max(last, Integer.parseInt(n.substring(5, n.indexOf('.', 5))));
            }
        }
        if (last < 0) {
            throw sd.error("missing tensors 'tail.*'");
        }
        boolean sawOutput = false;
        for (int i = 0; i <= last; i++) {
            String p = "tail." + i;
            if (sd.has(p + ".conv_block.0.weight")) {
                ResBlock b = resBlock(sd, p, c);
                tail.add(b.layer);
                fastTail.add(b.fast);
                macs += b.macs * (long) scale * scale;
                continue;
            }
            Tensor w = sd.get(p + ".weight", 4);
            if (i == last) { // the output 1x1 conv
                Conv2d out = sd.conv(p, c, 1, 1).withActivation(Activation.SIGMOID);
                tail.add(out);
                fastOut = pointwise(out, Activation.SIGMOID);
                macs += out.macs(1, 1) * (long) scale * scale;
                sawOutput = true;
                continue;
            }
            int k = (int) w.dim(2);
            int stride, pad;
            switch (k) {
                case 4 -> { stride = 2; pad = 1; }
                case 3 -> { stride = 3; pad = 0; }
                case 2 -> { stride = 2; pad = 0; }
                default -> throw sd.error("tail." + i + ": ConvTranspose2d kernel " + k + " is not one of MobileR2L's (2, 3, 4)");
            }
            if (w.dim(0) != c) {
                throw sd.error("tensor '" + p + ".weight' has " + w.dim(0) + " input channels, expected " + c);
            }
            Tensor upBias = sd.has(p + ".bias") ? sd.get(p + ".bias", 1) : null;
            ConvTranspose2d up = ConvTranspose2d.of(w, upBias, stride, pad, 0, 1, 1);
            tail.add(up);
            if (w.dim(3) != k || (upBias != null && upBias.dim(0) != w.dim(1))) {
                throw sd.error("tensor '" + p + ".weight' " + java.util.Arrays.toString(w.shape()) + " is not a square kernel matching its bias");
            }
            fastTail.add(NhwcR2L.upsample(c, (int) w.dim(1), k, stride, pad, w.toFloatArray(),
                    upBias == null ? null : upBias.toFloatArray()));
            macs += up.macs(1, 1) * (long) scale * scale;
            c = up.outChannels();
            scale *= stride;
        }
        if (!sawOutput || c < 1) {
            throw sd.error("tail has no output conv");
        }
        Layer tailSeq = Layer.sequence(tail);
        Layer net = x -> {
            Tensor h = head.forward(x);
            return tailSeq.forward(Ops.add(bodySeq.forward(h), h));
        };
        NhwcR2L fast = new NhwcR2L(pointwise(head, Activation.GELU), fastBody, fastTail, fastOut);
        return new MobileR2L(net, fast, (int) sd.get("head.0.weight").dim(1), head.outChannels(), blocks, scale, macs);
    }

    private record ResBlock(Layer layer, NhwcR2L.Block fast, long macs) {}

    /** The fused NHWC form of a 1×1 conv (BatchNorm already folded into it). */
    private static NhwcR2L.Pw pointwise(Conv2d conv, Activation act) {
        return NhwcR2L.pointwise(conv.inChannels(), conv.outChannels(), conv.weight().toFloatArray(),
                conv.bias() == null ? null : conv.bias().toFloatArray(), act);
    }

    private static ResBlock resBlock(StateDict sd, String p, int c) {
        Conv2d a = sd.convBn(p + ".conv_block.0", p + ".conv_block.1", c, 1, Activation.GELU);
        Conv2d b = sd.convBn(p + ".conv_block.3", p + ".conv_block.4", a.outChannels(), 1, null);
        if (b.outChannels() != c) {
            throw sd.error("ResnetBlock '" + p + "' maps " + c + " to " + b.outChannels() + " channels");
        }
        return new ResBlock(x -> Ops.add(b.forward(a.forward(x)), x), new NhwcR2L.Block(pointwise(a, Activation.GELU), pointwise(b, null)),
                a.macs(1, 1) + b.macs(1, 1));
    }

    @Override
    public Tensor forward(Tensor rays) {
        if (rays.rank() != 4 || rays.dim(1) != inChannels) {
            throw new IllegalArgumentException("MobileR2L expects [N, " + inChannels + ", H, W] encoded rays, got "
                    + java.util.Arrays.toString(rays.shape()));
        }
        Tensor x = rays.contiguous();
        if (x.dim(0) == 1) {
            return fast.forward(x);
        }
        long n = x.dim(0);
        List<float[]> parts = new ArrayList<>();
        long[] shape = null;
        for (long i = 0; i < n; i++) {
            Tensor one = fast.forward(x.slice(0, i, i + 1).contiguous());
            shape = one.shape();
            parts.add(one.toFloatArray());
        }
        int each = parts.get(0).length;
        float[] all = new float[(int) (n * each)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(parts.get(i), 0, all, i * each, each);
        }
        shape[0] = n;
        return Tensor.of(all, shape);
    }

    /** {@link #forward} of one view whose rays are encoded pixel-major ({@code Rays.encodePixelMajor}), [H·W, C]. */
    Tensor forwardPixelMajor(float[] rays, int h, int w) {
        return fast.forwardPixelMajor(rays, h, w);
    }

    /**
     * The same network evaluated layer by layer through {@code nn}'s Conv2d / ConvTranspose2d (NCHW): the path that
     * int8 quantization plans hook into ({@link dev.minnow.nn.Int8Quantization}), and the reference the fused NHWC
     * path is tested against.
     */
    public Tensor forwardLayers(Tensor rays) {
        if (rays.rank() != 4 || rays.dim(1) != inChannels) {
            throw new IllegalArgumentException("MobileR2L expects [N, " + inChannels + ", H, W] encoded rays, got "
                    + java.util.Arrays.toString(rays.shape()));
        }
        Tensor x = rays.contiguous();
        return Buffers.recycling(() -> network.forward(x));
    }

    public int inChannels() { return inChannels; }

    public int width() { return width; }

    public int bodyBlocks() { return bodyBlocks; }

    /** Output pixels per input ray along each axis (12 for the LLFF variant). */
    public int upscale() { return upscale; }

    /** Multiply-accumulates per input ray (ConvTranspose2d counted as Cin·Cout·k² per input pixel). */
    public long macsPerRay() { return macsPerInputPixel; }

    @Override
    public String toString() {
        return "MobileR2L(in " + inChannels + ", width " + width + ", " + bodyBlocks + " body blocks, ×" + upscale + ")";
    }
}
