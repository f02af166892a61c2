package io.dnnvis.onnx;

import java.nio.file.Path;

/**
 * A model file that dnnvis refuses: unreadable, not ONNX, malformed, unsafe or unsupported.
 * The message is one line, {@code "<file>: <problem>"}, fit to show a user as is.
 */
public final class InvalidModelException extends UserErrorException {

    private final transient Path file;
    private final String problem;

    public InvalidModelException(Path file, String problem) {
        this(file, problem, null);
    }

    public InvalidModelException(Path file, String problem, Throwable cause) {
        super((file == null ? "<model>" : file.toString()) + ": " + problem, cause);
        this.file = file;
        this.problem = Quoted.line(problem);
    }

    /** The model file, as the caller named it. */
    public Path file() {
        return file;
    }

    /** The problem without the file name, on one line like the message. */
    public String problem() {
        return problem;
    }

    /** A name from the model as messages quote it ({@link Quoted#name}). */
    static String oneLine(String text) {
        return Quoted.name(text);
    }
}
