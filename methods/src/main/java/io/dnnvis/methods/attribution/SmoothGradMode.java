package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;

/**
 * What SmoothGrad keeps of the gradients g_1 … g_n at the noisy inputs (Captum's NoiseTunnel types):
 * their mean ({@code smoothgrad}), the mean of their squares ({@code smoothgrad-sq}), or their
 * variance, mean(g²) - mean(g)² ({@code vargrad}).
 */
public enum SmoothGradMode {
    SMOOTHGRAD("smoothgrad"),
    SMOOTHGRAD_SQ("smoothgrad-sq"),
    VARGRAD("vargrad");

    private final String label;

    SmoothGradMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The result per element from the sums of g and g² over {@code n} samples. */
    float combine(double sum, double sumOfSquares, int n) {
        double mean = sum / n;
        double meanOfSquares = sumOfSquares / n;
        return (float) switch (this) {
            case SMOOTHGRAD -> mean;
            case SMOOTHGRAD_SQ -> meanOfSquares;
            case VARGRAD -> meanOfSquares - mean * mean;
        };
    }

    public static SmoothGradMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (SmoothGradMode m : values()) {
            if (m.label.equals(t)) {
                return m;
            }
        }
        throw new BadRequestException("unknown --smoothgrad-mode '" + text + "' (smoothgrad, smoothgrad-sq, vargrad)");
    }
}
