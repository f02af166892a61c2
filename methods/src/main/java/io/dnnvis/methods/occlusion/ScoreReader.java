package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.OnnxModel;
import java.util.Map;

/** Reads a target score from one image's target tensor: the sum of the elements the target selects. */
record ScoreReader(TargetSelection selection) {

    /**
     * The reader of {@code target} in {@code tensor}'s values per image: the model output for class
     * and output targets, layer {@code layer} for a neuron ({@code shapes}: the graph's tensors for one
     * image, {@code tensor}'s included; {@code layout}: the input's).
     *
     * @throws BadRequestException when the class, channel, step, position or index does not exist, or
     *     the target's score is constant (the sum of a softmax)
     */
    static ScoreReader of(OnnxModel model, Target target, String layer, String tensor, Map<String, long[]> shapes,
            InputLayout layout) {
        return new ScoreReader(TargetSelection.resolve(model, target, layer, tensor, shapes, layout));
    }

    double score(float[] outputs, int offset) {
        return selection.score(outputs, offset);
    }
}
