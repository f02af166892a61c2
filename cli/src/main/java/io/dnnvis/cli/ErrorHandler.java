package io.dnnvis.cli;

import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.UnknownLayerException;
import io.dnnvis.onnx.UserErrorException;
import io.dnnvis.trace.EngineException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * Maps every failure to an exit code and one line on stderr, in one place. Bad input exits 2: a
 * command line picocli refuses, an option value that does not convert (the line names the option),
 * or a {@link UserErrorException} (bad model, input, layer, option, output path; a layer the model
 * does not have is named with the model file). Everything else
 * exits 1, with the stack trace only under {@code --verbose}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    /**
     * picocli starts some of its messages with "Error: " (and a wrapped message may carry its own):
     * the line says "error: " once, so any such prefixes at its start are dropped.
     */
    private static final java.util.regex.Pattern ERROR_PREFIX = java.util.regex.Pattern.compile(
            "^(?:\\s*(?i:error)\\s*:\\s*)+");

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("error: " + describe(e));
        err.flush();
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        if (e instanceof ParameterException pe) {
            return handleParseException(pe, new String[0]);
        }
        PrintWriter err = cmd.getErr();
        int code = exitCode(e);
        String message = withoutErrorPrefix(oneLine(e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage()));
        if (code == BAD_INPUT) {
            err.println("error: " + (e instanceof UnknownLayerException ? modelPrefix(parsed) : "") + message);
        } else {
            // ONNX Runtime's failures are the engine's, not a dnnvis bug
            err.println("error: " + (e instanceof EngineException ? "" : "internal error: ") + message);
            if (verbose(parsed)) {
                e.printStackTrace(err);
            }
        }
        err.flush();
        return code;
    }

    /** 2 for what the user gave wrong, 1 for the rest. */
    static int exitCode(Throwable e) {
        return e instanceof UserErrorException ? BAD_INPUT : FAILURE;
    }

    /**
     * The line for a refused command line: {@code --option: problem} for a value that does not
     * convert (the problem lists what is valid), else picocli's message and where to find help.
     */
    static String describe(ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        if (arg != null && e.getCause() instanceof TypeConversionException bad) {
            String name = arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
            return name + ": " + withoutErrorPrefix(oneLine(bad.getMessage()));
        }
        String message = withoutErrorPrefix(oneLine(e.getMessage()));
        return message + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')";
    }

    /**
     * {@code "MODEL: "} for the model file the command was given, else "": a layer name the model does
     * not have is a problem of that file, and the line names it.
     */
    static String modelPrefix(ParseResult parsed) {
        String model = null;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (PositionalParamSpec positional : p.matchedPositionals()) {
                if ("MODEL".equals(positional.paramLabel()) && positional.getValue() != null) {
                    model = positional.getValue().toString();
                }
            }
        }
        return model == null ? "" : oneLine(model) + ": ";
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** {@code message} without "Error: " (any case, repeated) at its start: the line adds one "error: ". */
    static String withoutErrorPrefix(String message) {
        return ERROR_PREFIX.matcher(message).replaceFirst("");
    }

    /** One line of readable length ({@link Quoted#line}): a message is never a screenful. */
    static String oneLine(String s) {
        return Quoted.line(s);
    }
}
