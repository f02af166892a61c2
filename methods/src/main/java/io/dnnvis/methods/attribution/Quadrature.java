package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How Integrated Gradients sums the gradient along the path from the baseline to the input: the
 * points {@code alpha_i} on the path and their weights {@code w_i}, Captum's conventions exactly.
 *
 * <ul>
 *   <li>{@code gausslegendre}: alpha = (1 + t) / 2, w = w_t / 2 for the Gauss–Legendre nodes t and
 *       weights w_t of order n on [-1, 1];
 *   <li>{@code riemann-left}: alpha = 0, 1/n, …, 1 - 1/n; {@code riemann-right}: 1/n, …, 1;
 *       {@code riemann-middle}: 1/2n, …, 1 - 1/2n; {@code riemann-trapezoid}: 0, 1/(n-1), …, 1 —
 *       all with w = 1/n, the trapezoid's first and last halved.
 * </ul>
 */
public enum Quadrature {
    GAUSS_LEGENDRE("gausslegendre"),
    RIEMANN_LEFT("riemann-left"),
    RIEMANN_RIGHT("riemann-right"),
    RIEMANN_MIDDLE("riemann-middle"),
    RIEMANN_TRAPEZOID("riemann-trapezoid");

    private final String label;

    Quadrature(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The points of the path and their weights for {@code steps} evaluations. */
    public record Points(double[] alphas, double[] weights) {

        public Points {
            alphas = alphas.clone();
            weights = weights.clone();
        }

        @Override
        public double[] alphas() {
            return alphas.clone();
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        public int size() {
            return alphas.length;
        }

        @Override
        public String toString() {
            return "Points" + Arrays.toString(alphas) + " " + Arrays.toString(weights);
        }
    }

    /** @throws BadRequestException for fewer than one step (two for the trapezoid) */
    public Points points(int steps) {
        int least = this == RIEMANN_TRAPEZOID ? 2 : 1;
        if (steps < least) {
            throw new BadRequestException("--steps must be at least " + least + " for " + label + ", got " + steps);
        }
        if (this == GAUSS_LEGENDRE) {
            double[][] nodes = GaussLegendre.nodes(steps);
            double[] alphas = new double[steps];
            double[] weights = new double[steps];
            for (int i = 0; i < steps; i++) {
                alphas[i] = (1 + nodes[0][i]) / 2;
                weights[i] = nodes[1][i] / 2;
            }
            return new Points(alphas, weights);
        }
        double n = steps;
        double first = switch (this) {
            case RIEMANN_LEFT, RIEMANN_TRAPEZOID -> 0;
            case RIEMANN_RIGHT -> 1 / n;
            default -> 1 / (2 * n);
        };
        double last = switch (this) {
            case RIEMANN_LEFT -> 1 - 1 / n;
            case RIEMANN_RIGHT, RIEMANN_TRAPEZOID -> 1;
            default -> 1 - 1 / (2 * n);
        };
        double[] alphas = new double[steps];
        double[] weights = new double[steps];
        for (int i = 0; i < steps; i++) {
            alphas[i] = steps == 1 ? first : first + (last - first) * i / (steps - 1);
            weights[i] = 1 / n;
        }
        if (this == RIEMANN_TRAPEZOID) {
            weights[0] /= 2;
            weights[steps - 1] /= 2;
        }
        return new Points(alphas, weights);
    }

    /** @throws BadRequestException for an unknown name */
    public static Quadrature parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (Quadrature q : values()) {
            if (q.label.equals(t)) {
                return q;
            }
        }
        throw new BadRequestException("unknown --ig-method '" + text + "' (gausslegendre, riemann-left, riemann-right, "
                + "riemann-middle, riemann-trapezoid)");
    }
}
