package io.dnnvis.trace;

import io.dnnvis.onnx.UserErrorException;

/** ONNX Runtime refused a model that dnnvis had accepted (bad input, not a dnnvis failure). */
public final class ModelRefusedException extends UserErrorException {

    public ModelRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
