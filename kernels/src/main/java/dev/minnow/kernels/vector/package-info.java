/**
 * Vector API ({@code jdk.incubator.vector}) kernels. The only package in Minnow that imports the incubator
 * module. Each method's result must agree with {@link dev.minnow.kernels.scalar.ScalarKernels} within the
 * bound its test states.
 */
package dev.minnow.kernels.vector;
