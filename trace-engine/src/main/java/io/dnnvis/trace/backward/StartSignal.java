package io.dnnvis.trace.backward;

import java.util.Locale;

/** What the selected entries of the start signal hold. */
public enum StartSignal {
    /** The forward value of the selected entries (the original library's default). */
    ACTIVATION,
    /** 1.0 at the selected entries. */
    ONES;

    public static StartSignal parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown start signal '" + text + "' (activation or ones)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
