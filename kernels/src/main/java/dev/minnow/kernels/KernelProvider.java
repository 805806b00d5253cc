package dev.minnow.kernels;

import dev.minnow.kernels.scalar.ScalarKernels;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link Kernels} implementation once per JVM, Lucene-style: the Vector API one only when
 * {@code jdk.incubator.vector} is resolvable, C2 is running and the preferred species is at least 128 bits;
 * otherwise the scalar specification. The choice and its reason are logged once to stderr (unless
 * {@code minnow.quiet=true}).
 *
 * <p>System properties: {@code minnow.kernels=scalar|vector} (force), {@code minnow.vectorBits=128|256|512}
 * (species width; wider than the hardware runs correctly but slowly), {@code minnow.threads=N}.
 */
public final class KernelProvider {
    /** Name of the JDK module that holds the Vector API. */
    public static final String VECTOR_MODULE = "jdk.incubator." + "vector";

    private static volatile Kernels instance;
    private static volatile String reason = "";

    private KernelProvider() {}

    /** The process-wide kernels. */
    public static Kernels get() {
        Kernels k = instance;
        if (k == null) {
            synchronized (KernelProvider.class) {
                k = instance;
                if (k == null) {
                    k = choose();
                    instance = k;
                    if (!Boolean.getBoolean("minnow.quiet")) {
                        System.err.println("minnow: kernels " + k.name() + " (" + reason + "), threads " + Parallel.threads());
                        if (k.vectorBits() > 0 && withoutLoopStripMining(gcNames(),
                                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())) {
                            System.err.println("minnow: warning: this JVM runs without loop strip mining (Parallel or Serial GC"
                                    + " without -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000): C2 compiles the CNN"
                                    + " kernels up to 2.3x slower; add those two flags or use G1");
                        }
                    }
                }
            }
        }
        return k;
    }

    /**
     * The quantized-dot kernels matching {@link #get()}: the Vector API twin when the f32 kernels are vector ones
     * (its width is fixed at class initialization from the same {@code minnow.vectorBits}), otherwise the scalar
     * specification.
     */
    public static QuantKernels quant() {
        QuantKernels q = quantInstance;
        if (q == null) {
            Kernels k = get();
            q = k.vectorBits() == 0 ? dev.minnow.kernels.scalar.ScalarQuantKernels.INSTANCE
                    : VectorFactory.createQuant(cpuHasFma());
            quantInstance = q;
        }
        return q;
    }

    private static volatile QuantKernels quantInstance;

