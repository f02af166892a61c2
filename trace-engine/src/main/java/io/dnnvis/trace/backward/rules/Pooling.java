package io.dnnvis.trace.backward.rules;

import java.util.Locale;

/** How MaxPool sends a signal back (the reference README's unpooling variants). */
public enum Pooling {
    /** To the window's (first) maximum: the exact MaxPool gradient. */
    SWITCH,
    /** To the window's centre, clamped into the input (the original "non-locational" unpooling). */
    CENTER,
    /** To every input position the window covers (the original "diffusional" unpooling). */
    SPREAD;

    public static Pooling parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown pooling '" + text + "' (switch, center or spread)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
