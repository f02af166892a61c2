package io.dnnvis.methods.render;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** Turns {@code [C, H, W]} float maps into pictures, and pictures into PNG bytes. */
public final class Images {

    private Images() {
    }

    /**
     * A signed {@code [C, H, W]} reconstruction drawn per channel through the gray colormap (3
     * channels give colour, 1 channel gray), with one scale for all channels: by default (a
     * {@link Scaling#AUTO} style) centred, so that 0 is gray 128 and {@code -m}, {@code +m} black
     * and white, m the (100 - clip)th percentile of {@code |v|} (values beyond saturate; clip 0:
     * m = max|v|). An explicit scaling of the style applies per channel; its colormap does not
     * (draw {@link SaliencyMap#channelSum} for that).
     */
    public static Picture reconstruction(float[] chw, int channels, int height, int width, HeatmapStyle style) {
        HeatmapStyle gray = style.withColormap(Colormap.GRAY);
        if (gray.scaling() == Scaling.AUTO) {
            gray = gray.withScaling(Scaling.CENTERED);
        }
        ColorScale scale = ColorScale.of(chw, gray);
        BufferedImage img = toImage(chw, channels, height, width, v -> 255 * scale.position(v));
        return Picture.scaled(img, scale);
    }

    /** Min-max normalization to 0..255 (an input tensor shown as a picture). */
    public static BufferedImage minMax(float[] chw, int channels, int height, int width) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : chw) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double low = lo;
        double range = hi > lo ? hi - lo : 1;
        return toImage(chw, channels, height, width, v -> (v - low) * 255.0 / range);
    }

    private interface Mapping {
        double apply(double v);
    }

    private static BufferedImage toImage(float[] chw, int channels, int height, int width, Mapping mapping) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("pictures need 1 or 3 channels, got " + channels);
        }
        if (chw.length != channels * height * width) {
            throw new IllegalArgumentException("expected " + channels * height * width + " values, got " + chw.length);
        }
        int plane = height * width;
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r = level(mapping.apply(chw[p]));
            int g = channels == 3 ? level(mapping.apply(chw[plane + p])) : r;
            int b = channels == 3 ? level(mapping.apply(chw[2 * plane + p])) : r;
            rgb[p] = (r << 16) | (g << 8) | b;
        }
        return fromRgb(rgb, width, height);
    }

    private static int level(double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /**
     * An RGB image of {@code 0xRRGGBB} pixels, row-major, copied in one go (setting pixels one by one
     * goes through the colour model for each).
     */
    public static BufferedImage fromRgb(int[] rgb, int width, int height) {
        if (rgb.length != Math.multiplyExact(width, height)) {
            throw new IllegalArgumentException(rgb.length + " pixels for " + width + " x " + height);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(rgb, 0, data, 0, rgb.length);
        return img;
    }

    /**
     * Every pixel of {@code image} as {@code 0xAARRGGBB} (the alpha byte undefined for an image
     * without alpha), row-major: the image's own array where it holds its pixels so (read it, do not
     * write it), else a copy.
     */
    public static int[] pixels(BufferedImage image) {
        int type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof DataBufferInt ints
                && ints.getNumBanks() == 1 && ints.getOffset() == 0
                && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0
                && ints.getSize() == image.getWidth() * image.getHeight()) {
            return ints.getData();
        }
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** PNG bytes of an image ({@link PngEncoder}). */
    public static byte[] png(BufferedImage img) {
        return PngEncoder.encode(img);
    }
}
