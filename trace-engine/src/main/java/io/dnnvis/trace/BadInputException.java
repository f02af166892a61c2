package io.dnnvis.trace;

/** An input tensor the model cannot take (wrong rank, size or name), or an unreadable input file. */
public class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
