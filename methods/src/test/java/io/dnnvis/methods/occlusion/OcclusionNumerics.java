package io.dnnvis.methods.occlusion;

/** The reference README's tolerance measure. */
final class OcclusionNumerics {

    private OcclusionNumerics() {
    }

    /** {@code ||out - expected||_2 / ||expected||_2}. */
    static double relativeError(float[] out, float[] expected) {
        if (out.length != expected.length) {
            throw new IllegalArgumentException(out.length + " values vs " + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int k = 0; k < out.length; k++) {
            double d = (double) out[k] - expected[k];
            diff += d * d;
            norm += (double) expected[k] * expected[k];
        }
        if (norm == 0) {
            throw new IllegalArgumentException("expected array is all zeros");
        }
        return Math.sqrt(diff / norm);
    }
}
