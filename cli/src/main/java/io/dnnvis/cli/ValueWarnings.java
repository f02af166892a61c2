package io.dnnvis.cli;

import java.io.PrintWriter;

/**
 * One line on stderr when a result a command prints or draws is not a picture of anything: it holds
 * NaN or infinite values, or it is one value everywhere (a heat map of it shows nothing).
 */
final class ValueWarnings {

    private ValueWarnings() {
    }

    /**
     * The problem of {@code values}, or null when there is none: "holds NaN or infinite values", or
     * "is V everywhere" (more than one value, all equal).
     *
     * @param nanMeansNoValue whether a NaN marks a place without a value (score occlusion's pixels no
     *     window covers): such NaNs are no problem, a result of NaN alone is
     */
    static String problem(float[] values, boolean nanMeansNoValue) {
        int counted = 0;
        float first = Float.NaN;
        boolean constant = true;
        for (float v : values) {
            if (Float.isNaN(v) && nanMeansNoValue) {
                continue;
            }
            if (!Float.isFinite(v)) {
                return "holds NaN or infinite values";
            }
            if (counted++ == 0) {
                first = v;
            }
            constant &= v == first;
        }
        if (counted == 0) {
            return values.length == 0 ? null : "holds NaN or infinite values";
        }
        return constant && values.length > 1 ? "is " + first + " everywhere" : null;
    }

    /** Writes {@code warning: WHAT PROBLEM} to {@code err} when {@code values} have a {@link #problem}. */
    static void warn(PrintWriter err, String what, float[] values, boolean nanMeansNoValue) {
        String problem = problem(values, nanMeansNoValue);
        if (problem != null) {
            err.println("warning: " + what + " " + problem);
            err.flush();
        }
    }
}
