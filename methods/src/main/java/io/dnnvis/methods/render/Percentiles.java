package io.dnnvis.methods.render;

import java.util.Arrays;

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
        return interpolated(values, below, rank - below);
    }

    /**
     * The {@code p}-th percentile of the magnitudes {@code |v|} of the finite {@code values}; NaN for
     * none. The same number as {@link #of} on those magnitudes. For a high percentile of many values
     * (a picture's scale: the 98th of 80,000) only the values above a threshold read from a sample
     * are selected among, the others counted; where the threshold leaves too few, all are.
     */
    static double ofMagnitudes(float[] values, double p) {
        int n = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                n++;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        int below = (int) Math.floor(p / 100 * (n - 1));
        int above = n - 1 - below; // values after the one wanted, in sorted order
        if (n >= SAMPLED_FROM && above < n / 16) {
            double threshold = threshold(values, above, n);
            int count = 0;
            for (float v : values) {
                if (Float.isFinite(v) && Math.abs(v) >= threshold) {
                    count++;
                }
            }
            if (count > above) { // the wanted value and every one after it are at or above the threshold
                double[] top = new double[count];
                int k = 0;
                for (float v : values) {
                    if (Float.isFinite(v) && Math.abs(v) >= threshold) {
                        top[k++] = Math.abs(v);
                    }
                }
                // the wanted one is at position count - 1 - above among the count largest
                return interpolated(top, count - 1 - above, p / 100 * (n - 1) - below);
            }
        }
        double[] all = new double[n];
        int k = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                all[k++] = Math.abs(v);
            }
        }
        return of(all, p);
    }

    /** Arrays at least this long take the sampled threshold. */
    static final int SAMPLED_FROM = 4096;

    /** Every {@code SAMPLE_STEP}-th value forms the sample. */
    private static final int SAMPLE_STEP = 8;

    /**
     * A magnitude that about twice {@code above} of the {@code n} finite values reach (from every
     * {@link #SAMPLE_STEP}-th value), so that the wanted value and those after it are very likely all
     * at or above it.
     */
    private static double threshold(float[] values, int above, int n) {
        double[] sample = new double[values.length / SAMPLE_STEP + 1];
        int s = 0;
        for (int i = 0; i < values.length; i += SAMPLE_STEP) {
            if (Float.isFinite(values[i])) {
                sample[s++] = Math.abs(values[i]);
            }
        }
        if (s == 0) {
            return 0;
        }
        long wanted = 2L * (above + 1) * s / n + 4; // sampled values at or above the threshold
        int index = (int) Math.max(0, s - 1 - Math.min(s - 1, wanted));
        return select(Arrays.copyOf(sample, s), index);
    }

    /** The value at {@code index} of {@code values} in sorted order, plus {@code f} of the way to the next. */
    private static double interpolated(double[] values, int index, double f) {
        double low = select(values, index);
        if (f == 0 || index + 1 >= values.length) {
            return low;
        }
        double next = Double.POSITIVE_INFINITY;
        for (int i = index + 1; i < values.length; i++) {
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
