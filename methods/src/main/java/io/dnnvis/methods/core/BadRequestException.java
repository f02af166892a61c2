package io.dnnvis.methods.core;

import io.dnnvis.onnx.UserErrorException;

/** A visualization request that cannot be served: a neuron out of range, a bad position, no neurons. */
public final class BadRequestException extends UserErrorException {

    public BadRequestException(String message) {
        super(message);
    }
}
