package dev.minnow.models.lightfield;

import dev.minnow.models.cnn.StateDict;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.SafetensorsFile;
import java.nio.file.Path;

/**
 * A neural light field: camera → rays → positional encoding → {@link MobileR2L} → RGB image at
 * {@code upscale ×} the ray grid.
 *
 * <pre>{@code
 * try (LightField lf = LightField.load(Path.of("model.safetensors"))) {
 *     RgbImage img = lf.render(Camera.orbit(4, 30, 15, 12, 16, 14, 2, 6, 8, 6));
 *     ImageIO.write(img.toBufferedImage(), "png", new File("view.png"));
 * }
 * }</pre>
 */
public final class LightField implements AutoCloseable {
    private final SafetensorsFile file;
    private final MobileR2L network;

    private LightField(SafetensorsFile file, MobileR2L network) {
        this.file = file;
        this.network = network;
    }

    public static LightField load(Path path) {
        SafetensorsFile f = SafetensorsFile.open(path);
        try {
            try {
                return new LightField(f, MobileR2L.build(new StateDict(f, "mobile_r2l")));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new dev.minnow.tensor.io.ModelFormatException(path, -1, "mobile_r2l: " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public MobileR2L network() { return network; }

    /** Renders one view; the camera's encoding must give the network's input channels. */
    public RgbImage render(Camera camera) {
        check(camera);
        Tensor rgb = network.forwardPixelMajor(Rays.encodePixelMajor(camera), camera.height(), camera.width());
        return new RgbImage((int) rgb.dim(2), (int) rgb.dim(3), rgb.toFloatArray());
    }

    /**
     * Int8 post-training quantization of the network's convolutions (per-channel int8 weights, per-tensor uint8
     * inputs; the ConvTranspose2d upsampling tail stays float), calibrated on the rays of {@code views}.
     */
    public dev.minnow.nn.Int8Quantization.Plan quantizeInt8(java.util.List<Camera> views, dev.minnow.nn.Int8Quantization.Range range,
                                                            double percentile) {
        dev.minnow.nn.Int8Quantization.Calibration cal = dev.minnow.nn.Int8Quantization.calibration();
        for (Camera c : views) {
            cal.run(() -> renderLayers(c));
        }
        return cal.quantize(range, percentile);
    }

    /** {@link #render} with the planned convolutions in int8. */
    public RgbImage render(Camera camera, dev.minnow.nn.Int8Quantization.Plan plan) {
        return plan.run(() -> renderLayers(camera));
    }

    /** {@link #render} through the layer-by-layer network ({@link MobileR2L#forwardLayers}), where int8 plans apply. */
    RgbImage renderLayers(Camera camera) {
        check(camera);
        Tensor rgb = network.forwardLayers(Rays.encode(camera));
        return new RgbImage((int) rgb.dim(2), (int) rgb.dim(3), rgb.toFloatArray());
    }

    private void check(Camera camera) {
        if (camera.encodedChannels() != network.inChannels()) {
            throw new IllegalArgumentException("camera encodes " + camera.encodedChannels() + " channels (K=" + camera.samples() + ", L="
                    + camera.frequencies() + ") but the network takes " + network.inChannels());
        }
    }

    /** Peak signal-to-noise ratio in dB of {@code got} against {@code ref} (values in [0, 1]). */
    public static double psnr(RgbImage ref, RgbImage got) {
        float[] a = ref.data(), b = got.data();
        if (a.length != b.length) {
            throw new IllegalArgumentException("images differ in size");
        }
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            se += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(a.length / se);
    }

    @Override
    public void close() { file.close(); }
}
