package io.dnnvis.trace;

/** The path from the input to the target holds ops (or op settings) that no backward rule handles. */
public final class UnsupportedGraphException extends RuntimeException {

    public UnsupportedGraphException(String message) {
        super(message);
    }
}
