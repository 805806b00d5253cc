/**
 * CNN and light-field latency harnesses (plain {@code main} programs, run outside the unit tests): MobileR2L at its
 * published sizes with random weights ({@link dev.minnow.bench.cnn.LightFieldBench}).
 */
package dev.minnow.bench.cnn;
