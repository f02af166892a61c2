package io.dnnvis.methods.occlusion;

/**
 * Reads a target score from one image's target tensor: the sum of {@code length} values starting
 * at {@code from} (one value for a class logit or a neuron at a position, a whole map otherwise).
 */
record ScoreReader(int from, int length) {

    double score(float[] outputs, int offset) {
        double sum = 0;
        for (int k = offset + from; k < offset + from + length; k++) {
            sum += outputs[k];
        }
        return sum;
    }
}
