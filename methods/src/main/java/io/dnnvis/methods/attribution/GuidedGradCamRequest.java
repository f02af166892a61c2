package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * Guided Grad-CAM: the Grad-CAM map of {@code target} at {@code layer}, at input resolution, times
 * guided backpropagation (DeSaliNet started with 1 at the target); {@code [1, C, H, W]}.
 */
public record GuidedGradCamRequest(Optional<Target> target, String layer) implements AttributionRequest {

    public GuidedGradCamRequest {
        Objects.requireNonNull(target, "target");
        if (layer == null || layer.isBlank()) {
            throw new BadRequestException("guided-gradcam needs a layer (--layer)");
        }
        Requests.refuseNeuronTarget(target);
    }

    public static GuidedGradCamRequest of(String layer) {
        return new GuidedGradCamRequest(Optional.empty(), layer);
    }

    public GuidedGradCamRequest target(Target t) {
        return new GuidedGradCamRequest(Optional.of(t), layer);
    }

    @Override
    public String method() {
        return "guided-gradcam";
    }
}
