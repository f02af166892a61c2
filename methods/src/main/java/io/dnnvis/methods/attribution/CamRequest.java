package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Objects;
import java.util.Optional;

/**
 * A class activation map ({@link CamMethod}) of {@code target} at {@code layer}, a 4-D layer
 * {@code [1, C, h, w]}; the result is {@code [1, h, w]}, or {@code [1, H, W]} at input resolution.
 */
public record CamRequest(CamMethod cam, Optional<Target> target, String layer, CamResolution resolution)
        implements AttributionRequest {

    public CamRequest {
        Objects.requireNonNull(cam, "cam");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(resolution, "resolution");
        if (layer == null || layer.isBlank()) {
            throw new BadRequestException(cam.label() + " needs a layer (--layer)");
        }
        Requests.refuseNeuronTarget(target);
    }

    /** {@code cam} of the top class at {@code layer}, at layer resolution. */
    public static CamRequest of(CamMethod cam, String layer) {
        return new CamRequest(cam, Optional.empty(), layer, CamResolution.LAYER);
    }

    public CamRequest target(Target t) {
        return new CamRequest(cam, Optional.of(t), layer, resolution);
    }

    public CamRequest at(CamResolution r) {
        return new CamRequest(cam, target, layer, r);
    }

    @Override
    public String method() {
        return cam.label();
    }
}
