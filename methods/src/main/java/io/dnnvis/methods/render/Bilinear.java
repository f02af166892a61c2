package io.dnnvis.methods.render;

/** Bilinear resizing of a row-major 2-D float map with half-pixel centres (align_corners=false). */
public final class Bilinear {

    private Bilinear() {
    }

    public static float[] resize(float[] values, int height, int width, int newHeight, int newWidth) {
        if (newHeight <= 0 || newWidth <= 0) {
            throw new IllegalArgumentException("cannot resize to " + newHeight + "x" + newWidth);
        }
        float[] out = new float[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++) {
            double sy = source(y, height, newHeight);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int x = 0; x < newWidth; x++) {
                double sx = source(x, width, newWidth);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, width - 1);
                double fx = sx - x0;
                double top = lerp(values[y0 * width + x0], values[y0 * width + x1], fx);
                double bottom = lerp(values[y1 * width + x0], values[y1 * width + x1], fx);
                out[y * newWidth + x] = (float) lerp(top, bottom, fy);
            }
        }
        return out;
    }

    /** The source coordinate of output index i, clamped into the source. */
    private static double source(int i, int size, int newSize) {
        double s = (i + 0.5) * size / newSize - 0.5;
        return Math.max(0, Math.min(size - 1, s));
    }

    /** Linear interpolation that ignores an end with zero weight (so a NaN there does not spread). */
    private static double lerp(double a, double b, double f) {
        if (f == 0) {
            return a;
        }
        if (f == 1) {
            return b;
        }
        return a + f * (b - a);
    }
}
