package io.dnnvis.methods.attribution;

/** A normalised 1-D Gaussian of radius ceil(3 sigma), and separable passes with clamped edges. */
final class GaussianKernel {

    private GaussianKernel() {
    }

    static double[] of(double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = sigma == 0 ? (i == 0 ? 1 : 0) : Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    static void blurRows(double[] in, double[] out, int height, int width, double[] k) {
        int r = k.length / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * in[y * width + Math.min(width - 1, Math.max(0, x + i))];
                }
                out[y * width + x] = s;
            }
        }
    }

    static void blurColumns(double[] in, double[] out, int height, int width, double[] k) {
        int r = k.length / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * in[Math.min(height - 1, Math.max(0, y + i)) * width + x];
                }
                out[y * width + x] = s;
            }
        }
    }
}
