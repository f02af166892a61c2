package io.dnnvis.methods.render;

/**
 * Percentiles with linear interpolation between ranks (NumPy's default) by selection, in time
 * linear in the number of values rather than a sort's {@code n log n}: a picture's scale needs one or
 * two order statistics of up to a few hundred thousand values.
 */
final class Percentiles {

    private Percentiles() {
    }

    /**
     * The {@code p}-th percentile of {@code values} (finite, in any order); NaN for no values. The
     * array is reordered.
     */
    static double of(double[] values, double p) {
        int n = values.length;
        if (n == 0) {
            return Double.NaN;
        }
        double rank = p / 100 * (n - 1);
        int below = (int) Math.floor(rank);
        double f = rank - below;
        double low = select(values, below);
        if (f == 0 || below + 1 >= n) {
            return low;
        }
        double next = Double.POSITIVE_INFINITY;
        for (int i = below + 1; i < n; i++) {
            next = Math.min(next, values[i]);
        }
        return low + f * (next - low);
    }

    /**
     * The {@code k}-th smallest of {@code a} (0-based), leaving it at index {@code k} with no larger
     * value before it and no smaller value after it (Hoare's selection, median-of-three pivots).
     */
    static double select(double[] a, int k) {
        int left = 0;
        int right = a.length - 1;
        while (right > left) {
            int mid = (left + right) >>> 1;
            if (a[mid] < a[left]) {
                swap(a, mid, left);
            }
            if (a[right] < a[left]) {
                swap(a, right, left);
            }
            if (a[right] < a[mid]) {
                swap(a, right, mid);
            }
            double pivot = a[mid];
            int i = left;
            int j = right;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
