/**
 * Mobile CNN classifiers loaded from torchvision-named safetensors state_dicts: MobileNetV2/V3, SqueezeNet,
 * ResNet, MNASNet and the fixtures' digits net (float and integer int8, {@link dev.minnow.models.cnn.DigitsInt8}).
 * Hyperparameters (widths, kernel sizes, groups, block counts) come from the tensor shapes; only what shapes cannot
 * show (strides, activations) follows each architecture's published table. BatchNorm is folded at load.
 *
 * <pre>{@code
 * try (CnnModel m = CnnModel.load(Path.of("model.safetensors"), "squeezenet1_1")) {
 *     Tensor logits = m.forward(Npy.read(Path.of("input.npy")));
 * }
 * }</pre>
 */
package dev.minnow.models.cnn;
