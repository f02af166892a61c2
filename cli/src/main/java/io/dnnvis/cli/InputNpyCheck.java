package io.dnnvis.cli;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code --input-npy} takes the model's input tensor as the model declares it, in the model's own
 * layout: a tensor with another number of axes than the declared input, or a 4-D tensor whose size
 * differs from a fixed dimension of the declared 4-D input, is refused before anything runs, saying
 * which layout the model expects.
 */
final class InputNpyCheck {

    private InputNpyCheck() {
    }

    static void requireFits(Path file, TensorValue tensor, OnnxModel model, InputLayout layout) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            return;
        }
        Optional<List<Dim>> declared = inputs.get(0).shape();
        long[] shape = tensor.shape();
        if (declared.isPresent() && declared.get().size() != shape.length) {
            throw new UserException(file + ": shape " + Arrays.toString(shape) + " has " + shape.length
                    + " axes; input '" + inputs.get(0).name() + "' " + declared.get() + " of " + model.fileName()
                    + " has " + declared.get().size() + " (the batch axis included)");
        }
        if (declared.isEmpty() || declared.get().size() != 4 || shape.length != 4) {
            return;
        }
        List<Dim> dims = declared.get();
        for (int k = 1; k < 4; k++) {
            if (dims.get(k).isFixed() && dims.get(k).value() != shape[k]) {
                String axes = layout == InputLayout.NHWC ? "[N, H, W, C]" : "[N, C, H, W]";
                throw new UserException(file + ": shape " + Arrays.toString(shape) + " does not fit input '"
                        + inputs.get(0).name() + "' " + dims + " of " + model.fileName() + " (--input-npy takes the input"
                        + " as the model declares it: " + layout.label() + " " + axes + ")");
            }
        }
    }
}
