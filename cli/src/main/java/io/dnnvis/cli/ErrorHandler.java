package io.dnnvis.cli;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.InvalidModelException;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.onnx.UnknownLayerException;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.ModelRefusedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps every failure to an exit code and one line on stderr, in one place: user errors (bad
 * model, input, layer, option) exit 2; everything else exits 1, with the stack trace only under
 * {@code --verbose}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + oneLine(e.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        err.flush();
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        int code = exitCode(e);
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ParameterException pe) {
            return handleParseException(pe, new String[0]);
        }
        err.println("error: " + (code == FAILURE && !(e instanceof EngineException) ? "internal error: " : "")
                + oneLine(message));
        if (verbose(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static int exitCode(Throwable e) {
        if (e instanceof InvalidModelException || e instanceof UnknownLayerException || e instanceof BadInputException
                || e instanceof ModelRefusedException || e instanceof UserException || e instanceof BadRequestException
                || e instanceof UnsupportedGraphException) {
            return BAD_INPUT;
        }
        return FAILURE;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
