/**
 * Benchmarks. {@link dev.minnow.bench.KernelBench} measures the machine (FMA peak, read bandwidth) and each
 * kernel against it in the same run; the JMH benchmarks in {@code dev.minnow.bench.jmh} come in scalar/vector pairs.
 */
package dev.minnow.bench;
