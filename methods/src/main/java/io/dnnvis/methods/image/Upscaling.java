package io.dnnvis.methods.image;

import java.util.Locale;

/**
 * Says so when an image is enlarged a lot to reach the model's input size (a 1x1 image becomes a
 * uniform 64x64 one): the model then sees interpolated pixels, not the picture's details.
 */
final class Upscaling {

    /** Enlarging a side more than this many times is told in one line. */
    static final double MAX_FACTOR = 4;

    private Upscaling() {
    }

    /**
     * How many times {@code mode} enlarges the larger-scaled side of a {@code srcW x srcH} image to
     * fill {@code width x height} (below 1 when it shrinks).
     */
    static double factor(int srcW, int srcH, int width, int height, ResizeMode mode) {
        double sx = (double) width / srcW;
        double sy = (double) height / srcH;
        return switch (mode) {
            case STRETCH, CROP -> Math.max(sx, sy); // crop scales both sides by the larger factor
            case FIT -> Math.min(sx, sy);
        };
    }

    /** A one-line warning when {@link #factor} is above {@link #MAX_FACTOR}, else the empty string. */
    static String warning(String file, int srcW, int srcH, int width, int height, ResizeMode mode) {
        double f = factor(srcW, srcH, width, height, mode);
        if (f <= MAX_FACTOR) {
            return "";
        }
        return String.format(Locale.ROOT, "warning: %s: the %dx%d image is enlarged %.3gx to the model's %dx%d input"
                + " (more than %.0fx on a side): the model sees interpolated pixels, not details", file, srcW, srcH, f,
                width, height, MAX_FACTOR);
    }
}
