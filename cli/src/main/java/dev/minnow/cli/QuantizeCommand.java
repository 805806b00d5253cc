package dev.minnow.cli;

import dev.minnow.quant.GgufQuantizer;
import dev.minnow.quant.QuantMix;
import dev.minnow.tensor.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minnow quantize IN.gguf OUT.gguf TYPE [--pure]}: llama-quantize's presets, byte-identical output. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a GGUF model with llama.cpp's presets (same bytes as llama-quantize without an imatrix).")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "input GGUF (F32, F16 or BF16 weights)")
    Path in;

    @Parameters(index = "1", description = "output GGUF")
    Path out;

    @Parameters(index = "2", description = "preset: Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K F16 BF16 F32")
    String type;

    @Option(names = "--pure", description = "every 2-D weight in the preset's type (no per-tensor mix)")
    boolean pure;

    @Override
    public Integer call() {
        QuantMix.Preset preset = QuantMix.Preset.parse(type);
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("output " + out + " would overwrite the input");
        }
        long t0 = System.nanoTime();
        GgufQuantizer.Summary s = GgufQuantizer.quantize(in, out, preset, pure);
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (Map.Entry<DType, Integer> e : s.tensorsPerType().entrySet()) {
            System.out.printf("%-6s %4d tensors%n", e.getKey(), e.getValue());
        }
        System.out.printf("%s -> %s: %.2f MB -> %.2f MB (%s%s) in %.2f s%n", in.getFileName(), out.getFileName(),
                s.bytesIn() / 1e6, s.bytesOut() / 1e6, preset, pure ? ", pure" : "", seconds);
        return 0;
    }
}
