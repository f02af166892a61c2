package io.dnnvis.trace;

/** ONNX Runtime could not build or run a session; the message is one line for the user. */
public class EngineException extends RuntimeException {

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
