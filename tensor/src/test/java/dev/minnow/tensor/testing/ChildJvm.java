package dev.minnow.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for tests that compare runs under other JVM flags (the lane-order tests): this JVM's {@code java} and
 * class path; then {@code flags}; then this JVM's {@code minnow.*} system properties, so that the suite's scalar run
 * reaches the child too; then {@code lastFlags}, which win over those; then the main class and its arguments.
 */
public final class ChildJvm {
    private final Process process;
    private final List<String> cmd;
    private final String label;
    private final long t0;

    private ChildJvm(Process process, List<String> cmd, String label, long t0) {
        this.process = process;
        this.cmd = cmd;
        this.label = label;
        this.t0 = t0;
    }

    /** Starts the child; read it with {@link #lines}. */
    public static ChildJvm start(List<String> flags, List<String> lastFlags, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("minnow.")).sorted()
                .forEach(p -> cmd.add("-D" + p + "=" + System.getProperty(p)));
        cmd.addAll(lastFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd, String.join(" ", lastFlags), System.nanoTime());
    }

    /**
     * The child's output lines, without the JVM's and Minnow's "WARNING"/"minnow:" notices, once it has exited with
     * status 0 within 180 s (the test fails otherwise); prints how long it ran under {@code lastFlags}.
     */
    public List<String> lines() throws IOException, InterruptedException {
        byte[] bytes = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the child JVM did not finish: " + cmd);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "the child JVM failed: " + cmd + "\n" + text);
        System.out.printf("child JVM %s: %.1f s%n", label, (System.nanoTime() - t0) / 1e9);
        return text.lines().filter(l -> !l.startsWith("WARNING") && !l.startsWith("minnow:")).toList();
    }
}
