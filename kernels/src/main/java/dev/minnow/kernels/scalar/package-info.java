/**
 * The scalar kernels: plain loops that are the specification every vector kernel is tested against.
 * Readability beats speed here; accumulation is in the obvious order.
 */
package dev.minnow.kernels.scalar;
