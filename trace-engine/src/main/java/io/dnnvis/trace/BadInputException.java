package io.dnnvis.trace;

import io.dnnvis.onnx.UserErrorException;

/** An input tensor the model cannot take (wrong rank, size or name), or an unreadable input file. */
public class BadInputException extends UserErrorException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
