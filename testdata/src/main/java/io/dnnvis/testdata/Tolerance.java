package io.dnnvis.testdata;

/** The reference README's tolerance measure, shared by every module's tests. */
public final class Tolerance {

    /** The reference passes when {@link #relativeError} is at most this. */
    public static final double REFERENCE = 1e-4;

    private Tolerance() {
    }

    /** {@code ||values||_2}. */
    public static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    /**
     * {@code ||out - expected||_2 / ||expected||_2}.
     *
     * @throws IllegalArgumentException for different lengths or an all-zero {@code expected}
     */
    public static double relativeError(float[] out, float[] expected) {
        if (out.length != expected.length) {
            throw new IllegalArgumentException(out.length + " values vs " + expected.length);
        }
        double diff = 0;
        for (int k = 0; k < out.length; k++) {
            double d = (double) out[k] - expected[k];
            diff += d * d;
        }
        double norm = norm(expected);
        if (norm == 0) {
            throw new IllegalArgumentException("expected array is all zeros");
        }
        return Math.sqrt(diff) / norm;
    }

    /** The relative error, or for an all-zero expectation the norm of {@code out} itself. */
    public static double errorAgainst(float[] out, float[] expected) {
        return norm(expected) == 0 ? norm(out) : relativeError(out, expected);
    }
}
