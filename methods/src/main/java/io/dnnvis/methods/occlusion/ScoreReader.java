package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.OnnxModel;

/** Reads a target score from one image's target tensor: the sum of the elements the target selects. */
record ScoreReader(TargetSelection selection) {

    /**
     * The reader of {@code target} in values of {@code shape} per image of {@code tensor}: the model
     * output for class and output targets, layer {@code layer} for a neuron.
     *
     * @throws BadRequestException when the class, channel, step, position or index does not exist, or
     *     the target's score is constant (the sum of a softmax)
     */
    static ScoreReader of(OnnxModel model, Target target, String layer, String tensor, long[] shape) {
        return new ScoreReader(TargetSelection.resolve(model, target, layer, tensor, shape));
    }

    double score(float[] outputs, int offset) {
        return selection.score(outputs, offset);
    }
}
