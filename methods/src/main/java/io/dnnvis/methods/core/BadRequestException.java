package io.dnnvis.methods.core;

/** A visualization request that cannot be served: a neuron out of range, a bad position, no neurons. */
public final class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
