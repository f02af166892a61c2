package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;

/**
 * The class activation maps, from a layer's forward value A {@code [C, h, w]} and the gradient G of
 * the score with respect to it (pytorch-grad-cam's definitions, the reference README's table):
 * <ul>
 *   <li>{@code gradcam}: relu(sum_c w_c A_c), w_c = mean over positions of G_c;
 *   <li>{@code gradcam++}: w_c = sum_ij relu(G) a, a = G² / (2 G² + (sum_ij A_c) G³ + 1e-6), a = 0 where G = 0;
 *   <li>{@code xgradcam}: w_c = sum_ij(G_c A_c) / (sum_ij A_c + 1e-7);
 *   <li>{@code layercam}: relu(sum_c relu(G_c) A_c), per position;
 *   <li>{@code hirescam}: relu(sum_c G_c A_c), per position.
 * </ul>
 * Sums run in double precision.
 */
public enum CamMethod {
    GRADCAM("gradcam", "Grad-CAM"),
    GRADCAM_PLUS_PLUS("gradcam++", "Grad-CAM++"),
    XGRADCAM("xgradcam", "XGrad-CAM"),
    LAYERCAM("layercam", "LayerCAM"),
    HIRESCAM("hirescam", "HiResCAM");

    private final String label;
    private final String title;

    CamMethod(String label, String title) {
        this.label = label;
        this.title = title;
    }

    public String label() {
        return label;
    }

    public String title() {
        return title;
    }

    /**
     * The map {@code [h * w]} of one image.
     *
     * @param a the layer's forward value, {@code [C, h, w]} row-major
     * @param g the gradient of the score at the layer, same shape
     */
    public float[] map(float[] a, float[] g, int channels, int plane) {
        double[] sum = new double[plane];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            switch (this) {
                case LAYERCAM, HIRESCAM -> {
                    for (int p = 0; p < plane; p++) {
                        double grad = this == LAYERCAM ? Math.max(g[base + p], 0f) : g[base + p];
                        sum[p] += grad * a[base + p];
                    }
                }
                default -> {
                    double weight = weight(a, g, base, plane);
                    for (int p = 0; p < plane; p++) {
                        sum[p] += weight * a[base + p];
                    }
                }
            }
        }
        float[] out = new float[plane];
        for (int p = 0; p < plane; p++) {
            out[p] = (float) Math.max(sum[p], 0);
        }
        return out;
    }

    /** The channel weight w_c of the weighted methods. */
    private double weight(float[] a, float[] g, int base, int plane) {
        double activations = 0;
        for (int p = 0; p < plane; p++) {
            activations += a[base + p];
        }
        double w = 0;
        for (int p = 0; p < plane; p++) {
            double grad = g[base + p];
            switch (this) {
                case GRADCAM -> w += grad;
                case XGRADCAM -> w += grad * a[base + p];
                default -> {
                    if (grad != 0) {
                        double g2 = grad * grad;
                        double alpha = g2 / (2 * g2 + activations * g2 * grad + 1e-6);
                        w += Math.max(grad, 0) * alpha;
                    }
                }
            }
        }
        return switch (this) {
            case GRADCAM -> w / plane;
            case XGRADCAM -> w / (activations + 1e-7);
            default -> w;
        };
    }

    /** @throws BadRequestException for a name that is not a CAM method */
    public static CamMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (CamMethod m : values()) {
            if (m.label.equals(t)) {
                return m;
            }
        }
        throw new BadRequestException("'" + text + "' is not a CAM method (gradcam, gradcam++, xgradcam, layercam, "
                + "hirescam)");
    }
}
