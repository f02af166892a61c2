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

    @Test
    void noValuesGiveNaN() {
        assertTrue(Double.isNaN(Percentiles.of(new double[0], 50)));
    }
}
