package io.dnnvis.trace.backward;

import io.dnnvis.trace.TensorValue;
import java.util.Map;

/**
 * The outcome of one run of a compiled backward graph.
 *
 * @param reconstruction the signal at the model input, {@code [B, C, H, W]}
 * @param target the forward value of the target tensor
 * @param signals the signal at each tensor on the path ({@code [B] ++ shape}), when requested
 */
public record BackwardResult(TensorValue reconstruction, TensorValue target, Map<String, TensorValue> signals) {

    public BackwardResult {
        signals = Map.copyOf(signals);
    }
}
