package io.dnnvis.onnx;

/**
 * A problem with what the user gave (a model file, an input, an option, an output path) rather than
 * a failure of dnnvis: the message names the file or option and the problem on one line, fit to show
 * as is: one line of at most {@link Quoted#LINE_LENGTH} characters, names in it cut by {@link Quoted}. The command line reports it as that one line, without a stack trace, and exits with code 2.
 *
 * <p>The library's user errors extend it ({@link InvalidModelException}, {@link UnknownLayerException},
 * the trace engine's bad inputs and refused models, the methods' bad requests), so a caller tells them
 * from internal failures by this one type.
 */
public class UserErrorException extends RuntimeException {

    public UserErrorException(String message) {
        super(Quoted.line(message));
    }

    public UserErrorException(String message, Throwable cause) {
        super(Quoted.line(message), cause);
    }
}
