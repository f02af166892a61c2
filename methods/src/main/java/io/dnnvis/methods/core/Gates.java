package io.dnnvis.methods.core;

import java.util.Locale;

/**
 * Which activations DeSaliNet, DeconvNet (and Guided Grad-CAM) treat as gates, under their guided or
 * rectifying rule ({@code --gates}). SaliNet, the exact gradient, is the same under both.
 */
public enum Gates {
    /** Relu only, as the methods were published: every other activation sends back its exact gradient. */
    RELU,
    /**
     * Every gate: besides Relu, LeakyRelu, PRelu, Clip with a minimum of 0 (ReLU6), HardSwish, Gelu and the
     * composites SiLU {@code x * sigmoid(x)}, {@code x * HardSigmoid(x)} and PyTorch's GELU; guided
     * {@code g'(x) * max(R, 0)}, DeconvNet {@code max(R, 0)} ({@code io.dnnvis.trace.backward.rules.GateRules}).
     */
    ALL;

    /** Parses {@code relu} or {@code all} (any case). */
    public static Gates parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("unknown gates '" + text + "' (relu or all)");
        }
    }

    /** {@code relu} or {@code all}, as {@code --gates} takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
