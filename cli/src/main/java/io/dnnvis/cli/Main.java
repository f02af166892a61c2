package io.dnnvis.cli;

import javax.imageio.ImageIO;
import picocli.CommandLine;

/** Entry point of {@code dnnvis.jar}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        NativeLibraries.prepare();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 bad input). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        // PNGs are encoded in memory: ImageIO's default disk cache (java.io.tmpdir) fails obscurely
        // ("EOFException") when memory runs short and then leaves its temporary file behind
        ImageIO.setUseCache(false);
        CommandLine cl = new CommandLine(new DnnvisCommand());
        ValueTypes.registerOn(cl);
        ErrorHandler handler = new ErrorHandler();
        cl.setExecutionExceptionHandler(handler);
        cl.setParameterExceptionHandler(handler);
        cl.setExecutionStrategy(new MemoryGuard(cl.getExecutionStrategy()));
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }
}
