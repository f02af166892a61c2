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
     * {@code outW x outH}, the red, green and blue channels of the packed pixels in one pass (the
     * filter weights and the pixels read once; each channel's sums in the same order as alone).
     *
     * @param pixels the packed RGB pixels of the window {@code [winX, winX+winW) x [winY, winY+winH)},
     *     row-major; it must hold every pixel {@link #window} names
     * @return the three channels, red first, each {@code [outH * outW]}
     */
    static float[][] resizeRgb(int[] pixels, int width, int height, int winX, int winY, int winW, int winH,
            double x0, double y0, double w, double h, int outW, int outH) {
        float[][] wx = weights(width, x0, w, outW);
        int[] sx = starts(width, x0, w, outW);
        float[][] wy = weights(height, y0, h, outH);
        int[] sy = starts(height, y0, h, outH);
        long rowsFirst = Math.multiplyExact((long) winH, outW);
        long columnsFirst = Math.multiplyExact((long) outH, winW);
        int size = Math.toIntExact(Math.multiplyExact((long) outH, outW));
        float[][] out = {new float[size], new float[size], new float[size]};
        if (rowsFirst <= LARGE_INTERMEDIATE || rowsFirst <= columnsFirst) {
            int n = Math.toIntExact(rowsFirst);
            float[][] rows = {new float[n], new float[n], new float[n]};
            for (int y = 0; y < winH; y++) {
                for (int o = 0; o < outW; o++) {
                    filterPixels(pixels, y * winW + sx[o] - winX, 1, wx[o], rows, y * outW + o);
                }
            }
            double[] line = new double[outW];
            for (int c = 0; c < 3; c++) {
                for (int o = 0; o < outH; o++) {
                    // row by row (the same sums in the same order as one pixel at a time, but contiguous)
                    java.util.Arrays.fill(line, 0);
                    for (int k = 0; k < wy[o].length; k++) {
                        float weight = wy[o][k]; // a float product, as one pixel at a time
                        int from = (sy[o] - winY + k) * outW;
                        for (int x = 0; x < outW; x++) {
                            line[x] += weight * rows[c][from + x];
                        }
                    }
                    for (int x = 0; x < outW; x++) {
                        out[c][o * outW + x] = (float) line[x];
                    }
                }
            }
            return out;
        }
        int n = Math.toIntExact(columnsFirst);
        float[][] columns = {new float[n], new float[n], new float[n]};
        for (int o = 0; o < outH; o++) {
            for (int x = 0; x < winW; x++) {
                filterPixels(pixels, (sy[o] - winY) * winW + x, winW, wy[o], columns, o * winW + x);
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < outH; y++) {
                for (int o = 0; o < outW; o++) {
                    out[c][y * outW + o] = filter(columns[c], y * winW + sx[o] - winX, 1, wx[o]);
                }
            }
        }
        return out;
    }

    /** The three channels of {@code weights} applied to the pixels at {@code first + k * step}, into {@code at}. */
    private static void filterPixels(int[] pixels, int first, int step, float[] weights, float[][] into, int at) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int k = 0; k < weights.length; k++) {
            int p = pixels[first + k * step];
            float weight = weights[k]; // float products, as the one-channel pass had them
            r += weight * channel(p, 16);
            g += weight * channel(p, 8);
            b += weight * channel(p, 0);
        }
        into[0][at] = (float) r;
        into[1][at] = (float) g;
        into[2][at] = (float) b;
    }

    private static float filter(float[] values, int first, int step, float[] weights) {
        double sum = 0;
        for (int k = 0; k < weights.length; k++) {
            sum += weights[k] * values[first + k * step];
        }
        return (float) sum;
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
