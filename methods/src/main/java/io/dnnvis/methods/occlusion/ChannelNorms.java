package io.dnnvis.methods.occlusion;

/**
 * The L2 norm of every channel's map of a target tensor {@code [1, K, ...]} (for {@code [1, K]}:
 * the magnitude of each unit), accumulated in double precision.
 */
final class ChannelNorms {

    private final int channels;
    private final int plane;

    ChannelNorms(long[] targetShape) {
        long total = Sweep.count(targetShape);
        this.channels = (int) targetShape[1];
        this.plane = (int) (total / Math.max(1, channels));
    }

    int channels() {
        return channels;
    }

    double[] of(float[] outputs, int offset) {
        double[] norms = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            int from = offset + c * plane;
            for (int p = from; p < from + plane; p++) {
                sum += (double) outputs[p] * outputs[p];
            }
            norms[c] = Math.sqrt(sum);
        }
        return norms;
    }
}
