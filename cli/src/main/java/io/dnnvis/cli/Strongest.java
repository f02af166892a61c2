package io.dnnvis.cli;

import io.dnnvis.trace.TensorValue;
import java.util.Comparator;
import java.util.stream.IntStream;

/** The channels of a layer that fire most for an input (the Deep Visualization Toolbox's question). */
final class Strongest {

    private Strongest() {
    }

    /** The {@code k} channels with the largest maximum activation, strongest first. */
    static int[] channels(TensorValue activation, int k) {
        long[] shape = activation.shape();
        if (shape.length < 2) {
            throw new UserException("layer '" + activation.name() + "' has no channels");
        }
        int channels = (int) shape[1];
        int per = (int) (activation.elementCount() / (shape[0] * channels));
        float[] data = activation.data();
        double[] strength = new double[channels];
        for (int c = 0; c < channels; c++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < per; i++) {
                max = Math.max(max, data[c * per + i]);
            }
            strength[c] = max;
        }
        return IntStream.range(0, channels).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -strength[c]).thenComparing(c -> c))
                .limit(Math.min(k, channels))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
