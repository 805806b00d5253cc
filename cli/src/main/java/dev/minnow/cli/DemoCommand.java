package dev.minnow.cli;

import dev.minnow.bench.KernelBench;
import dev.minnow.models.cnn.CnnDemo;
import dev.minnow.models.lightfield.LightFieldDemo;
import dev.minnow.models.llm.LlmDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minnow demo}: a short tour on models Minnow makes itself (no downloads): the kernel figures of this machine,
 * then each model family written to a temporary file and loaded back through its real loader.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in demo: kernel figures, then each model family on models Minnow writes itself.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--skip-kernels", description = "Skip the kernel table (about 20 s).")
    boolean skipKernels;

    @Override
    public Integer call() {
        if (!skipKernels) {
            section("kernels: this machine's FMA peak and read bandwidth, and the kernels against them");
            KernelBench.run(System.out, true);
        }
        section("CNN: random-weight MobileNetV2 1.0 through safetensors");
        CnnDemo.run(System.out, 1.0, 10);
        section("light field: random-weight MobileR2L rendering an orbit");
        LightFieldDemo.run(System.out, 8);
        section("LLM: a synthesised Llama-architecture model written as GGUF, loaded back, generating");
        LlmDemo.run(System.out);
        return 0;
    }

    static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }
}
