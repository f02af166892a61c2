package io.dnnvis.cli;

import io.dnnvis.methods.BackwardMethod;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** {@code bench --method}: a backward net, layer occlusion, or an attribution method of {@code explain}. */
enum BenchMethod {
    DECONVNET(BackwardMethod.DECONVNET, null),
    SALINET(BackwardMethod.SALINET, null),
    DESALINET(BackwardMethod.DESALINET, null),
    OCCLUSION(null, null),
    GRADCAM(null, ExplainMethod.GRADCAM),
    GRADCAM_PLUS_PLUS(null, ExplainMethod.GRADCAM_PLUS_PLUS),
    XGRADCAM(null, ExplainMethod.XGRADCAM),
    LAYERCAM(null, ExplainMethod.LAYERCAM),
    HIRESCAM(null, ExplainMethod.HIRESCAM),
    GUIDED_GRADCAM(null, ExplainMethod.GUIDED_GRADCAM),
    SALIENCY(null, ExplainMethod.SALIENCY),
    INPUT_X_GRADIENT(null, ExplainMethod.INPUT_X_GRADIENT),
    INTEGRATED_GRADIENTS(null, ExplainMethod.INTEGRATED_GRADIENTS),
    SMOOTHGRAD(null, ExplainMethod.SMOOTHGRAD),
    SMOOTHGRAD_SQ(null, ExplainMethod.SMOOTHGRAD_SQ),
    VARGRAD(null, ExplainMethod.VARGRAD);

    private final BackwardMethod backward;
    private final ExplainMethod attribution;

    BenchMethod(BackwardMethod backward, ExplainMethod attribution) {
        this.backward = backward;
        this.attribution = attribution;
    }

    /** The backward net to time; empty for occlusion and attribution. */
    Optional<BackwardMethod> backward() {
        return Optional.ofNullable(backward);
    }

    /** The attribution method to time; empty for the backward nets and occlusion. */
    Optional<ExplainMethod> attribution() {
        return Optional.ofNullable(attribution);
    }

    /** Whether the method needs --layer. */
    boolean needsLayer() {
        return attribution == null || attribution.needsLayer();
    }

    /** The name the report gives it, as on the command line. */
    String label() {
        return attribution != null ? attribution.label() : ValueTypes.label(this);
    }

    static BenchMethod parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.label().equals(t)).findFirst()
                .orElseThrow(() -> new UserException("unknown method '" + text + "' ("
                        + ValueTypes.listing(Arrays.stream(values()).map(BenchMethod::label).toList()) + ")"));
    }
}
