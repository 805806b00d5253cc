package dev.minnow.cli;

import dev.minnow.kernels.KernelProvider;
import dev.minnow.kernels.Kernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.vector.GemmMicro;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code minnow info}: JDK, vector species, kernel provider, threads, CPU. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the JDK, vector width, kernels, threads and CPU.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Kernels k = KernelProvider.get();
        row("java", Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        row("vector module", KernelProvider.vectorModulePresent() ? KernelProvider.VECTOR_MODULE : "absent");
        row("preferred species", KernelProvider.preferredVectorBits() + " bits");
        row("kernels", k.name() + " (" + KernelProvider.reason() + ")");
        if (k.vectorBits() > 0) {
            GemmMicro g = GemmMicro.forWidth(k.vectorBits());
            row("gemm micro-kernel", g.id() + " (" + g.rows() + " rows x 2 vectors; -Dminnow.gemm.micro to change)");
        }
        row("threads", Parallel.threads() + " of " + Runtime.getRuntime().availableProcessors() + " processors");
        row("cpu", cpuModel());
        row("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return 0;
    }

    static void row(String k, String v) {
        System.out.printf("%-18s %s%n", k, v);
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
