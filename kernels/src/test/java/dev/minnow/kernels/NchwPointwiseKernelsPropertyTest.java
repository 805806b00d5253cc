package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.vector.VectorNchwPointwiseKernels;
import dev.minnow.tensor.testing.Gen;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector {@link NchwPointwiseKernels} against the scalar specification at 128/256/512 bits, with and without FMA:
 * awkward channel counts (around the 6-row register tile), pixel counts (around whole vectors and 2-vector tiles, and
 * past the kernel's pixel block), sub-ranges of output channels and pixels inside wider rows, every fused activation
 * (and SiLU through the scalar fallback), bias or none, residual none / separate / in place. Without FMA bit-exact;
 * with it within 2·cin·u·(|b| + Σ|w·x|) times the activation's slope, plus 4u·max(1, |y|). Cells outside the range
 * must stay untouched.
 */
class NchwPointwiseKernelsPropertyTest {
    static final double U = 0x1p-24;
    static final NchwPointwiseKernels SPEC = NchwPointwiseKernels.scalar();

    static List<NchwPointwiseKernels> implementations() {
        List<NchwPointwiseKernels> ks = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            ks.add(VectorNchwPointwiseKernels.create(bits, true));
            ks.add(VectorNchwPointwiseKernels.create(bits, false));
        }
        ks.add(NchwPointwiseKernels.get());
        return ks;
    }

    static Stream<Arguments> cases() {
        int[] couts = {1, 3, 5, 6, 7, 12, 13, 17, 24};
        int[] cins = {0, 1, 7, 16, 33, 2};
        int[] pixels = {0, 1, 7, 15, 16, 17, 31, 33, 49, 65, 196, 257};
        List<Arguments> out = new ArrayList<>();
        for (NchwPointwiseKernels k : implementations()) {
            for (int i = 0; i < pixels.length; i++) {
                out.add(Arguments.of(k, couts[i % couts.length], cins[(i + 2) % cins.length], pixels[i]));
            }
            out.add(Arguments.of(k, 24, 96, 64));
            out.add(Arguments.of(k, 14, 300, 257));   // more input than one pixel block: several blocks
            out.add(Arguments.of(k, 8, 1100, 100));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} cout={1} cin={2} pixels={3}")
    @MethodSource("cases")
    void convMatchesSpec(NchwPointwiseKernels impl, int cout, int cin, int pixels) {
        Activation[] acts = {null, Activation.RELU6, Activation.HARD_SWISH, Activation.RELU, Activation.HARD_SIGMOID, Activation.SILU};
        for (int ai = 0; ai < acts.length; ai++) {
            Activation act = acts[ai];
            int residual = ai % 3;   // 0 none, 1 a separate tensor, 2 in place (y itself)
            String name = "nchw-pointwise/" + impl.name() + "/" + cout + "/" + cin + "/" + pixels + "/" + act + "/r" + residual;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int p0 = r.nextInt(3), ldx = p0 + pixels + 1 + r.nextInt(5), ldy = p0 + pixels + 1 + r.nextInt(5);
            int o0 = cout > 1 ? r.nextInt(Math.min(cout, 4)) : 0;
            int o1 = Math.max(o0, cout - (cout > 2 ? r.nextInt(2) : 0));
            long xOff = r.nextInt(3), yOff = r.nextInt(3), rOff = r.nextInt(3);
            float[] x = Gen.floats(r, (int) xOff + Math.max(1, cin) * ldx, -3, 3);
            float[] w = Gen.floats(r, cout * cin + 1);
            float[] bias = ai % 2 == 0 ? Gen.floats(r, cout, -1, 1) : null;
            float[] y0 = Gen.floats(r, (int) yOff + cout * ldy + 1);
            float[] res = Gen.floats(r, (int) rOff + cout * ldy + 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment xs = Gen.segment(arena, x), want = Gen.segment(arena, y0), got = Gen.segment(arena, y0);
                MemorySegment rs = Gen.segment(arena, res);
                MemorySegment rWant = residual == 0 ? null : residual == 1 ? rs : want;
                MemorySegment rGot = residual == 0 ? null : residual == 1 ? rs : got;
                long ro = residual == 1 ? rOff : yOff;
                SPEC.conv(cout, cin, SPEC.pack(cout, cin, w), bias, act, xs, xOff, ldx, rWant, ro, want, yOff, ldy, o0, o1, p0, p0 + pixels);
                impl.conv(cout, cin, impl.pack(cout, cin, w), bias, act, xs, xOff, ldx, rGot, ro, got, yOff, ldy, o0, o1, p0, p0 + pixels);
                boolean exact = impl.name().endsWith("-nofma") || impl.name().equals("scalar");
                double slope = act == Activation.HARD_SWISH ? 1.5 : act == Activation.SILU ? 1.2 : 1;
                for (int i = 0; i < y0.length; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - yOff;
                    boolean inside = rel >= 0 && rel / ldy >= o0 && rel / ldy < o1 && rel % ldy >= p0 && rel % ldy < p0 + pixels;
                    String ctx = name + " at " + i + " seed=" + seed;
                    if (KernelChecks.outsideOrExact(y0[i], a, b, inside, exact, ctx)) {
                        continue;
                    }
                    int o = (int) (rel / ldy), q = (int) (rel % ldy);
                    double abs = bias == null ? 0 : Math.abs(bias[o]);
                    for (int c = 0; c < cin; c++) {
                        abs += Math.abs(w[o * cin + c] * x[(int) xOff + c * ldx + q]);
                    }
                    assertTrue(Math.abs(a - b) <= slope * 2 * Math.max(1, cin) * U * abs + 4 * U * Math.max(1, Math.abs(a)),
                            ctx + ": " + a + " vs " + b);
                }
            }
        }
    }

    static Stream<Arguments> kxkCases() {
        int[][] shapes = {   // cout, cin, kh, kw, wo, stride
            {1, 1, 3, 3, 1, 1}, {7, 3, 3, 3, 7, 1}, {6, 16, 3, 3, 8, 2}, {13, 5, 3, 3, 9, 1}, {5, 2, 5, 5, 13, 1}, {12, 4, 3, 3, 14, 2},
            {7, 7, 1, 3, 15, 1}, {8, 3, 3, 1, 16, 1}, {17, 6, 3, 3, 17, 2}, {6, 40, 3, 3, 28, 1}, {9, 2, 2, 2, 31, 1}, {24, 3, 3, 3, 33, 1},
            {10, 3, 7, 7, 12, 2}, {11, 9, 1, 1, 9, 2}, {6, 4, 3, 3, 5, 3}};
        List<Arguments> out = new ArrayList<>();
        for (NchwPointwiseKernels k : implementations()) {
            for (int[] sh : shapes) {
                out.add(Arguments.of(k, sh[0], sh[1], sh[2], sh[3], sh[4], sh[5]));
            }
            out.add(Arguments.of(k, 8, 300, 3, 3, 5, 1));   // more virtual rows than one block holds tiles of
        }
        return out.stream();
    }

    /**
     * {@link NchwPointwiseKernels#convKxK} against the specification: kernels 1×1 to 7×7 at strides 1 to 3, output widths around whole
     * vectors and tiles, padded planes with and without slack columns (runs read past the row, and past the segment's
     * end on the last plane: the input segment is exactly as long as the planes), sub-ranges of channels and rows,
     * activations, bias or none, residual none / separate / in place; bit-exact without FMA, the pointwise bound with it.
     */
    @ParameterizedTest(name = "{0} cout={1} cin={2} k={3}x{4} wo={5} stride={6}")
    @MethodSource("kxkCases")
    void convKxKMatchesSpec(NchwPointwiseKernels impl, int cout, int cin, int kh, int kw, int wo, int st) {
        Activation[] acts = {null, Activation.RELU6, Activation.HARD_SWISH, Activation.RELU};
        for (int ai = 0; ai < acts.length; ai++) {
            Activation act = acts[ai];
            int residual = ai % 3;
            String name = "nchw-kxk/" + impl.name() + "/" + cout + "/" + cin + "/" + kh + "x" + kw + "/" + wo + "/s" + st + "/" + act + "/r" + residual;
            long seed = Gen.seed(name);
            SplittableRandom r = new SplittableRandom(seed);
            int ho = 1 + r.nextInt(5), r0 = r.nextInt(Math.min(2, ho)), r1 = ho - (ho - r0 > 1 ? r.nextInt(2) : 0);
            int hq = ho - 1 + (kh - 1) / st + 1 + r.nextInt(2), wq = wo - 1 + (kw - 1) / st + 1 + (ai % 2 == 0 ? 0 : 1 + r.nextInt(3));
            int o0 = cout > 1 ? r.nextInt(Math.min(cout, 4)) : 0;
            int o1 = Math.max(o0 + 1, cout - (cout > 2 ? r.nextInt(2) : 0));
            int plane = ho * wo, ldy = plane + r.nextInt(3), kk = cin * kh * kw;
            long xOff = r.nextInt(3), yOff = r.nextInt(3), rOff = r.nextInt(3);
            int phase = hq * wq;
            float[] x = Gen.floats(r, (int) xOff + cin * st * st * phase, -3, 3);
            float[] w = Gen.floats(r, cout * kk);
            float[] bias = ai % 2 == 0 ? Gen.floats(r, cout, -1, 1) : null;
            float[] y0 = Gen.floats(r, (int) yOff + cout * ldy);
            float[] res = Gen.floats(r, (int) rOff + cout * ldy);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment xs = Gen.segment(arena, x), want = Gen.segment(arena, y0), got = Gen.segment(arena, y0);
                MemorySegment rs = Gen.segment(arena, res);
                MemorySegment rWant = residual == 0 ? null : residual == 1 ? rs : want;
                MemorySegment rGot = residual == 0 ? null : residual == 1 ? rs : got;
                long ro = residual == 1 ? rOff : yOff;
                SPEC.convKxK(cout, cin, kh, kw, st, SPEC.pack(cout, kk, w), bias, act, xs, xOff, hq, wq, rWant, ro, want, yOff, ldy, wo, o0,
                        o1, r0, r1);
                impl.convKxK(cout, cin, kh, kw, st, impl.pack(cout, kk, w), bias, act, xs, xOff, hq, wq, rGot, ro, got, yOff, ldy, wo, o0,
                        o1, r0, r1);
                boolean exact = impl.name().endsWith("-nofma") || impl.name().equals("scalar");
                double slope = act == Activation.HARD_SWISH ? 1.5 : 1;
                for (int i = 0; i < y0.length; i++) {
                    float a = want.getAtIndex(Gen.F32, i), b = got.getAtIndex(Gen.F32, i);
                    long rel = i - yOff;
                    int o = (int) (rel / ldy), q = (int) (rel % ldy);
                    boolean inside = rel >= 0 && o >= o0 && o < o1 && q < plane && q / wo >= r0 && q / wo < r1;
                    String ctx = name + " at " + i + " seed=" + seed;
                    if (KernelChecks.outsideOrExact(y0[i], a, b, inside, exact, ctx)) {
                        continue;
                    }
                    int oy = q / wo, ox = q % wo;
                    double abs = bias == null ? 0 : Math.abs(bias[o]);
                    for (int c = 0; c < cin; c++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int at = (int) xOff + ((c * st + ky % st) * st + kx % st) * phase + (oy + ky / st) * wq + ox + kx / st;
                                abs += Math.abs(w[o * kk + (c * kh + ky) * kw + kx] * x[at]);
                            }
                        }
                    }
                    assertTrue(Math.abs(a - b) <= slope * 2 * Math.max(1, kk) * U * abs + 4 * U * Math.max(1, Math.abs(a)),
                            ctx + ": " + a + " vs " + b);
                }
            }
        }
    }

    @Test
    void convKxKRejectsPlanesTooSmall() {
        for (NchwPointwiseKernels k : implementations()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(4096);
                float[] pk = k.pack(2, 9, new float[18]);
                assertThrows(IllegalArgumentException.class,   // 3 rows of width 4 need 5×6 padded planes
                        () -> k.convKxK(2, 1, 3, 3, 1, pk, null, null, s, 0, 4, 6, null, 0, s, 0, 12, 4, 0, 2, 0, 3), k.name());
                assertThrows(IllegalArgumentException.class,   // at stride 2, 3 rows need 4 phase rows
                        () -> k.convKxK(2, 1, 3, 3, 2, pk, null, null, s, 0, 3, 8, null, 0, s, 0, 12, 4, 0, 2, 0, 3), k.name());
            }
        }
    }

    /** The check above catches a kernel that is off in one output element, and one that ignores the residual. */
    @Test
    void brokenKernelIsCaught() {
        NchwPointwiseKernels base = NchwPointwiseKernels.get();
        NchwPointwiseKernels offByOne = new NchwPointwiseKernels() {
            @Override public String name() { return "broken"; }

            @Override public float[] pack(int cout, int cin, float[] w) { return base.pack(cout, cin, w); }

            @Override
            public void conv(int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                             MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int o0, int o1, int p0, int p1) {
                base.conv(cout, cin, packed, bias, act, x, xOff, ldx, r, rOff, y, yOff, ldy, o0, o1, p0, p1);
                long at = yOff + (long) (o1 - 1) * ldy + p1 - 1;
                y.setAtIndex(Gen.F32, at, y.getAtIndex(Gen.F32, at) + 1e-3f);
            }

            @Override
            public void convKxK(int cout, int cin, int kh, int kw, int st, float[] packed, float[] bias, Activation act, MemorySegment x,
                                long xOff, int hq, int wq, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0,
                                int o1, int r0, int r1) {
                base.convKxK(cout, cin, kh, kw, st, packed, bias, act, x, xOff, hq, wq, r, rOff, y, yOff, ldy, wo, o0, o1, r0, r1);
                long at = yOff + (long) (o1 - 1) * ldy + (long) (r1 - 1) * wo + wo - 1;
                y.setAtIndex(Gen.F32, at, y.getAtIndex(Gen.F32, at) + 1e-3f);
            }
        };
        NchwPointwiseKernels noResidual = new NchwPointwiseKernels() {
            @Override public String name() { return "broken"; }

            @Override public float[] pack(int cout, int cin, float[] w) { return base.pack(cout, cin, w); }

            @Override
            public void conv(int cout, int cin, float[] packed, float[] bias, Activation act, MemorySegment x, long xOff, int ldx,
                             MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int o0, int o1, int p0, int p1) {
                base.conv(cout, cin, packed, bias, act, x, xOff, ldx, null, 0, y, yOff, ldy, o0, o1, p0, p1);
            }

            @Override
            public void convKxK(int cout, int cin, int kh, int kw, int st, float[] packed, float[] bias, Activation act, MemorySegment x,
                                long xOff, int hq, int wq, MemorySegment r, long rOff, MemorySegment y, long yOff, int ldy, int wo, int o0,
                                int o1, int r0, int r1) {
                base.convKxK(cout, cin, kh, kw, st, packed, bias, act, x, xOff, hq, wq, null, 0, y, yOff, ldy, wo, o0, o1, r0, r1);
            }
        };
        assertThrows(AssertionError.class, () -> convMatchesSpec(offByOne, 7, 5, 33));
        assertThrows(AssertionError.class, () -> convMatchesSpec(noResidual, 13, 16, 49));
        assertThrows(AssertionError.class, () -> convKxKMatchesSpec(offByOne, 7, 3, 3, 3, 9, 2));
        assertThrows(AssertionError.class, () -> convKxKMatchesSpec(noResidual, 13, 5, 3, 3, 17, 1));
    }

    @Test
    void rejectsShortPackedWeights() {
        for (NchwPointwiseKernels k : implementations()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(4096);
                assertThrows(IllegalArgumentException.class,
                        () -> k.conv(7, 4, new float[10], null, null, s, 0, 16, null, 0, s, 0, 16, 0, 7, 0, 16), k.name());
            }
        }
    }
}
