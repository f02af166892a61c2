package io.dnnvis.trace;

import io.dnnvis.onnx.UserErrorException;

/**
 * A run whose tensors, at the input shape given, would be larger than {@link EngineOptions#maxTensorBytes()}
 * or than the memory available, refused before anything is allocated (see {@link ActivationCheck}).
 */
public final class TensorTooLargeException extends UserErrorException {

    public TensorTooLargeException(String message) {
        super(message);
    }
}
