/**
 * Minnow compute kernels: one {@link dev.minnow.kernels.Kernels} interface, a scalar specification
 * ({@code dev.minnow.kernels.scalar}) and a Vector API implementation ({@code dev.minnow.kernels.vector}),
 * chosen once at start-up by {@link dev.minnow.kernels.KernelProvider}.
 */
module dev.minnow.kernels {
    requires transitive dev.minnow.tensor;
    requires jdk.incubator.vector;
    requires java.management;
    exports dev.minnow.kernels;
    exports dev.minnow.kernels.scalar;
    exports dev.minnow.kernels.vector;
}
