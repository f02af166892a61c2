package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One gradient of the score with respect to the input, shown as {@code saliency} (Simonyan et al.
 * 2013: the maximum over channels of |ds/dx|, {@code [1, H, W]}) or {@code input-x-gradient}
 * ({@code x * ds/dx}, {@code [1, C, H, W]}).
 */
public record GradientRequest(Kind kind, Optional<Target> target) implements AttributionRequest {

    public enum Kind {
        SALIENCY("saliency"), INPUT_X_GRADIENT("input-x-gradient");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Kind parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.label.equals(t)) {
                    return k;
                }
            }
            throw new BadRequestException("'" + text + "' is not a gradient method (saliency, input-x-gradient)");
        }
    }

    public GradientRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Requests.refuseNeuronTarget(target);
    }

    public static GradientRequest saliency() {
        return new GradientRequest(Kind.SALIENCY, Optional.empty());
    }

    public static GradientRequest inputXGradient() {
        return new GradientRequest(Kind.INPUT_X_GRADIENT, Optional.empty());
    }

    public GradientRequest target(Target t) {
        return new GradientRequest(kind, Optional.of(t));
    }

    @Override
    public String method() {
        return kind.label();
    }
}
