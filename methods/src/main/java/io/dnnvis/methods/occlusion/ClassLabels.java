package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.BadRequestException;
import io.dnnvis.methods.Predictions;
import io.dnnvis.onnx.OnnxModel;
import java.util.List;

/** Class indices from a number or from the model's metadata {@code labels} (comma-separated). */
final class ClassLabels {

    /** The metadata key holding the class labels. */
    static final String KEY = "labels";

    private ClassLabels() {
    }

    /** The labels of the model, in class order; empty when the metadata has none. */
    static List<String> of(OnnxModel model) {
        return Predictions.labels(model).orElse(List.of());
    }

    /** The class index that {@code key} names (a number, else a label), checked against {@code classes}. */
    static int resolve(OnnxModel model, String key, int classes) {
        int index;
        try {
            index = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            index = byLabel(model, key);
        }
        if (index < 0 || index >= classes) {
            throw new BadRequestException("class " + key + " does not exist (the model output has classes 0.."
                    + (classes - 1) + ")");
        }
        return index;
    }

    private static int byLabel(OnnxModel model, String label) {
        List<String> labels = of(model);
        if (labels.isEmpty()) {
            throw new BadRequestException("class '" + label + "' is not a number and " + model.fileName()
                    + " has no '" + KEY + "' metadata");
        }
        int exact = labels.indexOf(label);
        if (exact >= 0) {
            return exact;
        }
        for (int k = 0; k < labels.size(); k++) {
            if (labels.get(k).equalsIgnoreCase(label)) {
                return k;
            }
        }
        throw new BadRequestException("no class labelled '" + label + "' in the metadata of " + model.fileName());
    }
}
