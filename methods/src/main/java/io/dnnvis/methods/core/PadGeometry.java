package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.backward.rules.PadRule;
import java.util.Optional;

/**
 * What a Pad node does to each axis of its data input, from constant pads: the positions added before
 * and after (negative ones crop), the mode, and the constant of mode {@code constant}. The pads come
 * from the attribute (opset 2 to 10) or a constant input, with its axes (opset 18); pads computed
 * from the image have no geometry.
 *
 * @param mode constant, edge, reflect or wrap
 * @param begin per axis of the data, the positions added before it
 * @param end per axis, the positions added after it
 * @param value the constant of mode {@code constant}
 */
public record PadGeometry(String mode, long[] begin, long[] end, float value) {

    public PadGeometry {
        begin = begin.clone();
        end = end.clone();
    }

    @Override
    public long[] begin() {
        return begin.clone();
    }

    @Override
    public long[] end() {
        return end.clone();
    }

    /** The geometry of {@code pad}, whose data input has {@code rank} axes; empty where it is not constant. */
    public static Optional<PadGeometry> of(Graph graph, Node pad, int rank) {
        String mode = pad.attribute("mode").map(a -> a.asString()).orElse("constant");
        if (!PadRule.MODES.contains(mode)) {
            return Optional.empty();
        }
        long[] pads = pad.intsAttribute("pads").orElse(null);
        long[] axes = null;
        float value = pad.attribute("value").map(a -> a.asFloat()).orElse(0f);
        if (pads == null) {
            pads = Constants.longs(graph, input(pad, 1)).orElse(null);
            String axesInput = input(pad, 3);
            if (!axesInput.isEmpty()) {
                axes = Constants.longs(graph, axesInput).orElse(null);
                if (axes == null) {
                    return Optional.empty();
                }
            }
            String valueInput = input(pad, 2);
            if (!valueInput.isEmpty()) {
                float[] v = Constants.tensor(graph, valueInput).filter(t -> t.type().isFloatingPoint())
                        .map(Tensor::toFloatArray).orElse(null);
                if (v == null || v.length != 1) {
                    return Optional.empty();
                }
                value = v[0];
            }
        }
        if (axes == null) {
            axes = java.util.stream.LongStream.range(0, rank).toArray();
        }
        if (pads == null || pads.length != 2 * axes.length) {
            return Optional.empty();
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int k = 0; k < axes.length; k++) {
            int axis = (int) (axes[k] < 0 ? axes[k] + rank : axes[k]);
            if (axis < 0 || axis >= rank) {
                return Optional.empty();
            }
            begin[axis] = pads[k];
            end[axis] = pads[axes.length + k];
        }
        return Optional.of(new PadGeometry(mode, begin, end, value));
    }

    /**
     * The position of {@code axis} (size {@code n} in the input) that output position {@code o} reads;
     * -1: the constant.
     */
    public int source(int axis, long o, int n) {
        return PadRule.source(mode, o - begin[axis], n);
    }

    /** Whether the pads only add positions, on {@code rowAxis} and {@code colAxis} alone. */
    public boolean addsOnlyTo(int rowAxis, int colAxis) {
        for (int a = 0; a < begin.length; a++) {
            boolean spatial = a == rowAxis || a == colAxis;
            if (begin[a] < 0 || end[a] < 0 || (!spatial && (begin[a] != 0 || end[a] != 0))) {
                return false;
            }
        }
        return true;
    }

    private static String input(Node node, int k) {
        return node.inputs().size() > k ? node.inputs().get(k) : "";
    }
}
