package dev.minnow.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector arithmetic with results that do not depend on whether C2 has compiled the caller.
 *
 * <p>The Vector API leaves two things open that the kernels used to rely on, and both changed within a run:
 * <ul>
 * <li>{@code FloatVector.reduceLanes(ADD)} adds in an unspecified order: the Java fallback (interpreter, C1) adds
 *     lane 0, 1, 2 … in turn, C2's intrinsic adds a tree (for the same eight lanes, 8.0 cold and 0.0 warm);</li>
 * <li>{@code lanewise(EXP)} is {@code Math.exp} per lane cold and a vector math library stub warm, which rounds
 *     differently (softmax, SiLU, GELU and sigmoid changed bits); {@code lanewise(TANH)}, which did not show it in the
 *     same check, went too, as GELU-tanh = v / (1 + e^(−2u)).</li>
 * </ul>
 * So a kernel's last bits changed when its caller got compiled, and on a near-tie so could a sampled token.
 * Instead, the kernels fold lane sums with the shuffles of {@link #folds}, written out at each call site as
 * {@code for (f : FOLDS) v = v.add(v.rearrange(f))} (a helper that takes a vector boxes it wherever C2 declines to
 * inline it), and compute exp with {@link #exp}: lanewise additions, multiplications and bit operations only, whose
 * results the specification fixes. {@code LaneOrderTest} checks every f32 kernel cold against compiled.
 */
public final class VectorMath {
    private VectorMath() {}

    /**
     * The log2(lanes) shuffles that pair lane j with lane j ^ w, for w = lanes/2, lanes/4 … 1. Folding with them
     * leaves in lane 0 the pairwise tree sum, for eight lanes ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
     */
    @SuppressWarnings("unchecked")
    public static VectorShuffle<Float>[] folds(VectorSpecies<Float> species) {
        int lanes = species.length();
        VectorShuffle<Float>[] folds = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int i = 0; i < folds.length; i++) {
            int w = lanes >> (i + 1);
            folds[i] = VectorShuffle.fromOp(species, j -> j ^ w);
        }
        return folds;
    }

    // exp: x = n·ln2 + r with n = round(x·log2 e) and r = x − n·C1 − n·C2 (C1 has 9 bits, so n·C1 is exact for every
    // n reached here), e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (the classic single-precision minimax polynomial), then
    // two exponent multiplies 2^(n>>1)·2^(n−(n>>1)) so that overflow gives +inf and results below 2^-126 round once
    // into the subnormals.
    // (package-private: F32Kernels.expShiftedSum writes the same operations out)
    static final float LOG2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
    static final float ROUND = 0x1.8p23f, LO = -104f, HI = 89f;
    static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /**
     * e^x per lane, within 1 ulp of the exact value for results of at least 2^-126 (0.93 ulp at worst over every
     * 4096th float in [−110, 95], {@code VectorMathTest}) and within 2^-149 below: +inf above 88.73, 0 below −103.98,
     * NaN for NaN. The same bits cold and compiled, and on every width; no FMA, so machines without it agree too.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(LO).min(HI);
        FloatVector n = v.mul(LOG2E).add(ROUND).sub(ROUND); // round to nearest: |v·log2 e| < 2^22
        FloatVector r = v.sub(n.mul(C1)).sub(n.mul(C2));
        FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector k = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector h = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }
}
