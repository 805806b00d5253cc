package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.cnn.CnnModel;
import dev.minnow.models.cnn.ImageNetPreprocess;
import dev.minnow.nn.Ops;
import dev.minnow.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow classify}: ImageNet-style classification of one image with top-5 and latency. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify an image (antialiased resize 256, centre crop 224, ImageNet mean/std) and print the top-5.")
final class ClassifyCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "model.safetensors")
    Path model;

    @Option(names = "--arch", description = "architecture (default: detected)")
    String arch;

    @Option(names = "--image", required = true, description = "PNG/JPEG/BMP/GIF image")
    Path image;

    @Option(names = "--labels", description = "text file with one class name per line")
    Path labels;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--interpolation", defaultValue = "bilinear",
            description = "resize filter: bilinear, bicubic (both antialiased as torchvision/PIL) or bilinear-no-antialias (default: ${DEFAULT-VALUE})")
    String interpolation;

    @Option(names = "--repeat", defaultValue = "5", description = "timed runs (default: ${DEFAULT-VALUE})")
    int repeat;

    @Override
    public Integer call() throws IOException {
        Timing.threads(threads);
        BufferedImage img = ImageIO.read(image.toFile());
        if (img == null) {
            throw new IllegalArgumentException(image + ": not an image format ImageIO can decode");
        }
        List<String> names = labels == null ? null : Files.readAllLines(labels);
        Tensor x = ImageNetPreprocess.toTensor(img, 256, 224, ImageNetPreprocess.Interpolation.parse(interpolation));
        try (CnnModel m = CnnModel.load(model, arch)) {
            Timing.Result<Tensor> r = Timing.measure(1, repeat, () -> m.forward(x));
            Tensor probs = Ops.softmax(r.value());
            float[] p = probs.toFloatArray();
            int[] top = new int[Math.min(5, p.length)];
            dev.minnow.kernels.KernelProvider.get().topK(probs.segment(), 0, p.length, top.length, top);
            System.out.printf("%-5s %-8s %s%n", "rank", "prob", "class");
            for (int i = 0; i < top.length; i++) {
                String label = names != null && top[i] < names.size() ? top[i] + " " + names.get(top[i]) : Integer.toString(top[i]);
                System.out.printf("%-5d %-8.4f %s%n", i + 1, p[top[i]], label);
            }
            System.out.printf("%s, %d threads: %.2f ms median (%d runs)%n", m.arch().id(), Parallel.threads(), r.medianMs(), r.runs());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return 0;
    }
}
