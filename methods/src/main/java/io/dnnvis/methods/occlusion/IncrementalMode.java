package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;

/**
 * Whether occlusion recomputes only what each window changes ({@link IncrementalSweep}) or every
 * occluded image in full. Both give the same values (up to the order of floating-point sums).
 */
public enum IncrementalMode {
    /** Incremental where the graph allows it and it saves work (the default). */
    AUTO,
    /** Incremental as far as the graph allows it, even where a full computation would be cheaper. */
    ON,
    /** Every occluded image in full. */
    OFF;

    /** The system property that sets the default mode ({@code auto}, {@code on} or {@code off}). */
    public static final String PROPERTY = "dnnvis.occlusion.incremental";

    /** Parses {@code auto}, {@code on} or {@code off}. */
    public static IncrementalMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("unknown incremental mode '" + text + "' (auto, on or off)");
        }
    }

    /** The mode {@link #PROPERTY} sets, {@link #AUTO} when it is not set. */
    public static IncrementalMode fromProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
