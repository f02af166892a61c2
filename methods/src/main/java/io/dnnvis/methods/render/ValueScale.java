package io.dnnvis.methods.render;

import java.util.Arrays;

/**
 * The mapping from map values to colormap positions that a {@link HeatmapStyle} gives for one
 * map's values. Statistics ignore NaN and infinite values; a map without finite values, or whose
 * values are all equal, maps everything to the neutral position without dividing by zero.
 *
 * @param scaling the style's scaling, {@link Scaling#AUTO} resolved: {@link Scaling#ABSOLUTE} for
 *     values that are all {@code >= 0}, {@link Scaling#CENTERED} otherwise
 * @param low the value at position 0 (centered: {@code -m}; absolute: 0)
 * @param high the value at position 1
 */
public record ValueScale(Scaling scaling, double low, double high) {

    /** The scale of {@code values} under {@code style}. */
    public static ValueScale of(float[] values, HeatmapStyle style) {
        double clip = style.clipPercent();
        return switch (style.scaling()) {
            case AUTO -> ValueScale.of(values, style.withScaling(signed(values) ? Scaling.CENTERED : Scaling.ABSOLUTE));
            case CENTERED -> {
                double m = Percentiles.ofMagnitudes(values, 100 - clip);
                yield new ValueScale(Scaling.CENTERED, -m, m);
            }
            case ABSOLUTE -> new ValueScale(Scaling.ABSOLUTE, 0, Percentiles.ofMagnitudes(values, 100 - clip));
            case MIN_MAX -> {
                double[] finite = finite(values);
                yield new ValueScale(Scaling.MIN_MAX, Percentiles.of(finite, clip), Percentiles.of(finite, 100 - clip));
            }
            case FIXED -> new ValueScale(Scaling.FIXED, style.low(), style.high());
        };
    }

    /** Whether any finite value is negative. */
    private static boolean signed(float[] values) {
        for (float v : values) {
            if (Float.isFinite(v) && v < 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether the scale starts at 0 (magnitudes), rather than running from negative to positive values. */
    public boolean sequential() {
        return scaling == Scaling.ABSOLUTE;
    }

    /**
     * The colormap position of {@code v}, clipped to {@code [0, 1]}; NaN for NaN. A degenerate
     * scale (no finite values, or low == high) gives the neutral position: 0.5 for centered and
     * min-max, 0 for absolute.
     */
    public double position(double v) {
        if (Double.isNaN(v)) {
            return Double.NaN;
        }
        boolean degenerate = !(high > low);
        return switch (scaling) {
            case CENTERED -> degenerate ? 0.5 : clamp(0.5 + 0.5 * v / high);
            case ABSOLUTE -> degenerate ? 0 : clamp(Math.abs(v) / high);
            case AUTO, MIN_MAX, FIXED -> degenerate ? 0.5 : clamp((v - low) / (high - low));
        };
    }

    /** The position a NaN value is drawn at: where 0 lies on the scale. */
    public double neutralPosition() {
        return position(0);
    }

    private static double clamp(double t) {
        return Math.max(0, Math.min(1, t));
    }

    /** The finite values, in their order. */
    private static double[] finite(float[] values) {
        double[] out = new double[values.length];
        int n = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                out[n++] = v;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
