package dev.minnow.kernels.vector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Gives each vector width its own copy of a kernel class, so that the species is a JIT-time constant.
 *
 * <p>Why: C2 compiles Vector API calls to SIMD instructions only when the species is a constant; a species held in
 * an instance field or passed as an argument makes every vector op allocate a box (measured here: 1.5 GFLOPS
 * instead of 58 for the same FMA loop). Only {@code static final} fields are constants, and Minnow needs 128-, 256-
 * and 512-bit kernels in one JVM (the property tests), so each template class below is loaded again as a hidden
 * class per (width, FMA) with that configuration as its class data, read into {@code static final} fields by
 * {@link #bits()} and {@link #fma()} in the template's static initialiser.
 *
 * <p>Templates must be self-contained: no nested classes or records (they would link to the original template, not
 * the copy), and lambdas must not capture {@code this} (the copy cannot be named in their descriptors); non-capturing
 * lambdas and lambdas over locals are fine.
 */
final class Specializer {
    private static final Map<String, Class<?>> CLASSES = new ConcurrentHashMap<>();

    private Specializer() {}

    /**
     * Configuration handed to a template copy: width in bits, whether to use FMA, and a small template-specific
     * variant number (0–127; e.g. the GEMM micro-kernel, see {@link GemmMicro}).
     */
    private static int encode(int bits, boolean fma, int variant) { return bits << 8 | variant << 1 | (fma ? 1 : 0); }

    /**
     * A new instance of {@code template}'s copy for ({@code bits}, {@code fma}), built with its no-argument constructor.
     */
    static <T> T instance(Class<? extends T> template, Class<T> type, int bits, boolean fma) {
        return instance(template, type, bits, fma, 0);
    }

    /** As {@link #instance(Class, Class, int, boolean)}, for the template's configuration {@code variant}. */
    static <T> T instance(Class<? extends T> template, Class<T> type, int bits, boolean fma, int variant) {
        if (variant < 0 || variant > 127) {
            throw new IllegalArgumentException("template variant must be 0..127, got " + variant);
        }
        Class<?> copy = CLASSES.computeIfAbsent(template.getName() + "/" + bits + "/" + fma + "/" + variant,
                key -> define(template, encode(bits, fma, variant)));
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(copy, MethodHandles.lookup());
            MethodHandle ctor = lookup.findConstructor(copy, MethodType.methodType(void.class));
            return type.cast(ctor.invoke());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot instantiate the " + bits + "-bit copy of " + template.getName(), e);
        }
    }

    private static Class<?> define(Class<?> template, int config) {
        String file = template.getSimpleName() + ".class";
        try (InputStream in = template.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("class file " + file + " not found next to " + template.getName());
            }
            byte[] bytes = in.readAllBytes();
            return MethodHandles.lookup().defineHiddenClassWithClassData(bytes, config, true).lookupClass();
        } catch (IOException | IllegalAccessException e) {
            throw new IllegalStateException("cannot specialise " + template.getName() + " for " + (config >> 8) + " bits", e);
        }
    }

    /**
     * The configuration of the calling template copy ({@code lookup} is the template's own), or the platform's
     * preferred width with FMA when the template was loaded as an ordinary class.
     */
    private static int config(MethodHandles.Lookup lookup) {
        try {
            Integer c = MethodHandles.classData(lookup, ConstantDescs.DEFAULT_NAME, Integer.class);
            return c != null ? c : encode(FloatVector.SPECIES_PREFERRED.vectorBitSize(), true, 0);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The species for the calling template copy; call from a {@code static final} initialiser. */
    static VectorSpecies<Float> species(MethodHandles.Lookup lookup) {
        return switch (config(lookup) >> 8) {
            case 64 -> FloatVector.SPECIES_64;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalStateException("unsupported width " + (config(lookup) >> 8));
        };
    }

    /** Whether the calling template copy uses FMA; call from a {@code static final} initialiser. */
    static boolean fma(MethodHandles.Lookup lookup) {
        return (config(lookup) & 1) != 0;
    }

    /** The template-specific variant of the calling copy (0 when loaded as an ordinary class). */
    static int variant(MethodHandles.Lookup lookup) {
        return config(lookup) >> 1 & 127;
    }
}
