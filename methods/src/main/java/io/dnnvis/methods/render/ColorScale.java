package io.dnnvis.methods.render;

/**
 * The colours of one map's values: a {@link ValueScale} read through a {@link Colormap}. A
 * sequential scale (from 0) on a diverging colormap uses the colormap's upper half, so that 0 is
 * its light middle (white for bwr); any other scale uses the whole colormap.
 *
 * @param colormap the colours
 * @param scale the values' positions
 */
public record ColorScale(Colormap colormap, ValueScale scale) {

    public ColorScale {
        if (colormap == null || scale == null) {
            throw new IllegalArgumentException("a colour scale needs a colormap and a value scale");
        }
    }

    /** The colour scale of {@code values} under {@code style}. */
    public static ColorScale of(float[] values, HeatmapStyle style) {
        return new ColorScale(style.colormap(), ValueScale.of(values, style));
    }

    /** The colormap position of {@code v} (NaN for NaN). */
    public double position(double v) {
        return colormapPosition(scale.position(v));
    }

    /** The colormap position of scale position {@code t} in {@code [0, 1]}. */
    public double colormapPosition(double t) {
        if (scale.sequential() && colormap.diverging()) {
            return 0.5 + 0.5 * t;
        }
        return t;
    }

    /** The colour of {@code v} as {@code 0xRRGGBB}; NaN gets the colour of 0. */
    public int rgb(double v) {
        return colormap.rgb(position(Double.isNaN(v) ? 0 : v));
    }

    /** The colour of {@code v} as red, green, blue in {@code [0, 1]}, or null for NaN. */
    public double[] color(double v) {
        return Double.isNaN(v) ? null : colormap.color(position(v));
    }

    /** The value drawn with the scale's first colour. */
    public double low() {
        return scale.low();
    }

    /** The value drawn with the scale's last colour. */
    public double high() {
        return scale.high();
    }
}
