package io.dnnvis.methods.render;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 2-D map of scores (occlusion saliency, or a reconstruction's magnitude) that draws itself as a
 * heat map or as a heat map blended over a picture. Immutable; NaN marks positions without a value.
 *
 * <pre>{@code
 * SaliencyMap map = result.map();
 * BufferedImage heat = map.heatmap(HeatmapStyle.defaults(), 224, 224);
 * BufferedImage over = map.compose(picture, HeatmapStyle.defaults().withColormap(Colormap.JET));
 * }</pre>
 */
public final class SaliencyMap {

    private final int height;
    private final int width;
    private final float[] values;

    private SaliencyMap(int height, int width, float[] values) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("a map needs a positive size, got " + height + "x" + width);
        }
        if (values.length != (long) height * width) {
            throw new IllegalArgumentException("a " + height + "x" + width + " map needs " + (long) height * width
                    + " values, got " + values.length);
        }
        this.height = height;
        this.width = width;
        this.values = values;
    }

    /** A map of {@code height x width} row-major values (copied). */
    public static SaliencyMap of(float[] values, int height, int width) {
        return new SaliencyMap(height, width, values.clone());
    }

    /** A map from a 2-D ND4J array {@code [H, W]}. */
    public static SaliencyMap of(INDArray array) {
        if (array.rank() != 2) {
            throw new IllegalArgumentException("a saliency map needs a 2-D array, got shape "
                    + Arrays.toString(array.shape()));
        }
        return new SaliencyMap((int) array.size(0), (int) array.size(1), array.dup('c').data().asFloat());
    }

    /**
     * The heat-map mode of the backward nets: {@code |reconstruction|} summed over the channels of a
     * row-major {@code [C, H, W]} reconstruction.
     */
    public static SaliencyMap fromReconstruction(float[] chw, int channels, int height, int width) {
        return sumOverChannels(chw, channels, height, width, true);
    }

    /**
     * The signed sum over the channels of a row-major {@code [C, H, W]} reconstruction (as Captum's
     * heat maps reduce channels): what a reconstruction drawn through a colormap shows.
     */
    public static SaliencyMap channelSum(float[] chw, int channels, int height, int width) {
        return sumOverChannels(chw, channels, height, width, false);
    }

    private static SaliencyMap sumOverChannels(float[] chw, int channels, int height, int width,
            boolean magnitudes) {
        int plane = height * width;
        if (chw.length != (long) channels * plane) {
            throw new IllegalArgumentException("expected " + (long) channels * plane + " values, got " + chw.length);
        }
        float[] sum = new float[plane];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                float v = chw[c * plane + p];
                sum[p] += magnitudes ? Math.abs(v) : v;
            }
        }
        return new SaliencyMap(height, width, sum);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The value at row y, column x. */
    public float value(int y, int x) {
        return values[y * width + x];
    }

    /** A copy of the row-major values. */
    public float[] values() {
        return values.clone();
    }

    /** The values as a new {@code [H, W]} ND4J array. */
    public INDArray toINDArray() {
        return Nd4j.create(values.clone(), new long[] {height, width}, 'c');
    }

    /**
     * This map resized to {@code newHeight x newWidth} by bilinear interpolation with pixel centres
     * aligned (as OpenCV's and PIL's resize); a NaN spreads only to outputs it has weight in.
     */
    public SaliencyMap resize(int newHeight, int newWidth) {
        if (newHeight == height && newWidth == width) {
            return this;
        }
        return new SaliencyMap(newHeight, newWidth, Bilinear.resize(values, height, width, newHeight, newWidth));
    }

    /** The heat map at the map's own size. */
    public BufferedImage heatmap(HeatmapStyle style) {
        return heatmap(style, width, height);
    }

    /**
     * The heat map resized (bilinear) to {@code outWidth x outHeight}. The scale comes from the
     * map's own values, before resizing; NaN positions get the colour of 0.
     */
    public BufferedImage heatmap(HeatmapStyle style, int outWidth, int outHeight) {
        return heatmapPicture(style, outWidth, outHeight).image();
    }

    /** {@link #heatmap(HeatmapStyle, int, int)} with its colour scale. */
    public Picture heatmapPicture(HeatmapStyle style, int outWidth, int outHeight) {
        ColorScale scale = ColorScale.of(values, style);
        float[] resized = resize(outHeight, outWidth).values;
        BufferedImage img = new BufferedImage(outWidth, outHeight, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                img.setRGB(x, y, scale.rgb(resized[y * outWidth + x]));
            }
        }
        return Picture.scaled(img, scale);
    }

    /**
     * The heat map resized to {@code picture} and alpha-blended over it:
     * {@code alpha * heat + (1 - alpha) * picture} per colour channel. NaN positions show the
     * picture unchanged; alpha 0 gives the picture back.
     */
    public BufferedImage compose(BufferedImage picture, HeatmapStyle style) {
        return composePicture(picture, style).image();
    }

    /** {@link #compose} with its colour scale. */
    public Picture composePicture(BufferedImage picture, HeatmapStyle style) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        ColorScale scale = ColorScale.of(values, style);
        float[] resized = resize(h, w).values;
        double alpha = style.alpha();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = picture.getRGB(x, y) & 0xffffff;
                double[] heat = scale.color(resized[y * w + x]);
                if (heat == null || alpha == 0) {
                    img.setRGB(x, y, base);
                    continue;
                }
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double under = ((base >> (16 - 8 * c)) & 0xff) / 255.0;
                    rgb = (rgb << 8) | Colormap.level(alpha * heat[c] + (1 - alpha) * under);
                }
                img.setRGB(x, y, rgb);
            }
        }
        return Picture.scaled(img, scale);
    }

    @Override
    public String toString() {
        return "SaliencyMap[" + height + "x" + width + "]";
    }
}
