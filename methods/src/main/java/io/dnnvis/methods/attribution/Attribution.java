package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.trace.TensorValue;
import java.util.Objects;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of an attribution request on one image; holds its values (usable after the
 * {@code Visualizer} is closed).
 *
 * @param request what ran
 * @param target the target as resolved on the model output (for {@code top}: the image's top class)
 * @param score the target's score s(x), the raw output (no softmax)
 * @param tensor the attribution: {@code [1, h, w]} or {@code [1, H, W]} maps, {@code [1, C, H, W]}
 *     input-space attributions (NCHW whatever the model's layout)
 * @param convergenceDelta Integrated Gradients' {@code sum(attribution) - (s(x) - s(b))}; empty otherwise
 */
public record Attribution(AttributionRequest request, TargetSelection target, double score, TensorValue tensor,
        OptionalDouble convergenceDelta) {

    public Attribution {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(convergenceDelta, "convergenceDelta");
    }

    /** The attribution as a new ND4J array. */
    public INDArray values() {
        return tensor.toINDArray();
    }

    /** How the resolved target reads, e.g. {@code class:17}. */
    public String targetLabel() {
        return target.target().toString();
    }
}
