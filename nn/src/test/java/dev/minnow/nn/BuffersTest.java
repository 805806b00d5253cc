package dev.minnow.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.minnow.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BuffersTest {
    private static Tensor filled(float v, Tensor[] keep) {
        Tensor a = Buffers.f32(1000);
        float[] before = a.toFloatArray();
        for (float f : before) {
            assertEquals(0f, f, "pooled buffers come back zero-filled");
        }
        keep[0] = a;
        float[] data = new float[1000];
        Arrays.fill(data, v);
        java.lang.foreign.MemorySegment.copy(data, 0, a.segment(), Tensor.F32_LE, 0, 1000);
        return a;
    }

    @Test
    void recyclingReusesBuffersButNotResults() {
        Tensor[] first = new Tensor[1], second = new Tensor[1];
        Tensor r1 = Buffers.recycling(() -> filled(1f, first));
        Tensor r2 = Buffers.recycling(() -> filled(2f, second));
        assertEquals(first[0].segment().address(), second[0].segment().address(), "the second pass reuses the first's buffer");
        assertNotEquals(first[0].segment().address(), r1.segment().address(), "the result is copied out of the pool");
        for (float f : r1.toFloatArray()) {
            assertEquals(1f, f, "a returned result is never overwritten by a later pass");
        }
        for (float f : r2.toFloatArray()) {
            assertEquals(2f, f);
        }
        // nested calls share the outer pool and outside any pass nothing is pooled
        Tensor nested = Buffers.recycling(() -> Buffers.recycling(() -> filled(3f, new Tensor[1])));
        assertEquals(3f, nested.getFloat(999));
        Tensor a = Buffers.f32(1000), b = Buffers.f32(1000);
        assertNotEquals(a.segment().address(), b.segment().address());
    }
}
