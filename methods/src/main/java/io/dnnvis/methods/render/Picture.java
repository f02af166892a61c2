package io.dnnvis.methods.render;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * A drawn map and the colour scale that reads it (none for a plain picture, such as the input).
 *
 * @param image the pixels, one per value
 * @param scale the colours' values, drawn as a {@link ColorBar}
 */
public record Picture(BufferedImage image, Optional<ColorScale> scale) {

    public Picture {
        if (image == null || scale == null) {
            throw new IllegalArgumentException("a picture needs an image (and an optional scale)");
        }
    }

    /** A picture without a colour scale. */
    public static Picture plain(BufferedImage image) {
        return new Picture(image, Optional.empty());
    }

    /** A picture read by {@code scale}. */
    public static Picture scaled(BufferedImage image, ColorScale scale) {
        return new Picture(image, Optional.of(scale));
    }

    /** The picture as a file shows it: enlarged for display ({@link Display}), with its colour bar under it. */
    public BufferedImage forDisplay() {
        BufferedImage big = Display.enlarge(image);
        return scale.map(s -> ColorBar.below(big, s)).orElse(big);
    }
}
