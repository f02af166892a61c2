package io.dnnvis.methods.image;

/**
 * Separable bilinear resampling of float planes. When shrinking, the triangle filter is widened by
 * the scale factor (antialiasing: every input pixel contributes, as PIL's bilinear resize does).
 */
final class Resampler {

    private Resampler() {
    }

    /** Resamples the region {@code [x0, x0+w) x [y0, y0+h)} of a plane to {@code outW x outH}. */
    static float[] resize(float[] plane, int width, int height, double x0, double y0, double w, double h, int outW,
            int outH) {
        float[] rows = new float[height * outW];
        float[][] wx = weights(width, x0, w, outW);
        int[] sx = starts(width, x0, w, outW);
        for (int y = 0; y < height; y++) {
            for (int o = 0; o < outW; o++) {
                double sum = 0;
                for (int k = 0; k < wx[o].length; k++) {
                    sum += wx[o][k] * plane[y * width + sx[o] + k];
                }
                rows[y * outW + o] = (float) sum;
            }
        }
        float[] out = new float[outH * outW];
        float[][] wy = weights(height, y0, h, outH);
        int[] sy = starts(height, y0, h, outH);
        for (int o = 0; o < outH; o++) {
            for (int x = 0; x < outW; x++) {
                double sum = 0;
                for (int k = 0; k < wy[o].length; k++) {
                    sum += wy[o][k] * rows[(sy[o] + k) * outW + x];
                }
                out[o * outW + x] = (float) sum;
            }
        }
        return out;
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
