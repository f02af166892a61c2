package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * Guided Grad-CAM: the Grad-CAM map of {@code target} at {@code layer}, at input resolution, times
 * guided backpropagation (DeSaliNet started with 1 at the target; with {@link Gates#ALL} the guided
 * rule at every gate, not only Relu); {@code [1, C, H, W]}.
 */
public record GuidedGradCamRequest(Optional<Target> target, String layer, Gates gates) implements AttributionRequest {

    public GuidedGradCamRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(gates, "gates");
        if (layer == null || layer.isBlank()) {
            throw new BadRequestException("guided-gradcam needs a layer (--layer)");
        }
        Requests.refuseNeuronTarget(target);
    }

    /** Guided backpropagation's rule at Relu only. */
    public GuidedGradCamRequest(Optional<Target> target, String layer) {
        this(target, layer, Gates.RELU);
    }

    public static GuidedGradCamRequest of(String layer) {
        return new GuidedGradCamRequest(Optional.empty(), layer);
    }

    public GuidedGradCamRequest target(Target t) {
        return new GuidedGradCamRequest(Optional.of(t), layer, gates);
    }

    public GuidedGradCamRequest withGates(Gates g) {
        return new GuidedGradCamRequest(target, layer, g);
    }

    @Override
    public String method() {
        return "guided-gradcam";
    }
}
