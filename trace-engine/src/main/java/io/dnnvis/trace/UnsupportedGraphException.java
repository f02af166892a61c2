package io.dnnvis.trace;

import io.dnnvis.onnx.UserErrorException;

/** The path from the input to the target holds ops (or op settings) that no backward rule handles. */
public final class UnsupportedGraphException extends UserErrorException {

    public UnsupportedGraphException(String message) {
        super(message);
    }
}
