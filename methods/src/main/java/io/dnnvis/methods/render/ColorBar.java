package io.dnnvis.methods.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * A horizontal colour bar under a picture: the scale's colours from its low end (left) to its high
 * end (right), with the low and high values, and 0 where it lies inside, written under it.
 */
public final class ColorBar {

    /** The height of the strip a bar takes under a picture: gap, bar, numbers. */
    public static final int HEIGHT = 34;
    /** The gap between the picture and the bar. */
    static final int GAP = 4;
    /** The height of the coloured bar itself. */
    static final int BAR = 12;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private ColorBar() {
    }

    /** {@code picture} with the bar of {@code scale} under it, on white, as wide as the picture. */
    public static BufferedImage below(BufferedImage picture, ColorScale scale) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        BufferedImage img = new BufferedImage(w, h + HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h + HEIGHT);
            g.drawImage(picture, 0, 0, null);
            draw(g, scale, 0, h, w);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Draws the bar of {@code scale} into the strip of {@link #HEIGHT} rows at {@code (x, y)}, {@code width} wide. */
    public static void draw(Graphics2D g, ColorScale scale, int x, int y, int width) {
        int top = y + GAP;
        for (int i = 0; i < width; i++) {
            double t = width == 1 ? 0 : (double) i / (width - 1);
            g.setColor(new Color(scale.colormap().rgb(scale.colormapPosition(t))));
            g.fillRect(x + i, top, 1, BAR);
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(FONT);
        g.setColor(Color.BLACK);
        int baseline = top + BAR + g.getFontMetrics().getAscent() + 1;
        double low = scale.low();
        double high = scale.high();
        if (!(high > low)) {
            String only = Double.isFinite(low) ? "all " + number(low) : "no values";
            g.drawString(only, x + (width - g.getFontMetrics().stringWidth(only)) / 2, baseline);
            return;
        }
        String lowText = number(low);
        String highText = number(high);
        int lowWidth = g.getFontMetrics().stringWidth(lowText);
        int highWidth = g.getFontMetrics().stringWidth(highText);
        g.drawString(lowText, x, baseline);
        g.drawString(highText, x + width - highWidth, baseline);
        if (low < 0 && high > 0) {
            int zeroX = x + (int) Math.round((width - 1) * (-low) / (high - low));
            int zeroWidth = g.getFontMetrics().stringWidth("0");
            int left = zeroX - zeroWidth / 2;
            if (left > x + lowWidth + 4 && left + zeroWidth < x + width - highWidth - 4) {
                g.drawString("0", left, baseline);
            }
        }
    }

    /** A value with 3 significant digits: plain between 0.001 and 10000, else in scientific notation. */
    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e4) {
            return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
