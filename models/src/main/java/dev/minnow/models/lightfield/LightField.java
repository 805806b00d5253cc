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
        if (camera.encodedChannels() != network.inChannels()) {
            throw new IllegalArgumentException("camera encodes " + camera.encodedChannels() + " channels (K=" + camera.samples() + ", L="
                    + camera.frequencies() + ") but the network takes " + network.inChannels());
        }
        Tensor rgb = network.forward(Rays.encode(camera));
        return new RgbImage((int) rgb.dim(2), (int) rgb.dim(3), rgb.toFloatArray());
    }

    @Override
    public void close() { file.close(); }
}
