package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.lightfield.Camera;
import dev.minnow.models.lightfield.LightField;
import dev.minnow.models.lightfield.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow render}: one view of a MobileR2L light field, written as PNG. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Render a MobileR2L neural light field from an orbit camera and write a PNG.")
final class RenderCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "MobileR2L model.safetensors")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, description = "output PNG")
    Path output;

    @Option(names = "--azimuth", defaultValue = "30", description = "degrees (default: ${DEFAULT-VALUE})")
    double azimuth;

    @Option(names = "--elevation", defaultValue = "15", description = "degrees (default: ${DEFAULT-VALUE})")
    double elevation;

    @Option(names = "--radius", defaultValue = "4", description = "distance to the origin (default: ${DEFAULT-VALUE})")
    double radius;

    @Option(names = "--rays", defaultValue = "12x16", description = "ray grid HxW (default: ${DEFAULT-VALUE}); the image is the network's upscale (12 for LLFF) times that")
    String rays;

    @Option(names = "--focal", defaultValue = "14", description = "focal length in ray-grid pixels (default: ${DEFAULT-VALUE})")
    double focal;

    @Option(names = "--near", defaultValue = "2", description = "nearest sample depth (default: ${DEFAULT-VALUE})")
    double near;

    @Option(names = "--far", defaultValue = "6", description = "farthest sample depth (default: ${DEFAULT-VALUE})")
    double far;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--repeat", defaultValue = "5", description = "timed runs (default: ${DEFAULT-VALUE})")
    int repeat;

    @Override
    public Integer call() throws IOException {
        Timing.threads(threads);
        String[] hw = rays.toLowerCase().split("x");
        int h, w;
        try {
            h = Integer.parseInt(hw[0].trim());
            w = Integer.parseInt(hw[1].trim());
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--rays must be HxW like 12x16, got '" + rays + "'");
        }
        if (hw.length != 2 || h < 1 || w < 1 || (long) h * w > 1 << 20) {
            throw new IllegalArgumentException("--rays must be HxW with 1 <= H*W <= 1048576, got '" + rays + "'");
        }
        try (LightField lf = LightField.load(model)) {
            int k = 8, l = 6; // MobileR2L: 8 samples, 6 octaves → 312 channels
            Camera cam = Camera.orbit(radius, azimuth, elevation, h, w, focal, near, far, k, l);
            Timing.Result<RgbImage> r = Timing.measure(1, repeat, () -> lf.render(cam));
            if (!ImageIO.write(r.value().toBufferedImage(), "png", output.toFile())) {
                throw new IllegalArgumentException("no PNG writer available");
            }
            InfoCommand.row("network", lf.network().toString());
            InfoCommand.row("image", r.value().width() + "x" + r.value().height() + " -> " + output);
            InfoCommand.row("threads", Integer.toString(Parallel.threads()));
            InfoCommand.row("latency", String.format("%.2f ms/frame median (%d runs)", r.medianMs(), r.runs()));
        }
        return 0;
    }
}
