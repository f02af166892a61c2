package io.dnnvis.onnx;

import java.util.Map;
import java.util.Set;

/**
 * Checks the attributes of the sliding-window and normalization ops before a model reaches ONNX
 * Runtime: declared types and values that cannot be right (stride 0, negative pads, kernel 0,
 * group 0, LRN size 0), so the user gets dnnvis's message, not a native assertion.
 */
final class AttributeChecks {

    private static final Set<String> WINDOW_OPS = Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool",
            "LpPool", "ConvInteger", "QLinearConv");
    private static final Map<String, Attribute.Kind> KINDS = Map.of(
            "kernel_shape", Attribute.Kind.INTS,
            "strides", Attribute.Kind.INTS,
            "dilations", Attribute.Kind.INTS,
            "pads", Attribute.Kind.INTS,
            "output_padding", Attribute.Kind.INTS,
            "group", Attribute.Kind.INT,
            "ceil_mode", Attribute.Kind.INT,
            "auto_pad", Attribute.Kind.STRING);

    private AttributeChecks() {
    }

    /** The problem with a node's attributes, or null when they are fine. */
    static String problem(String opType, Map<String, Attribute> attributes) {
        if (WINDOW_OPS.contains(opType)) {
            for (Map.Entry<String, Attribute.Kind> e : KINDS.entrySet()) {
                Attribute a = attributes.get(e.getKey());
                if (a != null && a.kind() != e.getValue()) {
                    return "attribute '" + e.getKey() + "' must be " + e.getValue() + ", got " + a.kind();
                }
            }
            String bad = positive(attributes, "kernel_shape");
            bad = bad != null ? bad : positive(attributes, "strides");
            bad = bad != null ? bad : positive(attributes, "dilations");
            if (bad != null) {
                return bad;
            }
            Attribute pads = attributes.get("pads");
            if (pads != null) {
                for (long p : pads.asInts()) {
                    if (p < 0) {
                        return "negative pad " + p + " in pads " + java.util.Arrays.toString(pads.asInts());
                    }
                }
            }
            Attribute group = attributes.get("group");
            if (group != null && group.asInt() <= 0) {
                return "group must be positive, got " + group.asInt();
            }
        }
        if (opType.equals("LRN")) {
            Attribute size = attributes.get("size");
            if (size == null) {
                return "LRN needs the attribute 'size'";
            }
            if (size.kind() != Attribute.Kind.INT || size.asInt() <= 0) {
                return "LRN size must be a positive integer, got " + size;
            }
        }
        return null;
    }

    private static String positive(Map<String, Attribute> attributes, String name) {
        Attribute a = attributes.get(name);
        if (a == null) {
            return null;
        }
        for (long v : a.asInts()) {
            if (v <= 0) {
                return "attribute '" + name + "' must be positive, got " + java.util.Arrays.toString(a.asInts());
            }
        }
        return null;
    }
}
