package io.dnnvis.cli;

import java.io.PrintWriter;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns a Java heap exhausted during a command (picocli lets errors through its exception handler)
 * into one line on stderr and exit code 1, instead of a stack trace. By the time it is caught the
 * command's large arrays are garbage, so printing the line is safe.
 */
final class MemoryGuard implements IExecutionStrategy {

    private final IExecutionStrategy next;

    MemoryGuard(IExecutionStrategy next) {
        this.next = next;
    }

    @Override
    public int execute(ParseResult parsed) throws ExecutionException, ParameterException {
        try {
            return next.execute(parsed);
        } catch (OutOfMemoryError e) {
            PrintWriter err = parsed.commandSpec().commandLine().getErr();
            err.println(message(Runtime.getRuntime().maxMemory()));
            err.flush();
            return ErrorHandler.FAILURE;
        }
    }

    static String message(long maxHeap) {
        return "error: out of memory (Java heap of " + (maxHeap >> 20) + " MiB): ask for less (fewer neurons,"
                + " e.g. --neuron top:K; a smaller --batch) or give Java more (DNNVIS_JAVA_OPTS=-Xmx8g)";
    }
}
