package io.dnnvis.methods.render;

/** How the values of a map become positions 0..1 on a colormap. */
public enum Scaling {

    /**
     * Symmetric around 0: {@code t = 0.5 + 0.5 v / m} clipped, m the clipping percentile of
     * {@code |v|}; zero is the colormap's middle (white for bwr). The default.
     */
    CENTERED,

    /** Magnitudes only: {@code t = |v| / m} clipped, m the clipping percentile of {@code |v|}. */
    ABSOLUTE,

    /** From the low to the high clipping percentile of v: {@code t = (v - lo) / (hi - lo)} clipped. */
    MIN_MAX,

    /** A fixed range {@code [low, high]} given by the style (no percentile clipping). */
    FIXED
}
