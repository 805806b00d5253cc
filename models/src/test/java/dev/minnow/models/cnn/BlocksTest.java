package dev.minnow.models.cnn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.nn.Conv2d;
import dev.minnow.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which inverted-residual bodies the builders run with channel-blocked interiors. */
class BlocksTest {

    private static Conv2d pw(int in, int out) {
        return Conv2d.of(Tensor.of(new float[in * out], out, in, 1, 1), null, 1, 0, 1, 1);
    }

    private static Conv2d dw(int c) {
        return Conv2d.of(Tensor.of(new float[c * 9], c, 1, 3, 3), null, 1, 1, 1, c);
    }

    @Test
    void expandDepthwiseProjectGoesBlockedInside() {
        List<Conv2d> b = Blocks.blockedInterior(List.of(pw(16, 96), dw(96), pw(96, 24)));
        assertTrue(b.get(0).nchwcOutput() && b.get(1).nchwcOutput(), "expansion and depthwise write blocked");
        assertFalse(b.get(2).nchwcOutput(), "the projection writes NCHW: the block's output stays NCHW");
    }

    @Test
    void shallowOrOtherBodiesStayNchw() {
        List<Conv2d> shallowIn = List.of(pw(8, 48), dw(48), pw(48, 16));   // 8 channels in, 48 into the projection
        assertSame(shallowIn, Blocks.blockedInterior(shallowIn));
        List<Conv2d> noExpansion = List.of(dw(32), pw(32, 16));
        assertSame(noExpansion, Blocks.blockedInterior(noExpansion));
        List<Conv2d> notDepthwise = List.of(pw(16, 96), pw(96, 96), pw(96, 24));
        assertSame(notDepthwise, Blocks.blockedInterior(notDepthwise));
    }
}
