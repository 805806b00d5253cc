/**
 * Activation sparsity for decoding: which FFN neurons to keep, and FFNs that compute only those.
 *
 * <p>{@link dev.minnow.models.sparse.Sparsity} names a policy (dense, CoreInfer's sentence-wise core neurons,
 * CATS/TEAL-style magnitude thresholds, a static hot-neuron set); {@link dev.minnow.models.sparse.CoreNeurons}
 * implements the selections exactly as the CoreInfer reference code does them (see
 * {@code shared/design/sparse.md}); {@link dev.minnow.models.sparse.GatheredFfn} holds the contiguous copies of the
 * selected gate/up rows and down columns so that decode streams only the kept weights (F32);
 * {@link dev.minnow.models.sparse.SparseFfn} is the per-session state the Llama session calls, for every weight type,
 * on the kernels of {@link dev.minnow.kernels.SparseKernels}; {@link dev.minnow.models.sparse.SparseEval} measures
 * speed and quality (CLI: {@code minnow sparsity-curve}).
 */
package dev.minnow.models.sparse;
