package io.dnnvis.methods.image;

/**
 * Separable bilinear resampling of one channel of packed RGB pixels. When shrinking, the triangle
 * filter is widened by the scale factor (antialiasing: every input pixel contributes, as PIL's
 * bilinear resize does). Only the source window the output reads is needed ({@link #window}), so a
 * crop of a huge image costs what the crop needs; the pass that leaves the smaller intermediate goes
 * first when the usual order (rows first) would make a large one.
 */
final class Resampler {

    /** Above this many intermediate values, the cheaper pass order is chosen. */
    private static final long LARGE_INTERMEDIATE = 1L << 20;

    private Resampler() {
    }

    /**
     * The source rows (or columns) {@code [first, last]} that resampling {@code [origin, origin+span)}
     * of {@code in} to {@code out} samples reads.
     */
    static int[] window(int in, double origin, double span, int out) {
        double scale = span / out;
        double radius = support(scale);
        int first = (int) Math.max(0, Math.floor(origin + 0.5 * scale - radius));
        int last = (int) Math.min(in - 1, Math.ceil(origin + (out - 0.5) * scale + radius));
        return new int[] {Math.min(first, last), last};
    }

    /**
     * Resamples the region {@code [x0, x0+w) x [y0, y0+h)} of a {@code width x height} image to
     * {@code outW x outH}, for the channel at bit {@code shift} of the packed pixels.
     *
     * @param pixels the packed RGB pixels of the window {@code [winX, winX+winW) x [winY, winY+winH)},
     *     row-major; it must hold every pixel {@link #window} names
     */
    static float[] resize(int[] pixels, int shift, int width, int height, int winX, int winY, int winW, int winH,
            double x0, double y0, double w, double h, int outW, int outH) {
        float[][] wx = weights(width, x0, w, outW);
        int[] sx = starts(width, x0, w, outW);
        float[][] wy = weights(height, y0, h, outH);
        int[] sy = starts(height, y0, h, outH);
        long rowsFirst = Math.multiplyExact((long) winH, outW);
        long columnsFirst = Math.multiplyExact((long) outH, winW);
        float[] out = new float[Math.toIntExact(Math.multiplyExact((long) outH, outW))];
        if (rowsFirst <= LARGE_INTERMEDIATE || rowsFirst <= columnsFirst) {
            float[] rows = new float[Math.toIntExact(rowsFirst)];
            for (int y = 0; y < winH; y++) {
                for (int o = 0; o < outW; o++) {
                    double sum = 0;
                    for (int k = 0; k < wx[o].length; k++) {
                        sum += wx[o][k] * channel(pixels[y * winW + sx[o] - winX + k], shift);
                    }
                    rows[y * outW + o] = (float) sum;
                }
            }
            for (int o = 0; o < outH; o++) {
                for (int x = 0; x < outW; x++) {
                    double sum = 0;
                    for (int k = 0; k < wy[o].length; k++) {
                        sum += wy[o][k] * rows[(sy[o] - winY + k) * outW + x];
                    }
                    out[o * outW + x] = (float) sum;
                }
            }
            return out;
        }
        float[] columns = new float[Math.toIntExact(columnsFirst)];
        for (int o = 0; o < outH; o++) {
            for (int x = 0; x < winW; x++) {
                double sum = 0;
                for (int k = 0; k < wy[o].length; k++) {
                    sum += wy[o][k] * channel(pixels[(sy[o] - winY + k) * winW + x], shift);
                }
                columns[o * winW + x] = (float) sum;
            }
        }
        for (int y = 0; y < outH; y++) {
            for (int o = 0; o < outW; o++) {
                double sum = 0;
                for (int k = 0; k < wx[o].length; k++) {
                    sum += wx[o][k] * columns[y * winW + sx[o] - winX + k];
                }
                out[y * outW + o] = (float) sum;
            }
        }
        return out;
    }

    private static int channel(int pixel, int shift) {
        return (pixel >> shift) & 0xff;
    }

    private static double support(double scale) {
        return Math.max(1.0, scale);
    }

    private static int[] starts(int in, double origin, double span, int out) {
        double scale = span / out;
        double radius = support(scale);
        int[] s = new int[out];
        for (int o = 0; o < out; o++) {
            double centre = origin + (o + 0.5) * scale;
            s[o] = (int) Math.max(0, Math.floor(centre - radius));
        }
        return s;
    }

    private static float[][] weights(int in, double origin, double span, int out) {
        double scale = span / out;
        double radius = support(scale);
        float[][] w = new float[out][];
        for (int o = 0; o < out; o++) {
            double centre = origin + (o + 0.5) * scale;
            int first = (int) Math.max(0, Math.floor(centre - radius));
            int last = (int) Math.min(in - 1, Math.ceil(centre + radius));
            double[] raw = new double[last - first + 1];
            double total = 0;
            for (int i = first; i <= last; i++) {
                double d = Math.abs((i + 0.5) - centre) / radius;
                raw[i - first] = Math.max(0, 1 - d);
                total += raw[i - first];
            }
            w[o] = new float[raw.length];
            for (int k = 0; k < raw.length; k++) {
                w[o][k] = (float) (total == 0 ? (k == 0 ? 1 : 0) : raw[k] / total);
            }
        }
        return w;
    }
}
