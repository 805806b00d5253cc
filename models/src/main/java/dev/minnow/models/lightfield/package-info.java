/**
 * Neural light fields: MobileR2L ({@link dev.minnow.models.lightfield.MobileR2L}) loaded by state_dict name, its
 * ray generation and positional encoding ({@link dev.minnow.models.lightfield.Rays},
 * {@link dev.minnow.models.lightfield.Camera}) and the {@link dev.minnow.models.lightfield.LightField} API that
 * renders an {@link dev.minnow.models.lightfield.RgbImage}. The float forward pass runs pixel-major (NHWC) with fused
 * convolutions ({@code NhwcR2L}); int8 plans use the layer-by-layer network ({@code MobileR2L.forwardLayers}).
 * Design notes: {@code shared/design/lightfield.md}.
 */
package dev.minnow.models.lightfield;
