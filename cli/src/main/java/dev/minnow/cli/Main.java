package dev.minnow.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code minnow <command>}. Errors print one line and exit non-zero. */
@Command(name = "minnow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Pure-Java neural-network inference (FFM + Vector API).",
        subcommands = {InfoCommand.class, DemoCommand.class, BenchCommand.class, RunCommand.class, ClassifyCommand.class,
            RenderCommand.class, QuantizeCommand.class, GenerateCommand.class, TokenizeCommand.class, LogitsCommand.class,
            SynthCommand.class, PerplexityCommand.class, SparsityCurveCommand.class, ChatCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (for tests). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            err.println("minnow " + cmd.getCommandName() + ": " + msg);
            if (Boolean.getBoolean("minnow.debug")) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, parsed) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("minnow: " + ex.getMessage() + " (see --help)");
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"minnow " + (v == null ? "0.1.0-SNAPSHOT" : v) + " on Java " + Runtime.version()};
        }
    }
}
