package io.dnnvis.methods.core;

import io.dnnvis.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The class labels of a model's metadata {@code labels} (comma- or newline-separated), and class
 * indices named by a number or a label.
 */
public final class ClassLabels {

    /** The metadata key holding the class labels. */
    public static final String KEY = "labels";

    private ClassLabels() {
    }

    /** The labels of the model, in class order; empty when the metadata has none. */
    public static List<String> of(OnnxModel model) {
        String text = model.metadata().get(KEY);
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : text.split(text.contains("\n") ? "\n" : ",")) {
            out.add(s.strip());
        }
        return List.copyOf(out);
    }

    /** The class index that {@code key} names (a number, else a label), checked against {@code classes}. */
    public static int resolve(OnnxModel model, String key, int classes) {
        int index;
        try {
            index = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            index = byLabel(model, key);
        }
        if (index < 0 || index >= classes) {
            throw new BadRequestException(model.fileName() + ": class " + key + " does not exist (the model output "
                    + "has classes 0.." + (classes - 1) + ")");
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
