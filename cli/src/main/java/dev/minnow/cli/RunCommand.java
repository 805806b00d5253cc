package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import dev.minnow.models.cnn.CnnModel;
import dev.minnow.models.cnn.DigitsInt8;
import dev.minnow.models.lightfield.LightField;
import dev.minnow.models.onnx.OnnxGraph;
import dev.minnow.models.onnx.OnnxModel;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minnow run}: one forward pass of a CNN or light-field network on a .npy input, with latency. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a CNN (safetensors or ONNX) on an .npy input, write the output .npy and print the latency.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "model.safetensors (torchvision state_dict names) or model.onnx (opset <= 13)")
    Path model;

    @Option(names = "--arch", description = "mobilenet_v2, mobilenet_v3_small|large, squeezenet1_0|1_1, resnet18|34|50, mnasnet1_0, "
            + "digits, digits_int8, mobile_r2l (default: detected from the tensor names)")
    String arch;

    @Option(names = "--input", required = true, description = "input .npy (F32, NCHW)")
    Path input;

    @Option(names = "--output", description = "output .npy")
    Path output;

    @Option(names = "--threads", description = "kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--repeat", defaultValue = "10", description = "timed runs (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed warm-up runs (default: ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() {
        Timing.threads(threads);
        String name = model.getFileName().toString().toLowerCase(Locale.ROOT);
        Tensor x = Npy.read(input);
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        AutoCloseable owner = null;
        UnaryOperator<Tensor> net;
        String label;
        if (name.endsWith(".onnx")) {
            OnnxModel om = OnnxModel.open(model);
            owner = om;
            OnnxGraph g = new OnnxGraph(om);
            net = t -> g.run(t.rank() == 3 ? t.reshape(1, t.dim(0), t.dim(1), t.dim(2)) : t);
            label = "onnx, " + om.nodes().size() + " nodes, opset " + om.opset("");
        } else if (a.equals("digits_int8")) {
            DigitsInt8 q = DigitsInt8.load(model);
            net = q::forward;
            label = "digits_int8";
        } else if (a.equals("mobile_r2l") || a.equals("lightfield")) {
            LightField lf = LightField.load(model);
            owner = lf;
            net = t -> lf.network().forward(t.rank() == 3 ? t.reshape(1, t.dim(0), t.dim(1), t.dim(2)) : t);
            label = lf.network().toString();
        } else {
            CnnModel m = CnnModel.load(model, arch);
            owner = m;
            net = m::forward;
            label = m.arch().id();
        }
        try {
            Timing.Result<Tensor> r = Timing.measure(warmup, repeat, () -> net.apply(x));
            if (output != null) {
                Npy.write(output, r.value());
            }
            InfoCommand.row("model", label + " (" + model.getFileName() + ")");
            InfoCommand.row("input", Arrays.toString(x.shape()));
            InfoCommand.row("output", Arrays.toString(r.value().shape()) + (output != null ? " -> " + output : ""));
            InfoCommand.row("threads", Integer.toString(Parallel.threads()));
            InfoCommand.row("latency", String.format("%.2f ms median, %.2f ms min (%d runs)", r.medianMs(), r.minMs(), r.runs()));
            return 0;
        } finally {
            if (owner != null) {
                try {
                    owner.close();
                } catch (Exception ignored) {
                    // closing a mapping does not fail
                }
            }
        }
    }
}
