package io.dnnvis.methods.attribution;

/**
 * Gauss–Legendre nodes and weights on [-1, 1]: the roots t of the Legendre polynomial P_n, found by
 * Newton's method from Tricomi's estimate, and w = 2 / ((1 - t²) P_n'(t)²). Nodes ascending.
 */
final class GaussLegendre {

    private GaussLegendre() {
    }

    /** {@code [nodes, weights]} of order {@code n}. */
    static double[][] nodes(int n) {
        double[] t = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++) {
                double[] p = legendre(n, x);
                derivative = p[1];
                double dx = p[0] / derivative;
                x -= dx;
                if (Math.abs(dx) < 1e-16) {
                    break;
                }
            }
            derivative = legendre(n, x)[1];
            double weight = 2 / ((1 - x * x) * derivative * derivative);
            t[i] = -x;
            t[n - 1 - i] = x;
            w[i] = weight;
            w[n - 1 - i] = weight;
        }
        if (n % 2 == 1) {
            t[n / 2] = 0; // exact by symmetry
        }
        return new double[][] {t, w};
    }

    /** {@code [P_n(x), P_n'(x)]} by the three-term recurrence. */
    private static double[] legendre(int n, double x) {
        double previous = 1;
        double current = x;
        if (n == 0) {
            return new double[] {1, 0};
        }
        for (int k = 2; k <= n; k++) {
            double next = ((2 * k - 1) * x * current - (k - 1) * previous) / k;
            previous = current;
            current = next;
        }
        double derivative = n * (x * current - previous) / (x * x - 1);
        return new double[] {current, derivative};
    }
}
