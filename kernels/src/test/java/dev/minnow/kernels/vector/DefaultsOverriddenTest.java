package dev.minnow.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.kernels.Kernels;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every default method of {@link Kernels} (a scalar loop: the specification) has a vector implementation in the f32
 * kernel template. Session 18 removed {@code dotColumns} and {@code axpyRows} from it by accident along with a
 * neighbour, and attention ran the scalar defaults for four sessions with every test green, since a default agrees
 * with its specification.
 */
class DefaultsOverriddenTest {
    @Test
    void theVectorTemplateOverridesEveryDefault() {
        List<String> defaults = new ArrayList<>(), missing = new ArrayList<>();
        for (Method m : Kernels.class.getMethods()) {
            if (m.isDefault()) {
                defaults.add(m.getName());
                try {
                    F32Kernels.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName());
                }
            }
        }
        assertTrue(defaults.size() >= 4, "defaults found: " + defaults);
        assertTrue(missing.isEmpty(), "F32Kernels inherits the scalar default of " + missing);
    }
}
