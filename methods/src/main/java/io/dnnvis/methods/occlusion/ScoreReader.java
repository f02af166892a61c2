package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.onnx.OnnxModel;
import java.util.Arrays;

/**
 * Reads a target score from one image's target tensor: the sum of {@code length} values starting
 * at {@code from} (one value for a class logit or a neuron at a position, a whole map otherwise).
 */
record ScoreReader(int from, int length) {

    /**
     * The reader of {@code target} in values of {@code shape} per image: the model output for a
     * class, layer {@code layer} for a neuron.
     *
     * @throws BadRequestException when the class, channel or position does not exist
     */
    static ScoreReader of(OnnxModel model, Target target, String layer, long[] shape) {
        long total = Sweep.count(shape);
        if (target instanceof Target.ClassScore c) {
            if (shape.length < 2 || total != shape[1]) {
                throw new BadRequestException("the model output has shape " + Arrays.toString(shape)
                        + "; class targets need an output [1, K]");
            }
            return new ScoreReader(ClassLabels.resolve(model, c.classKey(), (int) shape[1]), 1);
        }
        Target.NeuronScore n = (Target.NeuronScore) target;
        if (shape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(shape)
                    + "; neuron targets need a channel axis");
        }
        int channels = (int) shape[1];
        if (n.channel() >= channels) {
            throw new BadRequestException("neuron " + n.channel() + " does not exist in layer '" + layer
                    + "' (channels 0.." + (channels - 1) + ")");
        }
        int plane = (int) (total / channels);
        if (n.position().isEmpty()) {
            return new ScoreReader(n.channel() * plane, plane);
        }
        GridPoint p = n.position().get();
        if (shape.length != 4) {
            throw new BadRequestException("a position needs a 4-D layer, '" + layer + "' has shape "
                    + Arrays.toString(shape));
        }
        if (p.y() >= shape[2] || p.x() >= shape[3]) {
            throw new BadRequestException("position " + p + " is outside layer '" + layer + "' (rows 0.."
                    + (shape[2] - 1) + ", columns 0.." + (shape[3] - 1) + ")");
        }
        return new ScoreReader((int) (n.channel() * plane + p.y() * shape[3] + p.x()), 1);
    }

    double score(float[] outputs, int offset) {
        double sum = 0;
        for (int k = offset + from; k < offset + from + length; k++) {
            sum += outputs[k];
        }
        return sum;
    }
}
