package io.dnnvis.cli;

import io.dnnvis.methods.attribution.Baseline;
import io.dnnvis.methods.attribution.CamMethod;
import io.dnnvis.methods.attribution.CamRequest;
import io.dnnvis.methods.attribution.CamResolution;
import io.dnnvis.methods.attribution.GradientRequest;
import io.dnnvis.methods.attribution.GuidedGradCamRequest;
import io.dnnvis.methods.attribution.IntegratedGradientsRequest;
import io.dnnvis.methods.attribution.Quadrature;
import io.dnnvis.methods.attribution.SmoothGradMode;
import io.dnnvis.methods.attribution.SmoothGradRequest;
import io.dnnvis.methods.attribution.AttributionRequest;
import io.dnnvis.methods.core.Target;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The methods of {@code dnnvis explain}, by their command-line names; {@code all} is the figure's four. */
enum ExplainMethod {
    GRADCAM("gradcam", "Grad-CAM", true),
    GRADCAM_PLUS_PLUS("gradcam++", "Grad-CAM++", true),
    XGRADCAM("xgradcam", "XGrad-CAM", true),
    LAYERCAM("layercam", "LayerCAM", true),
    HIRESCAM("hirescam", "HiResCAM", true),
    GUIDED_GRADCAM("guided-gradcam", "Guided Grad-CAM", true),
    SALIENCY("saliency", "saliency", false),
    INPUT_X_GRADIENT("input-x-gradient", "Input x Gradient", false),
    INTEGRATED_GRADIENTS("integrated-gradients", "Int. Gradients", false),
    SMOOTHGRAD("smoothgrad", "SmoothGrad", false),
    SMOOTHGRAD_SQ("smoothgrad-sq", "SmoothGrad²", false),
    VARGRAD("vargrad", "VarGrad", false),
    ALL("all", "all", true);

    static final String NAMES = "gradcam, gradcam++, xgradcam, layercam, hirescam, guided-gradcam, saliency, "
            + "input-x-gradient, integrated-gradients, smoothgrad, smoothgrad-sq, vargrad or all";

    private final String label;
    private final String title;
    private final boolean needsLayer;

    ExplainMethod(String label, String title, boolean needsLayer) {
        this.label = label;
        this.title = title;
        this.needsLayer = needsLayer;
    }

    String label() {
        return label;
    }

    String title() {
        return title;
    }

    /** Whether the method works at a layer (the CAMs, Guided Grad-CAM, and the figure of all). */
    boolean needsLayer() {
        return needsLayer;
    }

    /** The methods run: this one, or for {@code all} those of the figure. */
    List<ExplainMethod> expanded() {
        return this == ALL ? List.of(GRADCAM, GUIDED_GRADCAM, SALIENCY, INTEGRATED_GRADIENTS) : List.of(this);
    }

    /** Whether the result is {@code >= 0} everywhere (drawn with a sequential colormap). */
    boolean nonNegative() {
        return switch (this) {
            case INPUT_X_GRADIENT, INTEGRATED_GRADIENTS, SMOOTHGRAD, GUIDED_GRADCAM -> false;
            default -> true;
        };
    }

    /** The settings of one explain run that the requests take. */
    record Settings(Optional<Target> target, String layer, CamResolution resolution, int steps, Quadrature quadrature,
            Baseline baseline, int samples, double noise, long seed, io.dnnvis.methods.core.Gates gates) {
    }

    AttributionRequest request(Settings s) {
        return switch (this) {
            case GRADCAM, GRADCAM_PLUS_PLUS, XGRADCAM, LAYERCAM, HIRESCAM ->
                    new CamRequest(CamMethod.parse(label), s.target(), s.layer(), s.resolution());
            case GUIDED_GRADCAM -> new GuidedGradCamRequest(s.target(), s.layer(), s.gates());
            case SALIENCY -> new GradientRequest(GradientRequest.Kind.SALIENCY, s.target());
            case INPUT_X_GRADIENT -> new GradientRequest(GradientRequest.Kind.INPUT_X_GRADIENT, s.target());
            case INTEGRATED_GRADIENTS -> new IntegratedGradientsRequest(s.target(), s.steps(), s.quadrature(),
                    s.baseline());
            case SMOOTHGRAD, SMOOTHGRAD_SQ, VARGRAD -> new SmoothGradRequest(s.target(), s.samples(), s.noise(),
                    s.seed(), SmoothGradMode.parse(label));
            case ALL -> throw new IllegalStateException("all is expanded first");
        };
    }

    static ExplainMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (ExplainMethod m : values()) {
            if (m.label.equals(t)) {
                return m;
            }
        }
        throw new UserException("unknown --method '" + text + "' (" + NAMES + ")");
    }
}
