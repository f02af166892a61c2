package io.dnnvis.methods.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    /** NumPy's linear percentile from a sorted copy: the definition the selection must match. */
    private static double bySorting(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    @Test
    void matchesTheSortedDefinitionOnRandomArraysWithTies() {
        Random rnd = new Random(7);
        double[] ps = {0, 2, 50, 97.5, 98, 99.9, 100};
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + rnd.nextInt(trial < 200 ? 12 : 3000);
            double[] values = new double[n];
            int distinct = 1 + rnd.nextInt(n + 1);
            for (int i = 0; i < n; i++) {
                values[i] = trial % 3 == 0 ? rnd.nextInt(distinct) : rnd.nextGaussian();
            }
            for (double p : ps) {
                double expected = bySorting(values, p);
                double got = Percentiles.of(values.clone(), p);
                assertEquals(expected, got, 1e-12 * Math.max(1, Math.abs(expected)), "n " + n + ", p " + p);
            }
        }
    }

    @Test
    void selectLeavesTheKthInPlaceWithSmallerBeforeAndLargerAfter() {
        Random rnd = new Random(11);
        double[] values = new double[1001];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextInt(50);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int k : new int[] {0, 1, 500, 999, 1000}) {
            double[] a = values.clone();
            assertEquals(sorted[k], Percentiles.select(a, k));
            for (int i = 0; i < a.length; i++) {
                assertTrue(i <= k ? a[i] <= a[k] : a[i] >= a[k], "index " + i + " for k " + k);
            }
        }
    }

    /**
     * The percentile of magnitudes by a sampled threshold is the percentile of the finite values'
     * magnitudes, exactly, on arrays long enough to take the threshold: ties (at the threshold too),
     * NaN and infinities, signs, a sample that misses the largest values.
     */
    @Test
    void magnitudesByThresholdAreThePercentileOfTheMagnitudes() {
        Random rnd = new Random(13);
        double[] ps = {50, 90, 97.5, 98, 99, 99.9, 100};
        for (int trial = 0; trial < 300; trial++) {
            int n = trial % 5 == 0 ? 1 + rnd.nextInt(Percentiles.SAMPLED_FROM) : Percentiles.SAMPLED_FROM
                    + rnd.nextInt(90_000);
            float[] values = new float[n];
            int distinct = 1 + rnd.nextInt(trial % 2 == 0 ? 5 : n);
            for (int i = 0; i < n; i++) {
                values[i] = switch (trial % 4) {
                    case 0 -> rnd.nextInt(distinct) - distinct / 2;
                    case 1 -> (float) (rnd.nextGaussian() * Math.exp(3 * rnd.nextGaussian()));
                    // the largest values where the sample (every 8th) does not look
                    case 2 -> i % 8 == 3 ? 1000 + rnd.nextInt(10) : (float) rnd.nextGaussian();
                    default -> rnd.nextInt(50) == 0 ? Float.NaN : rnd.nextInt(70) == 0 ? Float.NEGATIVE_INFINITY
                            : (float) rnd.nextGaussian();
                };
            }
            double[] magnitudes = new double[n];
            int m = 0;
            for (float v : values) {
                if (Float.isFinite(v)) {
                    magnitudes[m++] = Math.abs(v);
                }
            }
            double[] finite = Arrays.copyOf(magnitudes, m);
            for (double p : ps) {
                double got = Percentiles.ofMagnitudes(values, p);
                if (m == 0) {
                    assertTrue(Double.isNaN(got));
                } else {
                    assertEquals(Percentiles.of(finite.clone(), p), got, 0.0, "trial " + trial + ", n " + n + ", p " + p);
                }
            }
        }
    }

    @Test
    void noValuesGiveNaN() {
        assertTrue(Double.isNaN(Percentiles.of(new double[0], 50)));
    }
}
