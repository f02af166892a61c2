package io.dnnvis.trace;

/** ONNX Runtime refused a model that dnnvis had accepted (bad input, not a dnnvis failure). */
public final class ModelRefusedException extends EngineException {

    public ModelRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
