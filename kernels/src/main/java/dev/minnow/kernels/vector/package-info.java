/**
 * Vector API ({@code jdk.incubator.vector}) kernels. The only package in Minnow that imports the incubator
 * module. Each method's result must agree with {@link dev.minnow.kernels.scalar.ScalarKernels} within the
 * bound its test states.
 *
 * <p>How the code is laid out, and why. C2 turns Vector API calls into SIMD instructions only when the species is a
 * compile-time constant, i.e. a {@code static final}; a species in an instance field makes every operation allocate
 * (measured: 1.5 instead of 58 GFLOPS). So the kernels are written once as templates ({@code F32Kernels},
 * {@code GemmF32}) whose species is {@code static final}, and {@code Specializer} loads a hidden copy of each per
 * (width, FMA); {@link dev.minnow.kernels.vector.VectorKernels} is the public face that forwards to its copy. Hot
 * loops call the Vector API directly and stay small: a helper that returns a vector, or a method grown past C2's
 * inlining budget, gets its vectors boxed.
 *
 * <pre>{@code
 * Kernels k = new VectorKernels(256, true);       // what KernelProvider.get() picks on AVX2 + FMA
 * MachineProbe.Rate peak = MachineProbe.fmaPeak(256, 1, 250, 5);      // GFLOPS, one thread
 * MachineProbe.Rate bw = MachineProbe.readBandwidth(256, 2, 1L << 30, 3); // GB/s, two threads
 * }</pre>
 */
package dev.minnow.kernels.vector;
