package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.Target;
import java.util.Optional;

/**
 * What to explain and how: one request type per method family, each an immutable value. The
 * target's score is the raw model output it names (no softmax); an empty target means the top class
 * of each image.
 */
public sealed interface AttributionRequest
        permits CamRequest, GuidedGradCamRequest, GradientRequest, IntegratedGradientsRequest, SmoothGradRequest {

    /** The score to explain; empty: the top class of the image (the model's first output, {@code [1, K]}). */
    Optional<Target> target();

    /** The method's name on the command line, e.g. {@code gradcam++}. */
    String method();

    /** How the target reads: {@code top} or the target's own spelling. */
    default String targetLabel() {
        return target().map(Object::toString).orElse("top");
    }
}
