package io.dnnvis.methods.render;

/**
 * How a {@link SaliencyMap} is drawn: colormap, scaling, outlier clipping and the opacity of the
 * heat map over a picture. Immutable; the {@code with}-methods return changed copies.
 *
 * @param colormap the colours
 * @param scaling how values become colormap positions
 * @param low lower end of a {@link Scaling#FIXED} range (NaN otherwise)
 * @param high upper end of a {@link Scaling#FIXED} range (NaN otherwise)
 * @param clipPercent the share of extreme values, in percent, that saturate the colormap
 *     (Captum's default 2: the top 2% of {@code |v|} for centered and absolute scaling, 2% at
 *     each end for min-max); 0 clips nothing
 * @param alpha opacity of the heat map in {@link SaliencyMap#compose}: 0 shows only the picture, 1 only the heat map
 */
public record HeatmapStyle(Colormap colormap, Scaling scaling, double low, double high, double clipPercent,
        double alpha) {

    /** Captum's default outlier share, in percent. */
    public static final double DEFAULT_CLIP_PERCENT = 2;
    /** The default opacity of a composite. */
    public static final double DEFAULT_ALPHA = 0.5;

    public HeatmapStyle {
        if (colormap == null || scaling == null) {
            throw new IllegalArgumentException("a heat-map style needs a colormap and a scaling");
        }
        if (scaling == Scaling.FIXED) {
            if (!Double.isFinite(low) || !Double.isFinite(high) || !(low < high)) {
                throw new IllegalArgumentException("range " + low + "," + high + " must be finite with LO < HI");
            }
        } else {
            low = Double.NaN;
            high = Double.NaN;
        }
        if (!(clipPercent >= 0 && clipPercent < 50)) {
            throw new IllegalArgumentException("outlier clipping must be in [0, 50) percent, got " + clipPercent);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
    }

    /** bwr, scaling from the sign of the values ({@link Scaling#AUTO}), 2% clipping, alpha 0.5. */
    public static HeatmapStyle defaults() {
        return new HeatmapStyle(Colormap.BWR, Scaling.AUTO, Double.NaN, Double.NaN, DEFAULT_CLIP_PERCENT,
                DEFAULT_ALPHA);
    }

    public HeatmapStyle withColormap(Colormap c) {
        return new HeatmapStyle(c, scaling, low, high, clipPercent, alpha);
    }

    /** Automatic, centered, absolute or min-max scaling (use {@link #withRange} for a fixed range). */
    public HeatmapStyle withScaling(Scaling s) {
        if (s == Scaling.FIXED) {
            throw new IllegalArgumentException("a fixed scaling needs its range: use withRange(low, high)");
        }
        return new HeatmapStyle(colormap, s, low, high, clipPercent, alpha);
    }

    /** A fixed value range: {@code low} gets the colormap's first colour, {@code high} its last. */
    public HeatmapStyle withRange(double lowValue, double highValue) {
        return new HeatmapStyle(colormap, Scaling.FIXED, lowValue, highValue, clipPercent, alpha);
    }

    public HeatmapStyle withClipPercent(double percent) {
        return new HeatmapStyle(colormap, scaling, low, high, percent, alpha);
    }

    public HeatmapStyle withAlpha(double a) {
        return new HeatmapStyle(colormap, scaling, low, high, clipPercent, a);
    }
}
