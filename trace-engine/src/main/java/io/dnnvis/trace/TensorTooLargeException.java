package io.dnnvis.trace;

import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.UserErrorException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A run whose tensors, at the input shape given, would be larger than {@link EngineOptions#maxTensorBytes()}
 * or than the memory available, refused before anything is allocated (see {@link ActivationCheck}).
 */
public final class TensorTooLargeException extends UserErrorException {

    public TensorTooLargeException(String message) {
        super(message);
    }

    /**
     * One tensor of {@code model} over {@code limit} ({@link EngineOptions#maxTensorBytes()}): {@code bytes}
     * for its {@code shape}, the name cut to a readable length.
     */
    public static TensorTooLargeException overLimit(Path model, String tensor, long[] shape, long bytes, long limit) {
        return new TensorTooLargeException(model + ": tensor '" + Quoted.name(tensor) + "' of shape "
                + Arrays.toString(shape) + " needs " + bytes + " bytes, more than the limit of " + limit
                + " bytes (--max-tensor-bytes); use a smaller input or raise the limit");
    }
}
