package io.dnnvis.methods.render;

/** How the values of a map become positions 0..1 on a colormap. */
public enum Scaling {

    /**
     * From the sign of the values: a map that is {@code >= 0} everywhere scales as {@link #ABSOLUTE}
     * (sequential from 0), a signed map as {@link #CENTERED} (diverging around 0). The default.
     */
    AUTO,

    /**
     * Symmetric around 0: {@code t = 0.5 + 0.5 v / m} clipped, m the clipping percentile of
     * {@code |v|}; zero is the colormap's middle (white for bwr).
     */
    CENTERED,

    /**
     * Magnitudes only, sequential from 0: {@code t = |v| / m} clipped, m the clipping percentile of
     * {@code |v|}; a diverging colormap (bwr) uses its upper half, white to red.
     */
    ABSOLUTE,

    /** From the low to the high clipping percentile of v: {@code t = (v - lo) / (hi - lo)} clipped. */
    MIN_MAX,

    /** A fixed range {@code [low, high]} given by the style (no percentile clipping). */
    FIXED
}