    private static java.util.List<String> gcNames() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList();
    }

    /**
     * Whether a JVM with these collectors ({@code GarbageCollectorMXBean} names) and command-line flags compiles
     * counted loops without strip mining: the Parallel and Serial collectors turn {@code UseCountedLoopSafepoints}
     * off unless the flags ask for it (G1, the default, and ZGC keep it on). Without it C2 compiled the heap-array
     * CNN kernels up to 2.3× slower (BENCHMARKS.md, session 8). Package-private for tests.
     */
    static boolean withoutLoopStripMining(java.util.List<String> gcs, java.util.List<String> jvmArgs) {
        boolean parallelOrSerial = gcs.stream().anyMatch(n -> n.startsWith("PS ") || n.equals("Copy") || n.equals("MarkSweepCompact"));
        if (!parallelOrSerial) {
            return false;
        }
        boolean safepoints = false, stripIter = false;
        for (String a : jvmArgs) {
            if (a.equals("-XX:+UseCountedLoopSafepoints")) {
                safepoints = true;
            } else if (a.equals("-XX:-UseCountedLoopSafepoints")) {
                safepoints = false;
            } else if (a.startsWith("-XX:LoopStripMiningIter=")) {
                stripIter = !a.substring("-XX:LoopStripMiningIter=".length()).trim().equals("0");
            }
        }
        return !(safepoints && stripIter);
    }

    /**
     * The sparse-decoding kernels matching {@link #get()} and {@link #quant()}: the Vector API twin (on the same dense
     * kernels) when those are vector ones, otherwise the scalar specification.
     */
    public static SparseKernels sparse() {
        SparseKernels s = sparseInstance;
        if (s == null) {
            Kernels k = get();
            s = k.vectorBits() == 0 ? dev.minnow.kernels.scalar.ScalarSparseKernels.INSTANCE
                    : VectorFactory.createSparse(k, quant(), cpuHasFma());
            sparseInstance = s;
        }
        return s;
    }

    private static volatile SparseKernels sparseInstance;

    /** Why {@link #get()} chose what it chose. */
    public static String reason() {
        get();
        return reason;
    }

    /** The scalar specification. */
    public static Kernels scalar() { return ScalarKernels.INSTANCE; }

    /**
     * A Vector API implementation at {@code bits} (128, 256 or 512) regardless of the platform; throws
     * {@link UnsupportedOperationException} when the incubator module is not resolvable.
     */
    public static Kernels vector(int bits) {
        if (!vectorModulePresent()) {
            throw new UnsupportedOperationException("jdk.incubator.vector is not resolvable: run with --add-modules jdk.incubator.vector");
        }
        return VectorFactory.create(bits, cpuHasFma());
    }

    /** Bit width of the hardware-preferred species, or 0 without the Vector API. */
    public static int preferredVectorBits() {
        return vectorModulePresent() ? VectorFactory.preferredBits() : 0;
    }

    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()
                || KernelProvider.class.getModule().getLayer() != null
                   && KernelProvider.class.getModule().getLayer().findModule(VECTOR_MODULE).isPresent();
    }

    private static Kernels choose() {
        return choose(System.getProperty("minnow.kernels", ""), System.getProperty("minnow.vectorBits", ""));
    }

    /** The choice for given property values (package-private for tests); sets {@link #reason}. */
    static Kernels choose(String forcedProp, String bitsPropRaw) {
        String forced = forcedProp.trim().toLowerCase(Locale.ROOT);
        String bitsProp = bitsPropRaw.trim();
        if (!forced.isEmpty() && !forced.equals("scalar") && !forced.equals("vector")) {
            throw new IllegalArgumentException("minnow.kernels must be 'scalar' or 'vector', got '" + forced + "'");
        }
        if (forced.equals("scalar")) {
            reason = "forced by minnow.kernels=scalar";
            return scalar();
        }
        if (!vectorModulePresent()) {
            reason = "jdk.incubator.vector not resolvable; add --add-modules jdk.incubator.vector";
            return scalar();
        }
        int preferred = VectorFactory.preferredBits();
        int bits = preferred;
        if (!bitsProp.isEmpty()) {
            try {
                bits = Integer.parseInt(bitsProp);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("minnow.vectorBits must be 128, 256 or 512, got '" + bitsProp + "'");
            }
            if (bits != 128 && bits != 256 && bits != 512) {
                throw new IllegalArgumentException("minnow.vectorBits must be 128, 256 or 512, got " + bits);
            }
        }
        if (!forced.equals("vector")) {
            if (!c2Enabled()) {
                reason = "C2 is not running (-Xint or TieredStopAtLevel<4): vector code would be slower";
                return scalar();
            }
            if (preferred < 128) {
                reason = "preferred species is " + preferred + " bits (< 128)";
                return scalar();
            }
        }
        boolean fma = cpuHasFma();
        reason = (forced.equals("vector") ? "forced" : "auto") + ", preferred species " + preferred + " bits"
                + (bits != preferred ? ", using " + bits + " by minnow.vectorBits" : "")
                + (fma ? ", FMA" : ", no FMA: mul+add");
        return VectorFactory.create(bits, fma);
    }

    private static boolean c2Enabled() {
        try {
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String a : args) {
                if (a.equals("-Xint") || a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4") || a.equals("-XX:-UseCompiler")) {
                    return false;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
        String info = System.getProperty("java.vm.info", "");
        return !info.contains("interpreted mode");
    }

    /** FMA is fast on aarch64 and on x86 with the fma flag; elsewhere Vector API fma falls back to slow code. */
    public static boolean cpuHasFma() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return true;
        }
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            if (Files.isReadable(cpuinfo)) {
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("flags")) {
                        return (" " + line + " ").contains(" fma ");
                    }
                }
            }
        } catch (Exception e) {
            // fall through
        }
        return true; // macOS/Windows x86: every CPU that runs JDK 25 well has FMA (Haswell+/Zen)
    }

    /** Indirection so that the vector classes load only after the module check. */
    private static final class VectorFactory {
        static Kernels create(int bits, boolean fma) {
            return new dev.minnow.kernels.vector.VectorKernels(bits, fma);
        }

        static int preferredBits() {
            return dev.minnow.kernels.vector.VectorKernels.preferredBits();
        }

        static QuantKernels createQuant(boolean fma) {
            return new dev.minnow.kernels.vector.VectorQuantKernels(fma);
        }

        static SparseKernels createSparse(Kernels k, QuantKernels q, boolean fma) {
            return new dev.minnow.kernels.vector.VectorSparseKernels(k, q, fma);
        }
    }
}
