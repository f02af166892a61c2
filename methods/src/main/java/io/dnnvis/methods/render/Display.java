package io.dnnvis.methods.render;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Enlarges small pictures for display by a whole factor, nearest neighbour (each value stays a
 * visible square): to at least {@link #MIN_SIDE} pixels on the short side, with the long side at
 * most {@link #MAX_SIDE} (a very elongated picture is enlarged less, or not at all).
 */
public final class Display {

    /** The short side a small picture is enlarged to, at least. */
    public static final int MIN_SIDE = 224;
    /** The long side enlarging stops at. */
    public static final int MAX_SIDE = 4096;

    private Display() {
    }

    /** The factor a {@code height x width} picture is enlarged by (1 for pictures that are large enough). */
    public static int factor(int height, int width) {
        int shortSide = Math.min(height, width);
        int longSide = Math.max(height, width);
        int wanted = (MIN_SIDE + shortSide - 1) / shortSide;
        int allowed = Math.max(1, MAX_SIDE / longSide);
        return Math.max(1, Math.min(wanted, allowed));
    }

    /** {@code picture} enlarged by {@link #factor}, nearest neighbour; the picture itself when the factor is 1. */
    public static BufferedImage enlarge(BufferedImage picture) {
        int f = factor(picture.getHeight(), picture.getWidth());
        if (f == 1) {
            return picture;
        }
        int w = picture.getWidth() * f;
        int h = picture.getHeight() * f;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(picture, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return img;
    }
}
