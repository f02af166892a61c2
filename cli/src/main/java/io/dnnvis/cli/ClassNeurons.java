package io.dnnvis.cli;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ClassLabels;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import java.util.List;

/** {@code --neuron R}: class labels name channels where the layer is the model's output, as {@code class:R} does. */
final class ClassNeurons {

    private ClassNeurons() {
    }

    /** The channels {@code keys} name (numbers, or labels of the model's {@code labels} metadata) on {@code layer}. */
    static int[] channels(OnnxModel model, Layer layer, List<String> keys) {
        boolean output = model.graph().outputs().stream().anyMatch(o -> o.name().equals(layer.tensor()));
        int[] channels = new int[keys.size()];
        for (int k = 0; k < channels.length; k++) {
            String key = keys.get(k);
            try {
                channels[k] = Integer.parseInt(key);
                continue;
            } catch (NumberFormatException e) {
                // a label, below
            }
            if (!output) {
                throw new UserException("--neuron: '" + key + "' is not a channel number (class labels name the"
                        + " channels of the model's output only, and '" + name(layer) + "' is not an output)");
            }
            try {
                channels[k] = ClassLabels.resolve(model, key, Integer.MAX_VALUE);
            } catch (BadRequestException e) {
                throw new UserException("--neuron: " + e.getMessage());
            }
        }
        return channels;
    }

    private static String name(Layer layer) {
        return layer.alias().isEmpty() ? layer.tensor() : layer.alias();
    }
}
